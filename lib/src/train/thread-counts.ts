/**
 * The threads a long training ran on, across its resumes: meta.json's `threadCounts` lists each
 * count with the step (or iteration) it started at, as `learningRates` lists the rates, so a
 * training's seconds per step can be read against the threads that produced them (a run resumed on
 * more cores than it started on is no longer described by one `threads` field, which keeps the
 * last count).
 *
 * Used by `gan.makeMnistGanCheckpoint` and `tools/scripts/train-diffusion.ts`.
 */

/** `threads` (null: a backend without a thread pool) from step `fromStep` on. */
export interface ThreadCountStep {
  fromStep: number;
  threads: number | null;
}

/**
 * The list to save for a training that runs on `threads` from `step` on. `saved`: the meta.json of
 * the training it resumes (undefined for a new one); one saved before this list existed counts as
 * having run on its `threads` from step 0 (null when it recorded none).
 */
export function planThreadCounts(saved: Readonly<Record<string, unknown>> | undefined, step: number, threads: number | null): ThreadCountStep[] {
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`step must be an integer >= 0; got ${step}`);
  if (threads !== null && !(Number.isInteger(threads) && threads >= 1)) throw new RangeError(`threads must be a positive integer or null; got ${threads}`);
  if (!saved) return [{ fromStep: step, threads }];
  const before: ThreadCountStep[] = Array.isArray(saved.threadCounts)
    ? (saved.threadCounts as ThreadCountStep[])
    : [{ fromStep: 0, threads: typeof saved.threads === 'number' ? saved.threads : null }];
  const last = before.at(-1);
  if (last && step < last.fromStep) throw new RangeError(`step ${step} is before the last saved thread count's (from step ${last.fromStep})`);
  if (last && last.threads === threads) return [...before];
  // a resume that ran no step before this one changed the count again: this count replaces it
  const kept = last && last.fromStep === step ? before.slice(0, -1) : before;
  return kept.at(-1)?.threads === threads ? [...kept] : [...kept, { fromStep: step, threads }];
}
