/**
 * Debian's `jupyter nbconvert --execute` (nbclient) as the tests' real Jupyter peer, started again
 * when the kernel could not bind the ports jupyter_client chose for it.
 *
 * jupyter_client picks "free" ports by binding port 0 and closing the socket; the kernel binds them
 * moments later. Another process can take one in between: a kernel started by a parallel nbconvert
 * (runner-nbclient.test.ts starts several at once), or any outgoing TCP connection given that
 * ephemeral port (CI runs the Node 22 and Node 24 checkouts side by side). The genbook kernel then
 * writes "could not bind its sockets (Address already in use)" and exits
 * (tools/src/kernel/tslab-internals.ts), and nbclient gives up: "Kernel died before replying to
 * kernel_info" (a CI run on 2026-12-07, Node 22). genbook's own runner starts such a kernel again
 * on new ports (tools/src/runner/kernel-manager.ts, up to 3 attempts); this does the same for
 * nbconvert, on the runner's own test of the kernel's stderr (`PORT_TAKEN`: EADDRINUSE or "Address
 * already in use", libzmq's words, whichever kernel wrote them) — any other failure is thrown at once.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import { PORT_TAKEN } from '../../tools/src/runner/kernel-manager';

/** nbconvert is started at most this many times. */
export const ATTEMPTS = 3;

interface Options {
  cwd?: string;
  env: NodeJS.ProcessEnv;
}

function portTaken(e: unknown): boolean {
  const stderr = (e as { stderr?: Buffer | string }).stderr;
  return stderr !== undefined && PORT_TAKEN.test(String(stderr));
}

/** `jupyter <args>` (an nbconvert run), again on a port race; returns its stdout. Parallel runs each retry on their own. */
export async function jupyter(args: readonly string[], options: Options, command = 'jupyter'): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await promisify(execFile)(command, args, options)).stdout;
    } catch (e) {
      if (attempt >= ATTEMPTS || !portTaken(e)) throw e;
    }
  }
}
