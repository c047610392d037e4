/**
 * The runner's helper thread that owns the submission's host process (host.ts): it starts it
 * (scratch wiped first), sends it requests, reads its answers, and enforces the limits — a deadline
 * per request, a resident-memory cap, a cap on the size of an answer — by killing it. The runner's
 * main thread waits for each answer synchronously (channel.ts), so a test calls the student's code
 * as if it were local, and an infinite loop in that code costs only the test that hit it: the
 * next request starts a fresh host.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { MessagePort, workerData } from 'worker_threads';
import type { HostInit, HostOptions, HostRequest, HostResponse } from './protocol';
import { descendantPids } from './os-sandbox';
import { hostCommand } from './sandbox';
import { appendTail, readJsonLines } from './json-lines';
import { removeTree } from './scratch';

/** What the main thread gets back for one request. */
export type HostOutcome =
  | { kind: 'response'; response: HostResponse }
  | { kind: 'limit'; status: 'timeout' | 'crashed'; reason: string }
  | { kind: 'stats'; processes: number; stdoutTail: string; stderrTail: string };

export type ThreadMessage = { type: 'request'; request: HostRequest; timeoutMs: number; timeoutReason: string } | { type: 'stats' } | { type: 'close' };

export interface ThreadData {
  port: MessagePort;
  shared: Int32Array;
  options: HostOptions;
  init: HostInit;
}

/** The largest answer the host may send (bytes of one line). */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
function residentMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface Host {
  child: ChildProcess;
  /** Resolves when the host said it is ready; rejects with the reason it is not. */
  ready: Promise<void>;
  pending?: { id: number; settle: (outcome: HostOutcome) => void };
  killedFor?: { status: 'timeout' | 'crashed'; reason: string };
  stderr: string;
  exited: boolean;
}

class HostOwner {
  private host: Host | undefined;
  private scratch: string | undefined;
  private nextId = 1;
  processes = 0;
  stdoutTail = '';
  stderrTail = '';

  constructor(
    private readonly options: HostOptions,
    private readonly init: HostInit,
  ) {}

  /** Start a host (after wiping scratch) unless one is alive. */
  private start(): Host {
    if (this.host && !this.host.exited) return this.host;
    // Each host gets a fresh scratch folder and may read and write only that one: nothing a
    // killed host wrote (after it saw test inputs) reaches the next.
    if (this.scratch) removeTree(this.scratch);
    this.processes++;
    const scratch = path.join(this.options.scratchDir, `host-${this.processes}`);
    this.scratch = scratch;
    fs.mkdirSync(scratch, { recursive: true, mode: 0o700 });
    const { command, args } = hostCommand({ ...this.options, scratchDir: scratch });
    const child = spawn(command, args, { cwd: scratch, env: this.options.env, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    let readyResolve: () => void = () => {};
    let readyReject: (reason: Error) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    ready.catch(() => {});
    const host: Host = { child, ready, stderr: '', exited: false };
    this.host = host;
    const kill = (status: 'timeout' | 'crashed', reason: string) => {
      host.killedFor ??= { status, reason };
      child.kill('SIGKILL');
    };
    const watchdog = setInterval(() => {
      if (child.pid === undefined) return;
      // Under bubblewrap child.pid is bwrap's: count the processes below it too.
      let rss: number | undefined;
      for (const pid of [child.pid, ...descendantPids(child.pid)]) {
        const mb = residentMb(pid);
        if (mb !== undefined) rss = (rss ?? 0) + mb;
      }
      if (rss !== undefined && rss > this.options.rssLimitMb) kill('crashed', `used more than ${this.options.rssLimitMb} MB of memory`);
    }, 500);
    const startTimer = setTimeout(() => kill('crashed', `did not start within ${Math.round(this.options.startupTimeoutMs / 1000)} s`), this.options.startupTimeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (this.stdoutTail = appendTail(this.stdoutTail, s)));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      this.stderrTail = appendTail(this.stderrTail, s);
      host.stderr = appendTail(host.stderr, s);
    });
    readJsonLines(
      child.stdio[3] as NodeJS.ReadableStream,
      MAX_ANSWER_BYTES,
      (message) => {
        const response = message as unknown as HostResponse;
        if (typeof response.id !== 'number') return;
        if (response.id === 0) {
          clearTimeout(startTimer);
          readyResolve();
        } else if (host.pending && response.id === host.pending.id) {
          const { settle } = host.pending;
          host.pending = undefined;
          settle({ kind: 'response', response });
        }
      },
      () => kill('crashed', `sent an answer larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MB`),
    );
    child.stdin?.on('error', () => {});
    child.on('error', (e) => kill('crashed', `could not be started: ${e.message}`));
    child.on('close', (code, signal) => {
      host.exited = true;
      clearInterval(watchdog);
      clearTimeout(startTimer);
      const reason = host.killedFor ?? { status: 'crashed' as const, reason: deathReason(host.stderr, code, signal, this.options.memoryMb) };
      readyReject(new Error(reason.reason));
      if (host.pending) {
        const { settle } = host.pending;
        host.pending = undefined;
        settle({ kind: 'limit', status: reason.status, reason: reason.reason });
      }
    });
    child.stdin?.write(JSON.stringify(this.init) + '\n');
    return host;
  }

  /** Send one request; the outcome is the answer, or the limit the host broke. */
  async request(request: HostRequest, timeoutMs: number, timeoutReason: string): Promise<HostOutcome> {
    if (timeoutMs <= 0) return { kind: 'limit', status: 'timeout', reason: timeoutReason };
    const host = this.start();
    try {
      await host.ready;
    } catch (e) {
      return { kind: 'limit', status: 'crashed', reason: `the submission's process ${(e as Error).message}` };
    }
    const id = this.nextId++;
    return new Promise<HostOutcome>((resolve) => {
      const timer = setTimeout(() => {
        host.killedFor ??= { status: 'timeout', reason: timeoutReason };
        host.child.kill('SIGKILL');
      }, timeoutMs);
      host.pending = {
        id,
        settle: (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        },
      };
      host.child.stdin?.write(JSON.stringify({ ...request, id }) + '\n');
    });
  }

  close(): void {
    if (this.host && !this.host.exited) this.host.child.kill('SIGKILL');
  }
}

/** Why a host died, in words for the student. */
export function deathReason(stderr: string, code: number | null, signal: NodeJS.Signals | null, memoryMb: number): string {
  if (/heap out of memory|Reached heap limit|Allocation failed/i.test(stderr)) return `ran out of memory (the heap limit is ${memoryMb} MB)`;
  if (/Maximum call stack size exceeded/.test(stderr)) return 'overflowed the call stack';
  if (signal) return `crashed (signal ${signal})`;
  return `ended the test process (exit code ${code})`;
}

function main(): void {
  const data = workerData as ThreadData;
  const owner = new HostOwner(data.options, data.init);
  const reply = (outcome: HostOutcome) => {
    data.port.postMessage(outcome);
    Atomics.store(data.shared, 0, 1);
    Atomics.notify(data.shared, 0);
  };
  data.port.on('message', (message: ThreadMessage) => {
    if (message.type === 'request') {
      void owner.request(message.request, message.timeoutMs, message.timeoutReason).then(reply);
    } else if (message.type === 'stats') {
      reply({ kind: 'stats', processes: owner.processes, stdoutTail: owner.stdoutTail, stderrTail: owner.stderrTail });
    } else {
      owner.close();
      data.port.close();
    }
  });
}

if (workerData && (workerData as Partial<ThreadData>).port) main();
