/**
 * The grader's Node flags (tools/src/grading/node-flags.ts): first the choice per version string
 * (the expected flags are the ones measured on the npm registry's `node` builds, listed in that
 * file's header), then what the flags really do on the Node that runs this test: a probe script
 * started with them tries each thing the sandbox promises to refuse. `.ci/run` runs this file on
 * Node 22, 24 and 26.
 */
import { readablePaths } from '../../tools/src/grading/sandbox';
import { expect } from 'chai';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import {
  networkBlockedByPermissionModel,
  networkNotice,
  parseNodeVersion,
  permissionArguments,
  permissionFlag,
  sandboxDescription,
  sandboxUnsupported,
  workerHardeningArguments,
  holdsLink,
} from '../../tools/src/grading/node-flags';
import { nodeArguments } from '../../tools/src/grading/sandbox';

const ROOT = path.resolve(__dirname, '..', '..');

describe('node-flags: the choice per Node version', () => {
  const read = ['/srv/a', '/srv/b,c'];
  const write = ['/tmp/scratch'];

  it('parses process.version and process.versions.node spellings, and rejects anything else', () => {
    expect(parseNodeVersion('v22.13.0')).to.deep.equal({ major: 22, minor: 13, patch: 0 });
    expect(parseNodeVersion('26.10.0')).to.deep.equal({ major: 26, minor: 10, patch: 0 });
    expect(parseNodeVersion('v24.0.0-nightly20250101abc')).to.deep.equal({ major: 24, minor: 0, patch: 0 });
    expect(() => parseNodeVersion('v22')).to.throw(RangeError, /expected a Node version like "v22.13.0", got "v22"/);
    expect(() => parseNodeVersion('twenty-two')).to.throw(RangeError);
  });

  it('uses --experimental-permission up to 22.12 / 23.4 and --permission from 22.13 / 23.5 and on 24+', () => {
    const table: [string, string][] = [
      ['v20.20.2', '--experimental-permission'],
      ['v21.7.3', '--experimental-permission'],
      ['v22.12.0', '--experimental-permission'],
      ['v22.13.0', '--permission'],
      ['v22.23.3', '--permission'],
      ['v23.4.0', '--experimental-permission'],
      ['v23.5.0', '--permission'],
      ['v24.0.0', '--permission'],
      ['v24.21.0', '--permission'],
      ['v26.10.0', '--permission'],
      ['v30.1.2', '--permission'],
    ];
    for (const [version, flag] of table) expect(permissionFlag(version), version).to.equal(flag);
    expect(() => permissionFlag('v18.20.4')).to.throw(RangeError, /no permission model/);
  });

  it('refuses the versions whose require cannot find packages under the permission model', () => {
    for (const v of ['v20.19.4', 'v21.7.3', 'v22.12.0', 'v23.2.0', 'v18.20.4']) {
      expect(sandboxUnsupported(v), v).to.be.a('string').and.match(/use Node 22\.13 or later/);
      expect(() => permissionArguments({ version: v, read, write }), v).to.throw(/the grader's sandbox cannot run here: .*Node /);
    }
    for (const v of ['v20.19.5', 'v20.20.2', 'v22.13.0', 'v22.23.3', 'v23.3.0', 'v24.21.0', 'v26.10.0']) expect(sandboxUnsupported(v), v).to.equal(undefined);
  });

  it('passes one --allow-fs-* flag per path, commas included, and nothing that allows more', () => {
    expect(permissionArguments({ version: 'v20.20.2', read, write })).to.deep.equal([
      '--experimental-permission',
      '--allow-fs-read=/srv/a',
      '--allow-fs-read=/srv/b,c',
      '--allow-fs-write=/tmp/scratch',
    ]);
    for (const version of ['v22.13.0', 'v24.21.0', 'v26.10.0']) {
      const args = permissionArguments({ version, read, write });
      expect(args, version).to.deep.equal(['--permission', '--allow-fs-read=/srv/a', '--allow-fs-read=/srv/b,c', '--allow-fs-write=/tmp/scratch']);
      expect(args.some((a) => /^--allow-(net|child-process|worker|addons|wasi)/.test(a)), version).to.equal(false);
    }
    expect(permissionArguments({ version: 'v26.10.0', read: [], write: [] })).to.deep.equal(['--permission']);
  });

  it('rejects a wildcard or a relative path (either would widen or move the allowance)', () => {
    expect(() => permissionArguments({ version: 'v24.21.0', read: ['*'], write })).to.throw(RangeError, /absolute paths, got "\*"/);
    expect(() => permissionArguments({ version: 'v24.21.0', read, write: ['scratch'] })).to.throw(RangeError, /absolute paths, got "scratch"/);
  });

  it('knows the network is blocked from Node 25 on, and says so where it is not', () => {
    const blocked: [string, boolean][] = [
      ['v20.20.2', false],
      ['v22.12.0', false],
      ['v22.13.0', false],
      ['v24.21.0', false],
      ['v25.0.0', true],
      ['v26.10.0', true],
    ];
    for (const [v, b] of blocked) {
      expect(networkBlockedByPermissionModel(v), v).to.equal(b);
      if (b) expect(networkNotice(v), v).to.equal(undefined);
      else expect(networkNotice(v), v).to.contain(`on Node ${v} the sandbox does not block the network`);
    }
    expect(sandboxDescription('v24.21.0', 1024)).to.match(/Node v24\.21\.0: permission model \(--permission\).*network NOT blocked; frozen intrinsics; a 1024 MB heap cap$/);
    expect(sandboxDescription('v26.10.0')).to.match(/no network; frozen intrinsics; a heap cap$/);
    expect(sandboxDescription('v22.12.0')).to.contain('(--experimental-permission)');
  });

  it('rounds the heap cap and rejects a useless one', () => {
    expect(workerHardeningArguments(256)).to.deep.equal(['--frozen-intrinsics', '--max-old-space-size=256', '--no-warnings', '--stack-size=984']);
    expect(workerHardeningArguments(511.6)).to.include('--max-old-space-size=512');
    expect(() => workerHardeningArguments(0)).to.throw(RangeError, /at least 1 MB, got 0/);
    expect(() => workerHardeningArguments(Number.NaN)).to.throw(RangeError);
  });

  it("builds the submission host's arguments from the given version: the flag, the read list, the scratch folder, the script", () => {
    const scratch = path.join(os.tmpdir(), 'genbook-scratch');
    for (const [version, flag] of [['v22.13.0', '--permission'], ['v26.10.0', '--permission'], ['v20.20.2', '--experimental-permission']]) {
      const args = nodeArguments(ROOT, scratch, 300, version);
      expect(args[0], version).to.equal(flag);
      expect(args).to.include(`--allow-fs-write=${scratch}`).and.include('--max-old-space-size=300');
      expect(args[args.length - 1]).to.equal(path.join(ROOT, 'tools', 'dist', 'grading', 'host.js'));
    }
    expect(() => nodeArguments(ROOT, scratch, 300, 'v22.12.0')).to.throw(/sandbox cannot run here/);
  });
});

describe('the sandbox read list: node_modules folders whole only without links', () => {
  let dir: string;
  const scratch = '/tmp/scratch-x';
  const whole = (folder: string) => readablePaths(dir, scratch).includes(path.join(dir, folder));
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-lookup-'));
    fs.mkdirSync(path.join(dir, 'tools', 'node_modules', 'ajv'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'lib'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'solutions'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists tools/node_modules whole when it holds only real folders; a missing folder as a path', () => {
    expect(holdsLink(path.join(dir, 'tools', 'node_modules'))).to.equal(false);
    expect(whole('tools/node_modules')).to.equal(true);
    expect(whole('lib/node_modules'), 'missing: listed so the resolver gets "not found"').to.equal(true);
  });

  it('a folder that holds a link is listed package by package, and a link into the project not at all', () => {
    fs.symlinkSync(path.join(dir, 'solutions'), path.join(dir, 'tools', 'node_modules', 'sneaky'));
    const paths = readablePaths(dir, scratch);
    expect(paths).not.to.include(path.join(dir, 'tools', 'node_modules'));
    expect(paths).to.include(path.join(dir, 'tools', 'node_modules', 'ajv'));
    expect(paths.filter((p) => p.includes('sneaky') || p.startsWith(path.join(dir, 'solutions')))).to.deep.equal([]);
  });

  it('a link out of the project (another student\'s folder beside it) also stops the whole-folder listing', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-outside-'));
    try {
      fs.mkdirSync(path.join(outside, 'pkg'));
      fs.symlinkSync(path.join(outside, 'pkg'), path.join(dir, 'tools', 'node_modules', 'pkg'));
      expect(whole('tools/node_modules')).to.equal(false);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('a scoped link or a command link to a folder counts; command links to files do not', () => {
    fs.mkdirSync(path.join(dir, 'lib', 'node_modules', '.bin'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'lib', 'node_modules', 'tool.js'), '');
    fs.symlinkSync(path.join(dir, 'lib', 'node_modules', 'tool.js'), path.join(dir, 'lib', 'node_modules', '.bin', 'tool'));
    fs.mkdirSync(path.join(dir, 'tools', 'node_modules', '@scope'));
    fs.symlinkSync(path.join(dir, 'lib'), path.join(dir, 'tools', 'node_modules', '@scope', 'lib'));
    expect([whole('lib/node_modules'), whole('tools/node_modules')]).to.deep.equal([true, false]);
    fs.symlinkSync(path.join(dir, 'solutions'), path.join(dir, 'lib', 'node_modules', '.bin', 'dir'));
    expect(whole('lib/node_modules')).to.equal(false);
  });
});

/** What a probe script reports, one `name:outcome` per attempt. */
interface ProbeRun {
  outcomes: Record<string, string>;
  stderr: string;
  status: number | null;
  connections: number;
}

/**
 * Start `probe.js` under the grader's flags for this Node, with a TCP listener on 127.0.0.1 in this
 * process: the probe may read only its own folder, write only `scratch/`.
 */
async function runProbe(dir: string, memoryMb: number): Promise<ProbeRun> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const args = [
    ...permissionArguments({ read: [path.join(dir, 'probe')], write: [path.join(dir, 'probe', 'scratch')] }),
    ...workerHardeningArguments(memoryMb),
    path.join(dir, 'probe', 'probe.js'),
    String(port),
    dir,
  ];
  const child = spawn(process.execPath, args, { cwd: path.join(dir, 'probe'), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise((resolve) => setTimeout(resolve, 200)); // let a queued connection be accepted
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const outcomes: Record<string, string> = {};
  for (const item of stdout.trim().split(/\s+/).filter(Boolean)) {
    const at = item.indexOf(':');
    outcomes[item.slice(0, at)] = item.slice(at + 1);
  }
  return { outcomes, stderr, status, connections };
}

const PROBE = String.raw`'use strict';
const fs = require('fs');
const path = require('path');
const [port, dir] = [Number(process.argv[2]), process.argv[3]];
const out = [];
const attempt = (name, f) => { try { out.push(name + ':' + f()); } catch (e) { out.push(name + ':' + (e.code || e.constructor.name)); } };
attempt('ownFolder', () => fs.readFileSync(path.join(__dirname, 'probe.js'), 'utf8').length > 0 ? 'OK' : 'empty');
attempt('solutions', () => fs.readFileSync(path.join(dir, 'solutions', 'hw01.ts'), 'utf8') && 'OK');
attempt('hiddenTests', () => fs.readFileSync(path.join(dir, 'tests', 'hidden', 'hw01.test.ts'), 'utf8') && 'OK');
attempt('writeScratch', () => { fs.writeFileSync(path.join(__dirname, 'scratch', 'x.txt'), 'x'); return 'OK'; });
attempt('writeOutside', () => { fs.writeFileSync(path.join(dir, 'outside.txt'), 'x'); return 'OK'; });
attempt('childProcess', () => { const r = require('child_process').spawnSync('true'); return r.error ? r.error.code : 'OK'; });
attempt('workerThread', () => { new (require('worker_threads').Worker)('0', { eval: true }); return 'OK'; });
attempt('addon', () => { process.dlopen({ exports: {} }, '/nonexistent.node'); return 'OK'; });
attempt('frozenMath', () => { Math.abs = () => 0; return 'patched'; });
attempt('heapMb', () => Math.round(require('v8').getHeapStatistics().heap_size_limit / 1048576));
let done = false;
const finish = (what) => { if (done) return; done = true; out.push('tcp:' + what); process.stdout.write(out.join(' ') + '\n'); };
try {
  const socket = require('net').connect(port, '127.0.0.1');
  socket.on('connect', () => { socket.end(); finish('CONNECTED'); });
  socket.on('error', (e) => finish(e.code || 'error'));
} catch (e) {
  finish(e.code || e.constructor.name);
}
process.emitWarning('a warning --no-warnings must silence');
`;

describe(`node-flags: the sandbox's promises on this Node (${process.version})`, function () {
  this.timeout(60_000);
  let dir: string;
  let run: ProbeRun;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-probe-'));
    fs.mkdirSync(path.join(dir, 'probe', 'scratch'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'solutions'));
    fs.mkdirSync(path.join(dir, 'tests', 'hidden'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'solutions', 'hw01.ts'), 'export const secret = 42;\n');
    fs.writeFileSync(path.join(dir, 'tests', 'hidden', 'hw01.test.ts'), '// hidden\n');
    fs.writeFileSync(path.join(dir, 'probe', 'probe.js'), PROBE);
    run = await runProbe(dir, 200);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('starts: this Node accepts every flag (no "bad option"), and prints no warning', () => {
    expect(run.stderr).not.to.match(/bad option/);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stderr.trim()).to.equal('');
  });

  it('reads its own folder and writes its scratch folder', () => {
    expect(run.outcomes.ownFolder).to.equal('OK');
    expect(run.outcomes.writeScratch).to.equal('OK');
    expect(fs.readFileSync(path.join(dir, 'probe', 'scratch', 'x.txt'), 'utf8')).to.equal('x');
  });

  it('cannot read solutions/ or the hidden tests, nor write outside the scratch folder', () => {
    expect(run.outcomes.solutions).to.equal('ERR_ACCESS_DENIED');
    expect(run.outcomes.hiddenTests).to.equal('ERR_ACCESS_DENIED');
    expect(run.outcomes.writeOutside).to.equal('ERR_ACCESS_DENIED');
    expect(fs.existsSync(path.join(dir, 'outside.txt'))).to.equal(false);
  });

  it('cannot start a child process, a worker thread or a native addon', () => {
    expect(run.outcomes.childProcess).to.equal('ERR_ACCESS_DENIED');
    expect(run.outcomes.workerThread).to.equal('ERR_ACCESS_DENIED');
    expect(run.outcomes.addon).to.equal('ERR_DLOPEN_DISABLED');
  });

  it('runs with frozen intrinsics and the heap cap (old space 200 MB plus the young generation)', () => {
    expect(run.outcomes.frozenMath).to.equal('TypeError');
    const heap = Number(run.outcomes.heapMb);
    expect(heap).to.be.at.least(200).and.at.most(200 + 256);
  });

  const blocked = networkBlockedByPermissionModel();
  it(blocked ? 'cannot reach a 127.0.0.1 listener (Node ≥ 25: the network is denied)' : 'reaches a 127.0.0.1 listener (Node < 25: the network is NOT blocked, as the grader says)', () => {
    if (blocked) {
      expect(run.outcomes.tcp).to.equal('ERR_ACCESS_DENIED');
      expect(run.connections).to.equal(0);
    } else {
      expect(run.outcomes.tcp).to.equal('CONNECTED');
      expect(run.connections).to.equal(1);
    }
  });
});
