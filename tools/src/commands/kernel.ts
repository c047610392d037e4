/** `genbook kernel [--data-dir DIR]`: register the `genbook` Jupyter kernel for this checkout. */
import { installKernelSpec, jupyterDataDir, DISPLAY_NAME } from '../kernel/spec';
import { parseFlags } from '../util/flags';

export function kernelCommand(args: string[]): number {
  const flags = parseFlags(args, { 'data-dir': 'string' });
  const dataDir = (flags['data-dir'] as string | undefined) ?? jupyterDataDir();
  const file = installKernelSpec(dataDir);
  console.log(`registered kernel "${DISPLAY_NAME}" (name: genbook) at ${file}`);
  return 0;
}
