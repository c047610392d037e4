/**
 * A training loop that every course model can share: it runs `step(i)` for `steps` steps, keeps the
 * loss history, reports progress (step, losses, elapsed, ETA) through a callback that a notebook
 * wires to `viz` progress bars, and checks the tfjs memory discipline: after warm-up the tensor
 * count must not grow (a leak fails loudly instead of slowing the machine to a halt). It gives the
 * event loop a turn every `YIELD_EVERY_MS`, so a signal stops a long training within about a step.
 */
import * as tf from '@tensorflow/tfjs';
import { yieldToEventLoop } from '../util/event-loop';

export type Losses = Record<string, number>;

export interface Progress {
  step: number;
  steps: number;
  losses: Losses;
  elapsedSeconds: number;
  etaSeconds: number;
}

export interface LoopOptions {
  steps: number;
  /** One optimisation step; returns the step's losses as plain numbers. */
  step: (index: number) => Losses | Promise<Losses>;
  /** Called every `reportEvery` steps and after the last one. */
  onProgress?: (progress: Progress) => void;
  reportEvery?: number;
  /** Fail when the tensor count grows by more than this across the loop (after the first step). Default 0; `false` disables. */
  leakTolerance?: number | false;
}

export interface LoopResult {
  history: Losses[];
  seconds: number;
}

/** The longest a training loop runs without giving the event loop a turn (signals, I/O, timers). */
export const YIELD_EVERY_MS = 100;

export async function trainLoop(options: LoopOptions): Promise<LoopResult> {
  const { steps, step, onProgress, reportEvery = Math.max(1, Math.floor(steps / 100)), leakTolerance = 0 } = options;
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`trainLoop: steps must be a non-negative integer; got ${steps}`);
  const history: Losses[] = [];
  const start = performance.now();
  let baseline = -1;
  let lastYield = start;
  for (let i = 0; i < steps; i++) {
    const losses = await step(i);
    history.push(losses);
    // Give the event loop a turn at least every YIELD_EVERY_MS: a step's awaits are microtasks, so
    // without it SIGTERM and SIGINT handlers (tsx installs one in every script it runs) would wait
    // for the whole training, and `kill`, `timeout` or Ctrl+C would not stop it.
    if (performance.now() - lastYield >= YIELD_EVERY_MS) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
    if (i === 0) baseline = tf.memory().numTensors;
    const done = i + 1;
    if (onProgress && (done % reportEvery === 0 || done === steps)) {
      const elapsedSeconds = (performance.now() - start) / 1000;
      onProgress({ step: done, steps, losses, elapsedSeconds, etaSeconds: (elapsedSeconds / done) * (steps - done) });
    }
  }
  if (leakTolerance !== false && steps > 1) {
    const grown = tf.memory().numTensors - baseline;
    if (grown > leakTolerance) {
      throw new Error(`trainLoop: the tensor count grew by ${grown} over ${steps - 1} steps: a step leaks tensors (wrap it in tf.tidy or dispose)`);
    }
  }
  return { history, seconds: (performance.now() - start) / 1000 };
}
