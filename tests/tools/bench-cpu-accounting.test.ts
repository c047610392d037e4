import { expect } from 'chai';
import { execFileSync } from 'child_process';
import { machineBusySeconds, ownTreeSeconds } from '../../bench/cpu-accounting';

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
