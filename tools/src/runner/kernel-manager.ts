/**
 * Starting, interrupting and stopping one kernel process from its kernel spec (Jupyter client
 * docs, "Kernel specs" and "Kernel interrupts"), the job jupyter_client's KernelManager does.
 *
 * The spec's argv has `{connection_file}` replaced by a fresh connection file; the process runs in
 * `cwd` (the notebook's folder) with the runner's environment, the spec's `env` and `extraEnv`
 * (e.g. GENBOOK_QUICK=1). Interrupts follow the spec's interrupt_mode: SIGINT for `signal`, an
 * interrupt_request on the control channel for `message`.
 */
import { ChildProcess, spawn } from 'child_process';
import { KernelSpec } from '../kernel/spec';
import { signalExitCode, STOP_SIGNALS } from '../util/signals';
import { ConnectionInfo, newConnectionInfo, removeConnectionFile, writeConnectionFile } from './connection';
import { KernelClient } from './kernel-client';
import { JsonObject, Message } from './message';

export interface KernelExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartKernelOptions {
  spec: KernelSpec;
  kernelName: string;
  /** Working directory of the kernel process (the notebook's folder). */
  cwd: string;
  /** Added to the environment after the runner's own and the spec's. */
  extraEnv?: Record<string, string>;
  /** How long the kernel may take to answer kernel_info (default 300 s: tslab loads TypeScript, slow on a busy machine). */
  startupTimeoutSeconds?: number;
}

/**
 * Kernels alive in this process; killed when the process exits so none is left behind. A stop
 * signal (SIGINT, SIGTERM, SIGHUP) that nobody else in the process handles ends the process as
 * Node would by default — but through process.exit, so the exit hook runs and the kernels go too
 * (without it, SIGTERM or SIGHUP killed the runner and left its kernels running). A command that
 * handles these signals itself (util/signals.ts) must exit the process when it is done.
 */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', killLiveKernels);
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      if (process.listenerCount(signal) > 1) return; // the command handles it
      process.exit(signalExitCode(signal));
    });
  }
}

/** SIGKILL every kernel this process started that is still running. */
export function killLiveKernels(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** The last `limit` characters written to a stream. */
class Tail {
  private text = '';
  constructor(private readonly limit = 4000) {}
  push(chunk: Buffer): void {
    this.text = (this.text + chunk.toString('utf8')).slice(-this.limit);
  }
  toString(): string {
    return this.text;
  }
}

export class KernelStartError extends Error {}

export class KernelProcess {
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<KernelExit>;
  private exitInfo: KernelExit | undefined;
  private readonly stderrTail = new Tail();

  constructor(
    readonly child: ChildProcess,
    readonly client: KernelClient,
    readonly info: ConnectionInfo,
    readonly connectionFile: string,
    readonly interruptMode: 'signal' | 'message',
  ) {
    live.add(child);
    child.stdout?.on('data', () => undefined);
    child.stderr?.on('data', (chunk: Buffer) => this.stderrTail.push(chunk));
    this.exited = new Promise<KernelExit>((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
      child.once('error', () => {
        live.delete(child);
        this.exitInfo = { code: null, signal: null };
        resolve(this.exitInfo);
      });
    });
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  get exit(): KernelExit | undefined {
    return this.exitInfo;
  }

  /** What the kernel process wrote to its own stderr (not to IOPub), last 4000 characters. */
  get stderr(): string {
    return this.stderrTail.toString();
  }

  /**
   * Ask the kernel (kernel_info_request, repeated) until it answers on shell AND its status for that
   * request arrives on IOPub, so no output of the first cell can be lost to a late subscription.
   * Returns the kernel_info_reply content.
   */
  async waitForReady(timeoutSeconds: number): Promise<JsonObject> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    const seenOnIopub = new Set<string>();
    const stop = this.client.onIopub((m) => {
      if (m.parent_header.msg_id) seenOnIopub.add(m.parent_header.msg_id);
    });
    // Every request stays eligible: a slow kernel may answer the first one after the third is sent.
    const replies = new Map<string, Promise<Message>>();
    try {
      for (let wait = 250; Date.now() < deadline; wait = Math.min(wait * 2, 4000)) {
        if (!this.alive) throw new KernelStartError(`kernel exited during startup (${describeExit(this.exitInfo)})${stderrNote(this.stderr)}`);
        if (PORT_TAKEN.test(this.stderr)) throw new KernelStartError(`kernel could not bind its ports${stderrNote(this.stderr)}`);
        const { msgId, reply } = this.client.request('shell', 'kernel_info_request', {});
        replies.set(msgId, reply);
        const got = await raceTimeout<Message | undefined, undefined>([...replies.values(), this.exited.then(() => undefined)], wait, undefined);
        if (!got) continue;
        const id = got.parent_header.msg_id ?? '';
        replies.delete(id);
        const iopubDeadline = Date.now() + 2000;
        while (!seenOnIopub.has(id) && Date.now() < iopubDeadline && this.alive) await sleep(20);
        if (seenOnIopub.has(id)) return got.content;
      }
    } finally {
      stop();
    }
    throw new KernelStartError(`kernel did not answer kernel_info within ${timeoutSeconds} s${stderrNote(this.stderr)}`);
  }

  /** Interrupt the running cell as the kernel spec says (SIGINT or interrupt_request). */
  async interrupt(): Promise<void> {
    if (!this.alive) return;
    if (this.interruptMode === 'signal') {
      this.child.kill('SIGINT');
      return;
    }
    const { reply } = this.client.request('control', 'interrupt_request', {});
    await raceTimeout([reply, this.exited], 5000, undefined);
  }

  /** SIGKILL the process and wait for it to be gone. */
  async kill(): Promise<KernelExit> {
    if (this.alive) this.child.kill('SIGKILL');
    return this.exited;
  }

  /**
   * Stop the kernel: shutdown_request on control, then SIGKILL if it has not exited within
   * `graceSeconds`. Closes the sockets and removes the connection file.
   */
  async shutdown(graceSeconds = 3): Promise<KernelExit> {
    try {
      if (this.alive) {
        const { reply } = this.client.request('control', 'shutdown_request', { restart: false });
        await raceTimeout([reply, this.exited], graceSeconds * 1000, undefined);
        const gone = await raceTimeout([this.exited.then(() => true)], graceSeconds * 1000, false);
        if (!gone) await this.kill();
      }
      return await this.exited;
    } finally {
      this.client.close();
      removeConnectionFile(this.connectionFile);
    }
  }
}

/** What a kernel writes when another process took one of its ports first. */
export const PORT_TAKEN = /EADDRINUSE|Address already in use/i;

export function describeExit(exit: KernelExit | undefined): string {
  if (!exit) return 'still running';
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exit code ${exit.code}`;
}

function stderrNote(stderr: string): string {
  const text = stderr.trim();
  return text ? `; its stderr ends with:\n${text.split('\n').slice(-15).join('\n')}` : '';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The first of `promises` to settle, or `onTimeout` after `ms`; the timer is cleared either way,
 * so a long timeout never keeps the process alive after the race is decided.
 */
export async function raceTimeout<T, U>(promises: readonly Promise<unknown>[], ms: number, onTimeout: U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<U>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout), ms);
  });
  try {
    return (await Promise.race([...promises, expired])) as T | U;
  } finally {
    clearTimeout(timer);
  }
}

/** Start a kernel and wait until it answers; retries twice if its ports were taken meanwhile. */
export async function startKernel(options: StartKernelOptions): Promise<{ kernel: KernelProcess; kernelInfo: JsonObject }> {
  installExitHook();
  const timeout = options.startupTimeoutSeconds ?? 300;
  for (let attempt = 1; ; attempt++) {
    const info = await newConnectionInfo(options.kernelName);
    const file = writeConnectionFile(info);
    const argv = options.spec.argv.map((a) => a.split('{connection_file}').join(file));
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.spec.env, ...(options.extraEnv ?? {}) };
    let child: ChildProcess;
    try {
      child = spawn(argv[0], argv.slice(1), { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      removeConnectionFile(file);
      throw new KernelStartError(`could not start the kernel ${JSON.stringify(argv)}: ${(e as Error).message}`);
    }
    const kernel = new KernelProcess(child, new KernelClient(info), info, file, options.spec.interrupt_mode);
    try {
      const kernelInfo = await kernel.waitForReady(timeout);
      return { kernel, kernelInfo };
    } catch (e) {
      await kernel.shutdown(0.5);
      if (PORT_TAKEN.test(kernel.stderr) && attempt < 3) continue;
      throw e;
    }
  }
}

export type { Message };
