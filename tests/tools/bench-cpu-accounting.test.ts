import { expect } from 'chai';
import { execFileSync, spawn } from 'child_process';
import { machineBusySeconds, ownTreeSeconds, quitAndReap } from '../../bench/cpu-accounting';

/** Busy-wait until this process has used `ms` more milliseconds of CPU (not wall time: the machine may be busy). */
const SPIN = 'function spin(ms) { const c = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }; const end = c() + ms; let x = 0; while (c() < end) x += Math.sqrt(x + 1); return x; }';
const spin = new Function(`${SPIN}; return spin;`)() as (ms: number) => number;

describe('bench CPU accounting (the headline-run test)', () => {
  it('counts this process’s own CPU and a reaped child’s, and the machine’s busy time covers both', () => {
    const machine0 = machineBusySeconds()!;
    const own0 = ownTreeSeconds()!;
    spin(400);
    // a child that burns 0.4 s of CPU, reaped before we read again
    execFileSync(process.execPath, ['-e', `${SPIN}; spin(400);`]);
    const own = ownTreeSeconds()! - own0;
    const machine = machineBusySeconds()! - machine0;
    // 0.4 s spun here + 0.4 s in the child (+ its start-up), at 10 ms resolution
    expect(own).to.be.within(0.7, 2.5);
    expect(machine).to.be.at.least(own - 0.05);
  });
});

describe('bench workers: quitAndReap', () => {
  it('resolves once the worker has exited, with its CPU time already in our tree (not counted as another process)', async () => {
    // a worker that burns 0.4 s of CPU, says so, and exits only when told `quit`
    const child = spawn(process.execPath, ['-e', `${SPIN}; spin(400); console.log('ready'); require('readline').createInterface({ input: process.stdin }).on('line', (l) => { if (l === 'quit') process.exit(0); });`], { stdio: 'pipe' });
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
    const own0 = ownTreeSeconds()!;
    await quitAndReap(child);
    expect(child.exitCode).to.equal(0);
    // the worker's 0.4 s (and its start-up) arrive in cutime at the reap, at 10 ms resolution
    expect(ownTreeSeconds()! - own0).to.be.within(0.35, 2.5);
    // a second call on an exited worker resolves at once
    await quitAndReap(child);
  });
});
