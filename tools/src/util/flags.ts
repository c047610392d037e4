/**
 * A small flag parser for the genbook CLI and tools/scripts: `--name value`, `--name=value`,
 * `--switch`, positionals; with `{ assignments: true }` also `name=value` (the key=value style of
 * the experiment scripts, e.g. `sr-unet-experiment.ts steps=600 n=100`). Unknown names and values
 * that are not numbers where numbers are expected throw a UsageError that says so.
 */

export type FlagKind = 'string' | 'boolean' | 'number';
export type Flags = Record<string, string | boolean | number | string[] | undefined> & { _: string[] };

export class UsageError extends Error {}

export interface ParseOptions {
  /** Read `name=value` (no dashes) as `--name=value`. Default false: such an argument is a positional. */
  assignments?: boolean;
}

export function parseFlags(args: readonly string[], spec: Record<string, FlagKind>, options: ParseOptions = {}): Flags {
  const out: Flags = { _: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = options.assignments && /^[A-Za-z][\w-]*=/.test(args[i]) ? `--${args[i]}` : args[i];
    if (!arg.startsWith('--')) {
      out._.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const kind = spec[name];
    if (!kind) {
      const known = Object.keys(spec).map((k) => `--${k}`).join(', ') || 'none';
      throw new UsageError(`unknown option --${name} (options: ${known})`);
    }
    if (kind === 'boolean') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      out[name] = true;
      continue;
    }
    let value: string | undefined = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (kind === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number; got ${JSON.stringify(value)}`);
      out[name] = n;
    } else {
      out[name] = value;
    }
    value = undefined;
  }
  return out;
}
