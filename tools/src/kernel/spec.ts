/**
 * The `genbook` kernel spec: where Jupyter looks for it, what it contains, and writing it.
 *
 * A kernel spec is a folder `kernels/<name>/kernel.json` in a Jupyter data directory; writing it
 * needs no Python (design.md fact 6). VS Code and JupyterLab find it there.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const KERNEL_NAME = 'genbook';
export const DISPLAY_NAME = 'TypeScript (genbook)';

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: 'signal' | 'message';
  env: Record<string, string>;
  metadata: Record<string, unknown>;
}

/**
 * The user's Jupyter data directory, as `jupyter --data-dir` reports it: `JUPYTER_DATA_DIR` if set;
 * Linux `$XDG_DATA_HOME/jupyter` (default ~/.local/share/jupyter); macOS ~/Library/Jupyter;
 * Windows %APPDATA%\jupyter.
 */
export function jupyterDataDir(
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  if (platform === 'darwin') return path.join(home, 'Library', 'Jupyter');
  if (platform === 'win32') {
    const appData = env.APPDATA ?? path.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, 'jupyter');
  }
  const xdg = env.XDG_DATA_HOME && env.XDG_DATA_HOME.trim() !== '' ? env.XDG_DATA_HOME : path.join(home, '.local', 'share');
  return path.join(xdg, 'jupyter');
}

/** The project root (the folder with the workspace package.json). */
export function projectRoot(): string {
  return path.resolve(__dirname, '..', '..', '..');
}

/** The kernel spec for this checkout: absolute paths to this node and this project's launcher. */
export function kernelSpec(root: string = projectRoot(), nodePath: string = process.execPath): KernelSpec {
  return {
    argv: [nodePath, path.join(root, 'tools', 'dist', 'kernel', 'launch.js'), '{connection_file}'],
    display_name: DISPLAY_NAME,
    language: 'typescript',
    interrupt_mode: 'signal',
    env: {},
    metadata: { genbook: { root } },
  };
}

/**
 * Write (or overwrite) `kernels/genbook/kernel.json` under `dataDir`. Idempotent: running it twice
 * leaves one spec with the same content. Returns the spec file's path.
 */
export function installKernelSpec(dataDir: string = jupyterDataDir(), spec: KernelSpec = kernelSpec()): string {
  const dir = path.join(dataDir, 'kernels', KERNEL_NAME);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'kernel.json');
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(spec, null, 2) + '\n');
  fs.renameSync(tmp, file);
  return file;
}
