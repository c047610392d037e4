/**
 * The runner's synchronous line to the submission's host: `request` blocks the runner's main
 * thread (Atomics.wait) until its helper thread (host-thread.ts) has the host's answer or has
 * killed the host for breaking a limit. Blocking keeps the tests ordinary synchronous code —
 * `expect(hw().entropy([0.5, 0.5])).to.equal(1)` — while the student's code runs in another
 * process. The same pattern as the `synckit` package, written out here because it is forty lines
 * and the grader should depend on as little as possible.
 */
import * as path from 'path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'worker_threads';
import type { HostOutcome, ThreadData, ThreadMessage } from './host-thread';
import type { HostInit, HostOptions, HostRequest } from './protocol';

/** Extra time the helper thread gets beyond a request's own limit before the runner gives up on it. */
const THREAD_SLACK_MS = 30_000;

type RequestBody = HostRequest extends infer R ? (R extends HostRequest ? Omit<R, 'id'> : never) : never;

export class HostChannel {
  private readonly shared = new Int32Array(new SharedArrayBuffer(4));
  private readonly port;
  private readonly worker: Worker;
  private closed = false;

  constructor(options: HostOptions, init: HostInit) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const data: ThreadData = { port: port2, shared: this.shared, options, init };
    this.worker = new Worker(path.join(__dirname, 'host-thread.js'), { workerData: data, transferList: [port2] });
    this.worker.unref();
  }

  private exchange(message: ThreadMessage, waitMs: number): HostOutcome | undefined {
    Atomics.store(this.shared, 0, 0);
    this.port.postMessage(message);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const received = receiveMessageOnPort(this.port);
      if (received) return received.message as HostOutcome;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      Atomics.wait(this.shared, 0, 0, left);
      Atomics.store(this.shared, 0, 0);
    }
  }

  /** Send a request and wait for its outcome (at most `timeoutMs`, then the host is killed). */
  request(body: RequestBody, timeoutMs: number, timeoutReason: string): HostOutcome {
    if (this.closed) return { kind: 'limit', status: 'crashed', reason: 'the grading run is over' };
    const outcome = this.exchange({ type: 'request', request: { ...body, id: 0 } as HostRequest, timeoutMs, timeoutReason }, Math.max(0, timeoutMs) + THREAD_SLACK_MS);
    return outcome ?? { kind: 'limit', status: 'crashed', reason: 'the grader lost contact with the test process' };
  }

  /** How many host processes ran, and the tails of their output. */
  stats(): { processes: number; stdoutTail: string; stderrTail: string } {
    const outcome = this.exchange({ type: 'stats' }, 10_000);
    if (outcome?.kind === 'stats') return { processes: outcome.processes, stdoutTail: outcome.stdoutTail, stderrTail: outcome.stderrTail };
    return { processes: 0, stdoutTail: '', stderrTail: '' };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.postMessage({ type: 'close' } satisfies ThreadMessage);
    setTimeout(() => void this.worker.terminate(), 200).unref();
  }
}
