/**
 * Average checkpoints of one network into a new checkpoint folder (a longer EMA after the fact:
 * `train.averageVariables`; Izmailov et al. 2018, eq. 2; Karras et al. 2024, §3.1):
 *
 *   npx tsx tools/scripts/average-checkpoints.ts --out build/avg/ddpm-mnist-uncond \
 *       build/grow/ddpm-mnist-uncond/snapshots/step-0{70000,72000,74000}
 *   npx tsx tools/scripts/average-checkpoints.ts --out DIR --from 70000 --to 78000 build/grow/ddpm-mnist-uncond/snapshots
 *
 * Each input is a checkpoint folder (model.json, weights.bin, meta.json with `steps`), e.g. the
 * EMA snapshots `train-diffusion.ts --snapshots` keeps; a folder of such folders takes all of them
 * (or those with `--from` ≤ steps ≤ `--to`). The output holds the mean of their weights (saved in
 * the first one's order) and the meta data of the latest, with `weights` saying what was averaged
 * and `averageOf` listing the steps; its `steps` is the latest's. Then measure it like any training:
 * `npm run evaluate -- ddpm-ddim50 --checkpoints build/avg`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf, train } from 'genbook';
import { parseFlags, UsageError } from '../src/util/flags';

/** The checkpoint folders named by `inputs`: each one itself, or the checkpoint folders inside it. */
function checkpointFolders(inputs: string[]): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new UsageError(`no such folder: ${input}`);
    if (train.hasCheckpoint(input)) {
      out.push(input);
      continue;
    }
    const inside = fs.readdirSync(input).map((n) => path.join(input, n)).filter((d) => train.hasCheckpoint(d));
    if (inside.length === 0) throw new UsageError(`${input} is not a checkpoint folder (model.json and weights.bin) and holds none`);
    out.push(...inside);
  }
  return out;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), { out: 'string', from: 'number', to: 'number' });
  const usage = 'usage: npx tsx tools/scripts/average-checkpoints.ts --out DIR [--from S] [--to S] <checkpoint folder or folder of them>…';
  const out = flags.out as string | undefined;
  if (!out || flags._.length === 0) throw new UsageError(usage);
  const from = (flags.from as number | undefined) ?? -Infinity;
  const to = (flags.to as number | undefined) ?? Infinity;
  const found = checkpointFolders(flags._).map((dir) => {
    const steps = train.readMeta(dir)?.steps;
    if (typeof steps !== 'number') throw new UsageError(`${dir}/meta.json says no steps: the average needs to know each checkpoint's step`);
    return { dir, steps };
  });
  const chosen = found.filter((c) => c.steps >= from && c.steps <= to).sort((a, b) => a.steps - b.steps);
  if (chosen.length < 2) throw new UsageError(`${chosen.length} checkpoint(s) between steps ${from} and ${to}; an average needs at least 2 (found steps ${found.map((c) => c.steps).join(', ')})`);
  if (new Set(chosen.map((c) => c.steps)).size !== chosen.length) throw new UsageError(`two checkpoints have the same step: ${chosen.map((c) => `${c.dir} (${c.steps})`).join(', ')}`);
  const resolvedOut = path.resolve(out);
  if (chosen.some((c) => path.resolve(c.dir) === resolvedOut)) throw new UsageError(`--out ${out} is one of the inputs; write the average to a folder of its own`);

  const sets = chosen.map((c) => train.loadVariables(c.dir));
  const mean = train.averageVariables(sets);
  const latest = chosen[chosen.length - 1];
  const meta = train.readMeta(latest.dir)!;
  await train.saveVariables(mean, out, {
    ...meta,
    weights: `mean of ${chosen.length} checkpoints (${meta.weights ?? 'weights'}) at steps ${chosen[0].steps}–${latest.steps}`,
    averageOf: chosen.map((c) => c.steps),
    averagedWith: `npx tsx tools/scripts/average-checkpoints.ts ${process.argv.slice(2).join(' ')}`,
  });
  sets.forEach((s) => tf.dispose(Object.values(s)));
  tf.dispose(Object.values(mean));
  console.log(`${out}: the mean of ${chosen.length} checkpoints, steps ${chosen.map((c) => c.steps).join(', ')}`);
}

main().catch((e) => {
  console.error(e instanceof UsageError ? e.message : e);
  process.exit(e instanceof UsageError ? 2 : 1);
});
