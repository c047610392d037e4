#!/usr/bin/env node
/**
 * The genbook command line: `genbook <command> [options]` (also reached through `npm run <command>`).
 * Each command lives in its own file under commands/.
 */
import { kernelCommand } from './commands/kernel';
import { startCommand } from './commands/start';
import { notebooksCommand } from './commands/notebooks';
import { bookCommand, serveBookCommand } from './commands/book';
import { trainCommand } from './commands/train';
import { evaluateCommand } from './commands/evaluate';
import { checkCommand } from './commands/check';
import { gradeCommand } from './commands/grade';
import { validateCommand } from './commands/validate';
import { releaseCommand } from './commands/release';
import { autograderCommand } from './commands/autograder';
import { UsageError } from './util/flags';

type Command = { run: (args: string[]) => number | Promise<number>; help: string };

const commands: Record<string, Command> = {
  start: { run: startCommand, help: 'register the kernel and open the course in Jupyter' },
  kernel: { run: kernelCommand, help: 'register the "TypeScript (genbook)" Jupyter kernel' },
  notebooks: { run: (a) => notebooksCommand(a), help: 'execute notebooks headless into build/notebooks/ ([paths…] [--inplace] [--timeout S] [--jobs N] [--quick])' },
  book: { run: bookCommand, help: 'render the executed notebooks as a static site in build/book/ ([--quick] [--force] [--jobs N] [--serve] [--port P])' },
  'serve-book': { run: serveBookCommand, help: 'serve build/book/ on localhost ([--port P])' },
  train: { run: trainCommand, help: 'train a shipped course model into data/checkpoints/<name>/ (<name> [--seed N] [--quick]; --help lists the models)' },
  evaluate: { run: evaluateCommand, help: 'measure a shipped generative checkpoint: MNIST-FID, MNIST-IS, s/sample → data/results/ (<model> [--count N] [--seed S] [--json] [--grid]; --help lists the models)' },
  check: { run: checkCommand, help: 'self-check a homework week: its public tests on notebooks/homework/hwNN.ts (hwNN [--target DIR])' },
  grade: { run: gradeCommand, help: 'grade a class in the sandbox (--submissions DIR --out DIR [--hidden] [--jobs N] [--timeout S] [--roster FILE --lms canvas|moodle])' },
  validate: { run: validateCommand, help: 'check the homework: solutions 100%, stubs 0, no drift, notebooks run ([--update-stubs])' },
  release: { run: releaseCommand, help: 'write the student edition: no solutions or hidden tests (--out DIR [--force])' },
  autograder: { run: autograderCommand, help: 'build a Gradescope autograder zip for one week (gradescope --week hwNN --out FILE.zip)' },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return ['usage: genbook <command> [options]', '', ...Object.entries(commands).map(([n, c]) => `  ${n.padEnd(width)}  ${c.help}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`genbook: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`genbook ${name}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exitCode = 1;
  },
);
