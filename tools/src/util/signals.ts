/**
 * The signals that ask a genbook command to stop: Ctrl+C (SIGINT), `kill`/`timeout`/a CI limit
 * (SIGTERM) and a closed terminal (SIGHUP). Every command that starts kernels treats the three
 * alike: it stops its kernels and exits with 128 + the signal's number, as a shell reports a
 * process killed by that signal.
 */
import * as os from 'os';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** 128 + the signal's number: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP. */
export function signalExitCode(signal: StopSignal): number {
  return 128 + os.constants.signals[signal];
}

/**
 * Call `handler` on the first of the stop signals; a second stop signal exits at once (128 + its
 * number), for a user who presses Ctrl+C again. Returns a function that removes the listeners.
 * While they are installed Node does not die on these signals by itself, and the kernel manager
 * leaves the signal to them: `handler` must end the process or make it end.
 */
export function onStopSignal(handler: (signal: StopSignal) => void): () => void {
  let fired = false;
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = (): void => {
      if (fired) process.exit(signalExitCode(signal));
      fired = true;
      handler(signal);
    };
    process.on(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) process.removeListener(signal, listener);
  };
}

/**
 * Resolve with the first stop signal that arrives. The listeners stay installed (a second signal
 * exits at once): removing them inside the signal's dispatch would let the kernel manager's own
 * listener, called next, see nobody handling it and exit before the caller has cleaned up.
 */
export function waitForStopSignal(): Promise<StopSignal> {
  return new Promise((resolve) => {
    onStopSignal(resolve);
  });
}
