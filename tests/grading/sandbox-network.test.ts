/**
 * The network through the real grader: `genbook check hw02` on a correct hw02.ts whose
 * `trainAutoencoder` first tries to open a TCP connection to a listener on 127.0.0.1 in this
 * process and waits for the outcome. The submission throws if the attempt never settles, so full
 * marks prove the attempt ran. On Node ≥ 25 the permission model denies it (nothing arrives); on
 * Node 22 and 24 it is not blocked, which is what the README and the grader's note say, and this
 * test checks that too, so the day the note becomes false it fails. `.ci/run` runs it on 22, 24, 26.
 */
import { expect } from 'chai';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { networkBlockedByPermissionModel } from '../../tools/src/grading/node-flags';
import { osSandboxStatus } from '../../tools/src/grading/os-sandbox';

const ROOT = path.resolve(__dirname, '..', '..');

for (const layers of ['permission model only', 'every layer available here'] as const) {
describe(`a submission that connects to 127.0.0.1, graded on this Node (${process.version}), ${layers}`, function () {
  // The permission model alone (GENBOOK_OS_SANDBOX=off), then with bubblewrap where it works.
  const env = layers === 'permission model only' ? { ...process.env, GENBOOK_OS_SANDBOX: 'off' } : process.env;
  const blocked = networkBlockedByPermissionModel() || (layers !== 'permission model only' && osSandboxStatus().available);
  this.timeout(300_000);
  let dir: string;
  let connections = 0;
  let received = '';
  let output = '';
  let status: number | null = null;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-net-'));
    const server = net.createServer((socket) => {
      connections++;
      socket.setEncoding('utf8').on('data', (s: string) => (received += s));
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const solution = fs.readFileSync(path.join(ROOT, 'solutions', 'hw02.ts'), 'utf8');
    const honest = 'export async function trainAutoencoder(';
    expect(solution).to.contain(honest);
    const attempt = [
      '',
      "import * as net from 'net';",
      '/** Opened at load time; trainAutoencoder waits for the outcome before it trains. */',
      'const attempt: Promise<string> = new Promise((resolve) => {',
      `  const socket = net.connect(${port}, '127.0.0.1');`,
      "  socket.on('connect', () => { socket.end('hello from the sandbox'); resolve('connected'); });",
      "  socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));",
      "  setTimeout(() => resolve('never settled'), 10_000);",
      '});',
      'export async function trainAutoencoder(...args: Parameters<typeof trainHonestly>): Promise<Autoencoder> {',
      '  const outcome = await attempt;',
      "  if (outcome === 'never settled') throw new Error('the connection attempt never settled');",
      '  return trainHonestly(...args);',
      '}',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'hw02.ts'), solution.replace(honest, 'async function trainHonestly(') + attempt);
    const child = spawn(process.execPath, [path.join(ROOT, 'tools', 'dist', 'cli.js'), 'check', 'hw02', '--target', dir], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
    status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 300)); // a connection queued while the check ran is accepted now
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is graded as usual: the score table with full marks', () => {
    expect(status, output).to.equal(0);
    const total = /hw02: (\d+) \/ (\d+) points on the public tests/.exec(output);
    expect(total, output).not.to.equal(null);
    expect(Number(total?.[1])).to.equal(Number(total?.[2]));
  });

  if (blocked) {
    it('reaches nothing: the listener sees no connection (Node ≥ 25, or bubblewrap)', () => {
      expect(connections).to.equal(0);
      expect(received).to.equal('');
    });
  } else {
    it('does reach the listener: the permission model does not block the network before Node 25 (as the README says)', () => {
      expect(connections).to.equal(1);
      expect(received).to.equal('hello from the sandbox');
    });
  }
});
}
