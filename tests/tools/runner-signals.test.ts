/**
 * A runner stopped by a signal leaves no kernel behind: `genbook notebooks` on a notebook whose
 * second cell spins forever (tests/fixtures/runner/timeout.ipynb, at full CPU) is sent SIGTERM (as
 * `kill`, `timeout` or a CI limit do) or SIGHUP (a closed terminal) while that cell runs; it must
 * exit with 128 + the signal's number and every process it started must be gone. The same for the
 * book builder (`genbook book --force`) and `npm start` serving the live book (`genbook start
 * --book`), each stopped while its first kernels run the course notebooks.
 */
import { expect } from 'chai';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { until } from '../until';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'tools', 'dist', 'cli.js');
const SPINNING = path.join(ROOT, 'tests', 'fixtures', 'runner', 'timeout.ipynb');

/** pid → parent pid, and state letter, of every process (Linux /proc). */
function processTable(): Map<number, { ppid: number; state: string }> {
  const table = new Map<number, { ppid: number; state: string }>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may contain spaces and parentheses.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(entry), { ppid: Number(ppid), state });
    } catch {
      /* exited meanwhile */
    }
  }
  return table;
}

function descendants(pid: number): number[] {
  const table = processTable();
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const [p, info] of table) {
      if (info.ppid === parent) {
        found.push(p);
        walk(p);
      }
    }
  };
  walk(pid);
  return found;
}

/** Running (not exited, not a zombie waiting to be reaped). */
function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

async function killMidNotebook(signal: 'SIGTERM' | 'SIGHUP'): Promise<{ code: number | null; kernels: number[]; stillAlive: number[]; stderr: string }> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), `genbook-signal-${signal}-`));
  const runner: ChildProcess = spawn(process.execPath, [CLI, 'notebooks', '--out-dir', outDir, '--jobs', '1', SPINNING], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  runner.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  runner.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => runner.once('exit', (code) => resolve(code)));
  try {
    // Cell 1 printed and finished, so cell 2 (the endless loop) is running.
    await until('cell 1 to finish', () => /timeout\.ipynb\s+cell\s+1\s+code 1\/3\s+ok/.test(stdout), 300);
    const kernels = descendants(runner.pid!);
    expect(kernels.map(cmdline).join('\n'), 'the runner started its kernel').to.contain(path.join('tools', 'dist', 'kernel', 'launch.js'));
    runner.kill(signal);
    const code = await exited;
    const stillAlive = await until('the kernels to exit', () => {
      const left = kernels.filter(alive);
      return left.length === 0 ? [] : undefined;
    }, 15).catch(() => kernels.filter(alive));
    for (const pid of stillAlive) process.kill(pid, 'SIGKILL'); // the test fails; leave no spinning kernel
    return { code, kernels, stillAlive, stderr };
  } finally {
    if (runner.exitCode === null) runner.kill('SIGKILL');
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

/** Start `args`, wait until it runs a kernel, send `signal`; its exit code and any kernel left. */
async function killWhileKernelRuns(args: string[], signal: 'SIGTERM' | 'SIGHUP'): Promise<{ code: number | null; kernels: number[]; stillAlive: number[]; stdout: string }> {
  const child: ChildProcess = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stdout += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const isKernel = (pid: number): boolean => cmdline(pid).includes(path.join('tools', 'dist', 'kernel', 'launch.js'));
    const kernels = await until('a kernel to start', () => {
      const found = descendants(child.pid!).filter(isKernel);
      return found.length ? found : undefined;
    }, 300);
    await new Promise((r) => setTimeout(r, 1000));
    child.kill(signal);
    const code = await exited;
    const stillAlive = await until('the kernels to exit', () => (kernels.some(alive) ? undefined : []), 15).catch(() => kernels.filter(alive));
    for (const pid of stillAlive) process.kill(pid, 'SIGKILL');
    return { code, kernels, stillAlive, stdout };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('runner: stop signals stop the kernels', function () {
  this.timeout(600_000);
  const expected = { SIGTERM: 128 + os.constants.signals.SIGTERM, SIGHUP: 128 + os.constants.signals.SIGHUP };

  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} mid-notebook: the runner exits ${expected[signal]} and no kernel process is left`, async () => {
      const r = await killMidNotebook(signal);
      expect(r.kernels.length).to.be.greaterThan(0);
      expect(r.stillAlive, `kernel processes left running: ${r.stillAlive.map(cmdline).join('; ')}`).to.deep.equal([]);
      expect(r.code).to.equal(expected[signal]);
      expect(r.stderr).to.contain(`got ${signal}: stopping the kernels`);
    });
  }

  it('the book builder and npm start (live book) on SIGTERM: exit 143, no kernel left', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-signal-book-'));
    try {
      const [book, start] = await Promise.all([
        killWhileKernelRuns(['book', '--quick', '--force', '--jobs', '1', '--out-dir', path.join(dir, 'book')], 'SIGTERM'),
        killWhileKernelRuns(['start', '--book', '--port', '0', '--jobs', '1', '--build-dir', path.join(dir, 'start'), '--data-dir', path.join(dir, 'jupyter')], 'SIGTERM'),
      ]);
      for (const r of [book, start]) {
        expect(r.stillAlive, r.stdout).to.deep.equal([]);
        expect(r.code, r.stdout).to.equal(expected.SIGTERM);
      }
      expect(start.stdout, start.stdout).to.contain('got SIGTERM: stopping the server and the kernels');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
