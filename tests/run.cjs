#!/usr/bin/env node
// `npm test`: every test, as two mocha processes side by side on a machine with 2 cores or more.
//
// One mocha process kept about one core busy (CI on 2026-12-06: 999 s CPU in 1061 s wall). Two
// disjoint groups of test files side by side took 847 s in the next CI run: not half, since many
// tests already keep both cores busy at times (wasm thread pools, graders, kernels). The groups:
//   1. tests/notebooks and tests/tools: the notebooks' quick runs, the kernel, the runner, the CLI.
//      They stay in one process: the notebook files share their quick runs (quick-runs.ts caches them
//      per process), and `evaluate.test.ts` and notebook 05's quick run both write
//      build/results/dcgan.json.
//   2. everything else: tests/grading (whose "stopping the grader" looks for any grader process
//      under the checkout, so no other group may run the grader), tests/lib, tests/homework, …
// Group 1's output streams as it runs; group 2's is printed when both have ended. A group that
// failed has its failures printed again at the very end, so a log cut to its tail still shows them.
//
//   npm test                           every test (two processes; GENBOOK_TEST_PROCESSES=1: one)
//   npm test -- tests/lib/x.test.ts    only these files or folders, in one mocha process
//
// .mocharc.cjs applies to both processes (its `ignore` too: the student edition's homework tests).
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

/** The project whose tests run: npm runs scripts in the package's folder. */
const ROOT = process.cwd();
const MOCHA = path.join(path.dirname(require.resolve('mocha/package.json')), 'bin', 'mocha.js');
/** Test files (relative to ROOT) of group 1; every other test file is in group 2. */
const GROUP_1 = /^tests\/(notebooks|tools)\//;

/** Every tests/**\/*.test.ts, relative and '/'-separated, sorted (mocha's order within a group). */
function testFiles(dir = 'tests') {
  return fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? testFiles(`${dir}/${e.name}`) : e.name.endsWith('.test.ts') ? [`${dir}/${e.name}`] : []))
    .sort();
}

function processCount() {
  const v = process.env.GENBOOK_TEST_PROCESSES;
  if (v === undefined || v === '') return Math.min(2, os.availableParallelism ? os.availableParallelism() : os.cpus().length);
  if (!/^[12]$/.test(v)) {
    console.error(`GENBOOK_TEST_PROCESSES must be 1 or 2; got ${JSON.stringify(v)}`);
    process.exit(2);
  }
  return Number(v);
}

const children = new Set();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    for (const c of children) c.kill(signal);
    process.exit(128 + os.constants.signals[signal]);
  });
}

/** Run mocha on `args`; resolve with its exit code and (unless streamed) its whole output. */
function mocha(args, { stream }) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MOCHA, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const chunks = [];
    for (const s of [child.stdout, child.stderr]) {
      s.on('data', (d) => {
        chunks.push(d);
        if (stream) (s === child.stdout ? process.stdout : process.stderr).write(d);
      });
    }
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code: code ?? 128 + (os.constants.signals[signal] ?? 0), output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/** The part of a mocha log from its "N failing" line on (the failures' details). */
function failures(output) {
  const i = output.search(/^ {2}\d+ failing/m);
  return i < 0 ? output.split('\n').slice(-40).join('\n') : output.slice(i);
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length > 0 || processCount() === 1) {
    const child = spawn(process.execPath, [MOCHA, ...args], { cwd: ROOT, stdio: 'inherit' });
    children.add(child);
    child.on('close', (code, signal) => process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0)));
    return;
  }
  const files = testFiles();
  const groups = [files.filter((f) => GROUP_1.test(f)), files.filter((f) => !GROUP_1.test(f))];
  const names = ['tests/notebooks, tests/tools', 'the other tests'];
  console.log(`npm test: ${files.length} test files in 2 mocha processes side by side: ${groups.map((g, i) => `${i + 1}. ${names[i]} (${g.length} files)`).join('; ')}. Group 1 streams below; group 2's log follows when both end.`);
  const start = Date.now();
  const ended = [];
  const runs = groups.map((g, i) =>
    mocha(g, { stream: i === 0 }).then((r) => {
      ended[i] = (Date.now() - start) / 1000;
      return r;
    }),
  );
  const results = await Promise.all(runs);
  console.log(`\n=== npm test, group 2 (${names[1]}): its log\n`);
  process.stdout.write(results[1].output);
  const failed = results.map((r, i) => (r.code === 0 ? -1 : i)).filter((i) => i >= 0);
  const summary = results.map((r, i) => `group ${i + 1} (${names[i]}) ${r.code === 0 ? 'passed' : `FAILED (exit ${r.code})`} in ${ended[i].toFixed(0)} s`).join('; ');
  for (const i of failed) console.log(`\n=== npm test, group ${i + 1} (${names[i]}) failed: its failures again\n\n${failures(results[i].output)}`);
  console.log(`\n=== npm test: ${summary}; ${((Date.now() - start) / 1000).toFixed(0)} s wall (load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  process.exit(failed.length ? 1 : 0);
}

main();
