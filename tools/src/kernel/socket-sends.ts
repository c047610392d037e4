/**
 * Safe sending on the kernel's zeromq sockets, for a caller that never awaits `send` (tslab 1.0.22
 * calls `socket.send(frames)` and drops the promise).
 *
 * Why it is needed (zeromq 6.8, src/socket.cc `Socket::Send`): a socket allows one send "in
 * progress". A send normally completes synchronously, but to avoid starving the event loop every
 * 513th synchronous operation on a socket is deferred to the event loop's check phase (the counter
 * resets only then); any `send` made before that phase throws `EBUSY` "Socket is busy writing;
 * only one send operation may be in progress at any time". A cell that prints or updates a progress
 * bar hundreds of times in a row reaches that on IOPub. In tslab the throw escapes from a
 * `console.log` (the line is lost), from a progress-bar update (the cell fails), or from
 * `publishStatus` (the `idle` status is never sent, so the client waits forever for the cell).
 *
 * zeromq 6 sockets are sealed and `send` is a read-only prototype method, so `send` cannot be
 * replaced on the socket itself (in strict mode the assignment throws). `guardSocket` returns a
 * Proxy of the socket whose `send` is guarded and whose other members are the socket's own; the
 * kernel hands that Proxy to tslab in place of the socket. With it:
 * - option `sendTimeout: 0` (the kernel's choice): zeromq sends every message at once (its fast
 *   path, never a deferred write), which PUB, ROUTER (not `mandatory`) and REP sockets accept;
 * - should a send still find the socket busy (e.g. without that option), the message and every
 *   later one wait in a queue, in order, until the pending write completed, instead of throwing;
 * - a send that fails for another reason (socket closed, …) is written to the process's real stderr
 *   (fd 2, not `process.stderr.write`, which tslab redirects to IOPub) with the message type, and is
 *   never thrown into the caller; the returned promise never rejects.
 * This layer drops nothing itself; only a message zeromq refuses is lost, and that is logged.
 */
import * as fs from 'fs';

/** The part of a zeromq 6 socket this file uses. */
export interface SendingSocket {
  send(message: unknown): Promise<void>;
  sendTimeout: number;
  sendHighWaterMark: number;
  readonly closed: boolean;
}

/** Counters of one guarded socket (tests and diagnostics). */
export interface SendStats {
  /** Messages handed to zeromq. */
  sent: number;
  /** Messages that found the socket busy and waited in the queue. */
  queued: number;
  /** Sends that failed (logged). */
  failed: number;
}

const DELIMITER = '<IDS|MSG>';

/** The Jupyter msg_type of a multipart message (`[ids…, <IDS|MSG>, hmac, header, …]`), else a summary. */
export function describeMessage(message: unknown): string {
  if (!Array.isArray(message)) return typeof message;
  const frames = message.map((f) => (Buffer.isBuffer(f) ? f.toString('utf8') : String(f)));
  const at = frames.indexOf(DELIMITER);
  if (at >= 0 && frames.length > at + 2) {
    try {
      const type = (JSON.parse(frames[at + 2]) as { msg_type?: unknown }).msg_type;
      if (typeof type === 'string') return type;
    } catch {
      // not a Jupyter message
    }
  }
  return `${frames.length}-frame message`;
}

function isBusy(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'EBUSY';
}

/** Write one line to fd 2 directly (never through `process.stderr.write`, which tslab redirects). */
export function writeStderr(line: string): void {
  try {
    fs.writeSync(2, line.endsWith('\n') ? line : `${line}\n`);
  } catch {
    // stderr closed or full: nothing better to do
  }
}

/** Options of `guardSocket`. */
export interface GuardOptions {
  /** Where failures are written (default: fd 2). */
  log?: (line: string) => void;
  /** Set the socket's `sendTimeout` (the kernel uses 0: send at once, never defer). */
  sendTimeout?: number;
  /** Set the socket's `sendHighWaterMark` (0 = no limit; a PUB socket drops messages beyond it). */
  sendHighWaterMark?: number;
}

/**
 * A send function for `socket` that is safe for callers that do not await it (see the module
 * comment). `channel` names the socket in log lines. Returns it with live counters.
 */
export function guardedSend(socket: SendingSocket, channel: string, options: GuardOptions = {}): { send(message: unknown): Promise<void>; stats: SendStats } {
  const log = options.log ?? writeStderr;
  const stats: SendStats = { sent: 0, queued: 0, failed: 0 };
  const send = (message: unknown): Promise<void> => socket.send(message);
  if (options.sendTimeout !== undefined) socket.sendTimeout = options.sendTimeout;
  if (options.sendHighWaterMark !== undefined) socket.sendHighWaterMark = options.sendHighWaterMark;

  const fail = (message: unknown, error: unknown): void => {
    stats.failed++;
    // A closed socket fails every later send: log the first failures and then every 1000th.
    if (stats.failed <= 20 || stats.failed % 1000 === 0) {
      const what = error instanceof Error ? `${error.message}${(error as { code?: unknown }).code ? ` (${String((error as { code?: unknown }).code)})` : ''}` : String(error);
      log(`genbook kernel: ${channel} send of ${describeMessage(message)} failed: ${what}${stats.failed > 20 ? ` [${stats.failed} failures so far]` : ''}`);
    }
  };

  /** The promise of the latest send zeromq accepted, and whether it has settled. */
  let last: Promise<void> = Promise.resolve();
  let lastSettled = true;
  const queue: { message: unknown; done: () => void }[] = [];
  let waiting = false;

  /** Hand one message to zeromq: false when the socket is busy (nothing happened). */
  const attempt = (message: unknown, done: () => void): boolean => {
    let promise: Promise<void>;
    try {
      promise = send(message);
    } catch (e) {
      if (isBusy(e)) return false;
      fail(message, e);
      done();
      return true;
    }
    stats.sent++;
    const settled = promise.then(
      () => done(),
      (e: unknown) => {
        fail(message, e);
        done();
      },
    );
    last = settled;
    lastSettled = false;
    void settled.then(() => {
      if (last === settled) lastSettled = true;
    });
    return true;
  };

  const flush = (): void => {
    waiting = false;
    while (queue.length > 0) {
      const head = queue[0];
      if (!attempt(head.message, head.done)) {
        wait();
        return;
      }
      queue.shift();
    }
  };

  /**
   * Retry once the pending write completed: when its promise settles (zeromq settles it in the
   * check phase, after which the socket is free), or at the next event-loop turn if it already
   * settled. Never a microtask loop: a retry that finds the socket busy again waits a turn.
   */
  const wait = (): void => {
    if (waiting) return;
    waiting = true;
    if (lastSettled) setImmediate(flush);
    else void last.then(flush);
  };

  const guarded = (message: unknown): Promise<void> =>
    new Promise<void>((resolve) => {
      if (queue.length === 0 && attempt(message, resolve)) return;
      stats.queued++;
      queue.push({ message, done: resolve });
      wait();
    });
  return { send: guarded, stats };
}

/**
 * `socket` with a guarded `send` (see `guardedSend`): a Proxy whose other properties and methods
 * are the socket's own (methods bound to the real socket, as zeromq's native methods require).
 */
export function guardSocket<T extends SendingSocket>(socket: T, channel: string, options: GuardOptions = {}): { socket: T; stats: SendStats } {
  const { send, stats } = guardedSend(socket, channel, options);
  const proxy = new Proxy(socket, {
    get(target, property) {
      if (property === 'send') return send;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    set(target, property, value) {
      return Reflect.set(target, property, value, target);
    },
  });
  return { socket: proxy, stats };
}
