/** A small flag parser for the genbook CLI: `--name value`, `--name=value`, `--switch`, positionals. */

export type FlagKind = 'string' | 'boolean' | 'number';
export type Flags = Record<string, string | boolean | number | string[] | undefined> & { _: string[] };

export class UsageError extends Error {}

export function parseFlags(args: readonly string[], spec: Record<string, FlagKind>): Flags {
  const out: Flags = { _: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
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
