/**
 * Where the course's files live. The library sits at `<root>/lib/dist`, so the project root is three
 * levels above this file; `GENBOOK_ROOT` overrides it (tests, or a library installed elsewhere).
 */
import * as path from 'path';

export function projectRoot(env: Record<string, string | undefined> = process.env): string {
  return env.GENBOOK_ROOT ? path.resolve(env.GENBOOK_ROOT) : path.resolve(__dirname, '..', '..');
}

/** A path under the project root: `projectPath('data', 'checkpoints')`. */
export function projectPath(...parts: string[]): string {
  return path.join(projectRoot(), ...parts);
}
