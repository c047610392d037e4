/**
 * Issue 16, the OS layer: a small node script run under `osSandbox()`'s bubblewrap prefix (with
 * Node's permission flags as `nodeArguments` builds them, and without) tries what the red-team
 * report did from a submission — connect to a 127.0.0.1 TCP listener, a UNIX socket and an
 * abstract UNIX socket the test opens, `process.report.filename = …; writeReport()` to a folder outside scratch
 * and into a read-only project folder, read `solutions/` — and must fail at each, while it can
 * still load the library and write its scratch. The listeners count connections on the host side
 * and the files are looked for on the host, so a success inside cannot go unseen. A control run
 * without the prefix shows the same script does reach the listener (Node's permission model alone
 * does not restrict the network before Node 25).
 *
 * system-deps.sh installs bubblewrap on Linux, so on Linux the layer must be available.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { describeOsLayer, descendantPids, osSandbox, osSandboxStatus } from '../../tools/src/grading/os-sandbox';
import { nodeArguments } from '../../tools/src/grading/sandbox';
import { until } from '../until';
import * as A from './attack-fixtures';

const ROOT = A.ROOT;
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

interface Probe {
  tcp: string;
  unix: string;
  abstract: string;
  reportOutside: string;
  reportReadOnly: string;
  solutions: string;
  genbook: string;
  scratch: string;
  fd3: string;
}

/** The script run inside: each field says what happened ('connected', 'read', or an error code). */
function probeScript(p: { port: number; sock: string; abstractName: string; outside: string; readOnly: string }): string {
  return `
const net = require('net'), fs = require('fs');
const attempt = (opts) => new Promise((resolve) => {
  const s = net.connect(opts);
  const t = setTimeout(() => { s.destroy(); resolve('timeout'); }, 3000);
  s.on('connect', () => { clearTimeout(t); s.destroy(); resolve('connected'); });
  s.on('error', (e) => { clearTimeout(t); resolve(e.code || String(e)); });
});
const attemptSync = (f) => { try { return String(f()); } catch (e) { return e.code || String(e); } };
(async () => {
  const out = {};
  out.tcp = await attempt({ host: '127.0.0.1', port: ${p.port} });
  out.unix = await attempt({ path: ${JSON.stringify(p.sock)} });
  out.abstract = await attempt({ path: '\\0' + ${JSON.stringify(p.abstractName)} });
  // writeReport(path) is checked by the permission model (Node 20.20); the filename property is not.
  out.reportOutside = attemptSync(() => { process.report.filename = ${JSON.stringify(p.outside)}; return process.report.writeReport(); });
  out.reportReadOnly = attemptSync(() => { process.report.filename = ${JSON.stringify(p.readOnly)}; return process.report.writeReport(); });
  process.report.filename = '';
  out.solutions = attemptSync(() => fs.readFileSync(${JSON.stringify(path.join(ROOT, 'solutions', 'hw01.ts'))}, 'utf8').length > 0 ? 'read' : 'empty');
  out.genbook = attemptSync(() => typeof require(${JSON.stringify(path.join(ROOT, 'lib', 'dist', 'index.js'))}).tf);
  out.scratch = attemptSync(() => { fs.writeFileSync('scratch-ok.txt', 'ok'); return fs.readFileSync('scratch-ok.txt', 'utf8'); });
  out.fd3 = attemptSync(() => fs.writeSync(3, 'fd3-ok\\n'));
  process.stdout.write(JSON.stringify(out), () => process.exit(0));
})();
`;
}

describe('issue 16: the OS-level sandbox (bubblewrap)', function () {
  this.timeout(120_000);
  if (process.platform !== 'linux') {
    it('is not available off Linux, and says why', () => {
      const status = osSandboxStatus();
      expect(status.available).to.equal(false);
      expect(osSandbox({ root: ROOT, scratchDir: os.tmpdir() })).to.equal(undefined);
    });
    return;
  }

  let base: string;
  let scratch: string;
  let outside: string;
  let readOnly: string;
  let tcp: net.Server;
  let unix: net.Server;
  let abstract: net.Server;
  const connections = { tcp: 0, unix: 0, abstract: 0 };
  let params: Parameters<typeof probeScript>[0];

  const listen = (server: net.Server, where: net.ListenOptions) => new Promise<void>((resolve, reject) => server.once('error', reject).listen(where, () => resolve()));

  before(async () => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-os-sandbox-'));
    scratch = path.join(base, 'scratch');
    outside = path.join(base, 'outside');
    fs.mkdirSync(scratch);
    fs.mkdirSync(outside);
    tcp = net.createServer((s) => (connections.tcp++, s.destroy()));
    unix = net.createServer((s) => (connections.unix++, s.destroy()));
    abstract = net.createServer((s) => (connections.abstract++, s.destroy()));
    const abstractName = `genbook-test-${crypto.randomBytes(6).toString('hex')}`;
    await listen(tcp, { host: '127.0.0.1', port: 0 });
    await listen(unix, { path: path.join(base, 'sock') });
    await listen(abstract, { path: `\0${abstractName}` });
    fs.chmodSync(path.join(base, 'sock'), 0o777);
    readOnly = path.join(ROOT, 'tools', 'dist', 'grading', `genbook-report-test-${process.pid}.json`);
    params = { port: (tcp.address() as net.AddressInfo).port, sock: path.join(base, 'sock'), abstractName, outside: path.join(outside, 'report.json'), readOnly };
  });

  after(() => {
    for (const s of [tcp, unix, abstract]) s?.close();
    if (readOnly) fs.rmSync(readOnly, { force: true });
    if (base) fs.rmSync(base, { recursive: true, force: true });
  });

  /** Run the probe: `[...prefix, node, ...flags, -e script]`, fd 3 a pipe; returns what it saw and what fd 3 got. */
  // Asynchronous, so the listeners in this process keep accepting (and counting) while it runs.
  const run = async (prefix: string[], flags: string[], cwd: string, owner: { uid?: number; gid?: number } = {}): Promise<{ probe: Probe; fd3: string; stderr: string }> => {
    fs.rmSync(path.join(cwd, 'scratch-ok.txt'), { force: true });
    const command = [...prefix, process.execPath, ...flags, '-e', probeScript(params)];
    const child = spawn(command[0], command.slice(1), { cwd, env: { PATH: '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], ...owner });
    let stdout = '';
    let stderr = '';
    let fd3 = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8').on('data', (d: string) => (fd3 += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    await new Promise((r) => setTimeout(r, 200)); // let the listeners count what they accepted
    if (code !== 0) throw new Error(`probe failed (${code}): ${stderr}`);
    return { probe: JSON.parse(stdout) as Probe, fd3, stderr };
  };
  const permissionFlags = () => nodeArguments(ROOT, scratch, 256).slice(0, -1);

  it('is available here (bwrap installed by system-deps.sh) and describes itself', () => {
    const status = osSandboxStatus();
    expect(status, JSON.stringify(status)).to.include({ available: true });
    const sb = osSandbox({ root: ROOT, scratchDir: scratch });
    expect(sb?.description).to.match(/^bubblewrap [\d.]+: no network, own PID\/IPC\/UTS namespaces, only \d+ read-only project paths and the node binary visible, a 64 MB tmpfs scratch/);
    expect(sb?.prefix).to.include.members(['--unshare-net', '--unshare-pid', '--die-with-parent', '--new-session']);
  });

  it('GENBOOK_OS_SANDBOX=off turns it off, and the grader\'s line says so', () => {
    expect(describeOsLayer()).to.match(/^OS sandbox: bubblewrap [\d.]+ \(no network/);
    process.env.GENBOOK_OS_SANDBOX = 'off';
    try {
      expect(osSandbox({ root: ROOT, scratchDir: scratch })).to.equal(undefined);
      expect(describeOsLayer()).to.equal('OS sandbox: off (turned off (GENBOOK_OS_SANDBOX=off))');
    } finally {
      delete process.env.GENBOOK_OS_SANDBOX;
    }
    expect(osSandboxStatus().available).to.equal(true);
  });

  it('control: without it, the same script reaches the 127.0.0.1 listener and writes the report outside scratch', async function () {
    const before = connections.tcp;
    const { probe } = await run([], permissionFlags(), scratch);
    if (NODE_MAJOR < 25) {
      expect(probe.tcp).to.equal('connected');
      expect(connections.tcp).to.equal(before + 1);
    }
    // Node 20.20 does not check the report's filename against the permission model; newer lines
    // (22.23 seen) refuse it. Either way the file exists exactly when the write was not refused.
    for (const [file, outcome] of [[params.outside, probe.reportOutside], [readOnly, probe.reportReadOnly]] as const) {
      expect(fs.existsSync(file), `writeReport to ${file}: ${outcome}`).to.equal(outcome !== 'ERR_ACCESS_DENIED');
      fs.rmSync(file, { force: true });
    }
    expect(probe.solutions).to.equal('ERR_ACCESS_DENIED');
  });

  for (const withFlags of [true, false]) {
    it(`with the prefix${withFlags ? ' and Node\'s permission flags' : ' alone'}: no network, no writes outside scratch, no solutions; the library loads and scratch works`, async () => {
      const sb = osSandbox({ root: ROOT, scratchDir: scratch, scratch: withFlags ? 'tmpfs' : 'bind' });
      if (!sb) throw new Error('osSandbox() is undefined on Linux with bwrap installed');
      const seen = { ...connections };
      const { probe, fd3 } = await run(sb.prefix, withFlags ? permissionFlags() : [], scratch);
      expect(probe.tcp).not.to.equal('connected');
      expect(probe.unix).not.to.equal('connected');
      expect(probe.abstract).not.to.equal('connected');
      expect(connections).to.deep.equal(seen);
      expect(fs.existsSync(params.outside), 'report outside scratch').to.equal(false);
      expect(fs.existsSync(readOnly), 'report in a read-only project folder').to.equal(false);
      expect(probe.solutions).to.be.oneOf(withFlags ? ['ERR_ACCESS_DENIED', 'ENOENT'] : ['ENOENT']);
      expect(probe.genbook).to.equal('object');
      expect(probe.scratch).to.equal('ok');
      expect(fd3).to.equal('fd3-ok\n');
      // tmpfs: the file is gone with the process; bind: it is in the host's scratch folder.
      expect(fs.existsSync(path.join(scratch, 'scratch-ok.txt'))).to.equal(!withFlags);
      fs.rmSync(path.join(scratch, 'scratch-ok.txt'), { force: true });
    });
  }

  it('caps the tmpfs scratch', () => {
    const sb = osSandbox({ root: ROOT, scratchDir: scratch, scratchMb: 1 }) as NonNullable<ReturnType<typeof osSandbox>>;
    const r = spawnSync(sb.prefix[0], [...sb.prefix.slice(1), process.execPath, '-e', "try { require('fs').writeFileSync('big', Buffer.alloc(2 * 1024 * 1024)); console.log('wrote'); } catch (e) { console.log(e.code); }"], { cwd: scratch, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(r.stdout.trim()).to.equal('ENOSPC');
  });

  it('the sandboxed process dies when bwrap is killed', async () => {
    const sb = osSandbox({ root: ROOT, scratchDir: scratch }) as NonNullable<ReturnType<typeof osSandbox>>;
    const child = spawn(sb.prefix[0], [...sb.prefix.slice(1), process.execPath, '-e', "console.log('up'); setInterval(() => {}, 1000);"], { cwd: scratch, env: { PATH: '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const inside = descendantPids(child.pid as number);
    expect(inside.length).to.be.greaterThan(0);
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    child.kill('SIGKILL');
    await closed;
    const alive = (pid: number) => {
      try {
        return !/^\d+ \(.*\) [ZX]/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    await until('the processes inside to end', () => !inside.some(alive), 15, 100).catch(() => undefined);
    expect(inside.filter(alive)).to.deep.equal([]);
  });

  it('works for a non-root grader too (nobody, via an unprivileged user namespace)', async function () {
    if (process.getuid?.() !== 0) {
      // Already not root: the runs above were the non-root case.
      expect(osSandboxStatus().available).to.equal(true);
      return;
    }
    const own = path.join(base, 'nobody');
    const ownScratch = path.join(own, 'scratch');
    fs.mkdirSync(ownScratch, { recursive: true });
    const owner = A.runAsUnprivileged(own);
    fs.chmodSync(base, 0o755);
    const script = `const o = require(${JSON.stringify(path.join(ROOT, 'tools', 'dist', 'grading', 'os-sandbox.js'))});
      const sb = o.osSandbox({ root: ${JSON.stringify(ROOT)}, scratchDir: ${JSON.stringify(ownScratch)} });
      process.stdout.write(JSON.stringify({ status: o.osSandboxStatus(), prefix: sb ? sb.prefix : null, uid: process.getuid() }));`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' }, ...owner });
    expect(r.status, r.stderr).to.equal(0);
    const got = JSON.parse(r.stdout) as { status: { available: boolean }; prefix: string[] | null; uid: number };
    expect(got.uid).to.equal(65534);
    expect(got.status.available).to.equal(true);
    expect(got.prefix).not.to.include('--cap-drop');
    const seen = { ...connections };
    const { probe } = await run(got.prefix as string[], [], ownScratch, owner);
    expect([probe.tcp, probe.unix, probe.abstract]).not.to.include('connected');
    expect(connections).to.deep.equal(seen);
    expect(probe.solutions).to.equal('ENOENT');
    expect(probe.scratch).to.equal('ok');
    expect(probe.genbook).to.equal('object');
  });
});
