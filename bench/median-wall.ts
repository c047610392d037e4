/**
 * The benchmarks' timer: the median wall-clock ms of `runs` calls of `f` after `warmup` calls, each
 * call's tensors disposed. Wall time, not CPU time: a threaded kernel's workers would count in CPU
 * time, and what a user waits for is the wall clock (README, "The benchmark").
 */
import { tf } from 'genbook';

export function medianWallMs(f: () => tf.Tensor | tf.Tensor[], warmup: number, runs: number): number {
  for (let i = 0; i < warmup; i++) tf.dispose(f());
  const wall: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    tf.dispose(f());
    wall.push(performance.now() - start);
  }
  return wall.sort((a, b) => a - b)[Math.floor(runs / 2)];
}
