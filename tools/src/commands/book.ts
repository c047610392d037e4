/**
 * `genbook book [--quick] [--force] [--jobs N] [--timeout S] [--out-dir DIR] [--serve] [--port P]`
 * (`npm run book`): run the notebooks whose executed copies are stale, render the static book under
 * build/book/, and with --serve keep serving it on localhost. Exit code 1 if a notebook failed (its
 * page still shows what ran, with the failure on top).
 */
import * as path from 'path';
import { buildBook } from '../book/build';
import { serveBook } from '../book/serve';
import { projectRoot } from '../kernel/spec';
import { parseFlags, UsageError } from '../util/flags';
import { waitForStopSignal } from '../util/signals';

export async function bookCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, { quick: 'boolean', force: 'boolean', jobs: 'number', timeout: 'number', 'out-dir': 'string', serve: 'boolean', port: 'number' });
  if (flags._.length) throw new UsageError('takes no paths: the book is every notebook in notebooks/');
  const jobs = flags.jobs as number | undefined;
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs must be a positive integer; got ${jobs}`);
  const timeout = flags.timeout as number | undefined;
  if (timeout !== undefined && !(timeout > 0)) throw new UsageError(`--timeout must be a positive number of seconds; got ${timeout}`);
  const root = projectRoot();
  const quick = flags.quick === true || process.env.GENBOOK_QUICK === '1';
  console.log(`building the book (${quick ? 'quick' : 'full'} mode for notebooks that need running)`);
  const result = await buildBook({
    root,
    quick,
    force: flags.force === true,
    jobs,
    timeoutSeconds: timeout,
    outDir: flags['out-dir'] === undefined ? undefined : path.resolve(flags['out-dir'] as string),
    log: (line) => console.log(line),
    onCell: (file, r) => {
      if (r.status !== 'skipped') console.log(`  ${path.basename(file)} cell ${r.index + 1}: ${r.status} ${r.seconds.toFixed(1)} s`);
    },
  });
  for (const f of result.failures) console.error(`did not run to the end: ${f}`);
  console.log(`open ${result.index}`);
  if (flags.serve) {
    const server = await serveBook(result.outDir, (flags.port as number | undefined) ?? 8765);
    console.log(`serving the book at ${server.url} (Ctrl+C to stop)`);
    await waitForStopSignal();
    await server.close();
  }
  return result.failures.length ? 1 : 0;
}

/** `genbook serve-book [--port P] [--dir DIR]`: serve an already built book on localhost. */
export async function serveBookCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, { port: 'number', dir: 'string' });
  const dir = flags.dir === undefined ? path.join(projectRoot(), 'build', 'book') : path.resolve(flags.dir as string);
  const fs = await import('fs');
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    console.error(`no book in ${dir}: run \`npm run book\` first`);
    return 1;
  }
  const server = await serveBook(dir, (flags.port as number | undefined) ?? 8765);
  console.log(`serving ${dir} at ${server.url} (Ctrl+C to stop)`);
  await waitForStopSignal();
  await server.close();
  return 0;
}
