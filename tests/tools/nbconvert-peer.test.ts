/**
 * nbconvert-peer.ts starts the tests' nbconvert again only when the genbook kernel lost its ports to
 * another process. A stand-in command (a shell script counting its runs in a file) fails the way
 * the kernel does, or another way, so each rule is seen to hold.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ATTEMPTS, jupyter } from './nbconvert-peer';

const PORT_LINE = 'genbook kernel: could not bind its sockets (Address already in use); the kernel exits';

/** A script that fails with `message` on its first `failures` runs, then prints "done". */
function standIn(dir: string, failures: number, message: string): { command: string; runs: () => number } {
  const count = path.join(dir, 'runs');
  const command = path.join(dir, 'stand-in.sh');
  fs.writeFileSync(
    command,
    `#!/bin/sh\nn=$(cat ${count} 2>/dev/null || echo 0); n=$((n + 1)); echo $n > ${count}\n` +
      `if [ $n -le ${failures} ]; then echo '${message}' >&2; echo 'RuntimeError: Kernel died before replying to kernel_info' >&2; exit 1; fi\necho done\n`,
  );
  fs.chmodSync(command, 0o755);
  return { command, runs: () => Number(fs.readFileSync(count, 'utf8')) };
}

describe('nbconvert as a test peer (tests/tools/nbconvert-peer.ts)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-nbconvert-peer-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (command: string): Promise<string> => jupyter(['nbconvert'], { env: process.env }, command);
  it('starts again after the kernel lost its ports, and returns the run that worked', async () => {
    const s = standIn(dir, ATTEMPTS - 1, PORT_LINE);
    expect((await run(s.command)).trim()).to.equal('done');
    expect(s.runs()).to.equal(ATTEMPTS);
  });

  it(`gives up after ${ATTEMPTS} runs when the ports are taken every time`, async () => {
    const s = standIn(dir, ATTEMPTS + 5, PORT_LINE);
    const error = await run(s.command).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.match(/Command failed/);
    expect(s.runs()).to.equal(ATTEMPTS);
  });

  it('any other failure is thrown at once', async () => {
    const s = standIn(dir, 1, 'genbook kernel: something else went wrong (EADDRNOTAVAIL)');
    const error = await run(s.command).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.match(/Command failed/);
    expect(s.runs()).to.equal(1);
  });
});
