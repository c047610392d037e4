/**
 * Who used the CPU during a benchmark: the machine's busy time (/proc/stat) against this process
 * tree's (/proc/self/stat, children counted once reaped). Their difference is what *other*
 * processes took — the honest test of an idle machine, which the load average is not when the
 * benchmark itself runs several threads. Linux only; elsewhere both return undefined.
 */
import type { ChildProcessWithoutNullStreams } from 'child_process';
import * as fs from 'fs';

/** Seconds of CPU the whole machine spent busy (all cores), from /proc/stat; undefined off Linux. */
export function machineBusySeconds(): number | undefined {
  try {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: busy = all but idle and iowait
    const [user, nice, system, , , irq, softirq, steal] = cpu;
    return (user + nice + system + irq + softirq + (steal || 0)) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Seconds of CPU this process and its reaped children used (utime + stime + cutime + cstime). */
export function ownTreeSeconds(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    // fields[0] is field 3 (state); utime is field 14 → index 11
    return (fields[11] + fields[12] + fields[13] + fields[14]) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/**
 * Tell a worker process to quit (`quit` on its stdin, then end of input) and resolve once it has
 * exited. Node emits 'exit' after libuv has reaped the child, so from then on its CPU time is in
 * this process's cutime/cstime (`ownTreeSeconds`); read before that, it is counted as another
 * process's.
 */
export function quitAndReap(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.stdin.writable) {
    child.stdin.write('quit\n');
    child.stdin.end();
  }
  return exited;
}

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS = 100;

