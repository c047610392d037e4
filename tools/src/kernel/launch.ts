#!/usr/bin/env node
/**
 * The `genbook` kernel's entry point: Jupyter starts `node launch.js <connection_file>`.
 *
 * It runs this project's own pinned tslab (1.0.22; never a globally installed one) in the
 * notebook's folder, which Jupyter makes the working directory, keeping everything tslab does
 * (TypeScript checking, top-level await, completion, inspection, interrupts) and adding rich
 * display (display.ts): a cell's last value with `[Symbol.for("Jupyter.display")]` or a registered
 * formatter is sent as one `execute_result` carrying its whole MIME bundle; `display(value)` is
 * available in every cell, with updates by display id; other values print as tslab prints them.
 * The hooks into tslab's internals are all in tslab-internals.ts.
 */
import * as path from 'path';
import { startTslabKernel, installedTslabVersion, TSLAB_VERSION, type RunningKernel } from './tslab-internals';
import { createDisplay, GLOBAL_DECLARATIONS } from './display';

function main(argv: string[]): void {
  const configPath = argv[2];
  if (!configPath) {
    console.error('usage: node launch.js <connection_file>');
    process.exit(2);
  }
  const version = installedTslabVersion();
  if (version !== TSLAB_VERSION) {
    // The kernel's stderr goes to the Jupyter server's log, not to a notebook.
    console.error(`genbook kernel: written for tslab ${TSLAB_VERSION}, found ${version}; rich display may break (see tslab-internals.ts)`);
  }
  // The last-value hook needs the display machinery, which needs the running kernel.
  let display: ReturnType<typeof createDisplay> | undefined;
  const kernel: RunningKernel = startTslabKernel(path.resolve(configPath), {
    globalDeclarations: GLOBAL_DECLARATIONS,
    onLastValue: (value, printPlain) => (display ? display.onLastValue(value, printPlain) : printPlain(value)),
  });
  display = createDisplay(kernel);
  display.install();
}

main(process.argv);
