#!/usr/bin/env node
/**
 * The `genbook` kernel's entry point: Jupyter starts `node launch.js <connection_file>`.
 *
 * It starts this project's own pinned tslab (never a globally installed one: enableFindLocal is
 * off) in the notebook's folder, which Jupyter makes the working directory.
 */
import * as path from 'path';

interface TslabMain {
  startKernel(options: { configPath: string; enableFindLocal?: boolean; jsKernel?: boolean; globalVersion?: string }): void;
}

function main(argv: string[]): void {
  const configPath = argv[2];
  if (!configPath) {
    console.error('usage: node launch.js <connection_file>');
    process.exit(2);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tslab = require('tslab/dist/main') as TslabMain;
  tslab.startKernel({ configPath: path.resolve(configPath), enableFindLocal: false });
}

main(process.argv);
