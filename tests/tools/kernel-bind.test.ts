/**
 * The kernel binds its sockets before it receives (tools/src/kernel/tslab-internals.ts,
 * `bindThenListen`). tslab 1.0.22's `ZmqServer.init()` starts its receive loops first; zeromq 6
 * marks a socket "blocked" from `bind()` until the bind's completion callback ran on the main
 * thread, and throws EBUSY from a `receive()` in that window. When a client's first message reached
 * the shell loop's pending receive before that callback (a loaded machine; CI on Node 24 once), the
 * loop's next receive threw, the shell loop ended and the kernel never answered (nbconvert: "Kernel
 * didn't respond in 60 seconds").
 *
 * The window cannot be hit on demand with real zeromq, so these tests use a fake zeromq with the
 * same rules (src/socket.cc `ValidateOpen`, lib/index.js `asyncIterator`): bind blocks the socket
 * until a later macrotask; receive and send on a blocked socket throw EBUSY synchronously; a pending
 * receive can be handed a message while the socket is blocked. The first test shows the fake
 * reproduces the failure with tslab's own `init()`; the others run the kernel's `bindThenListen`
 * with tslab's real `ZmqServer` on it. The last starts the real kernel on a port already in use.
 */
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { describeMessage } from '../../tools/src/kernel/socket-sends';
import { bindThenListen, type KernelSocket, type ListeningServer, type ZmqSockets } from '../../tools/src/kernel/tslab-internals';
import { freePorts } from '../../tools/src/runner/connection';
import { MessageCodec } from '../../tools/src/runner/message';

const KEY = 'a0b1c2d3-test-key';
const codec = new MessageCodec(KEY);

function busy(): Error {
  return Object.assign(new Error('Socket is blocked by a bind or unbind operation'), { code: 'EBUSY', errno: 16 });
}

/** One fake zeromq 6 socket (see the header comment for its rules). */
class FakeSocket implements KernelSocket {
  state: 'open' | 'blocked' | 'closed' = 'open';
  address = '';
  sendTimeout = -1;
  sendHighWaterMark = 1000;
  readonly sent: unknown[] = [];
  private readonly inbox: Buffer[][] = [];
  private pending?: { resolve(frames: Buffer[]): void; reject(error: Error): void };

  constructor(private readonly net: FakeNet) {}

  get closed(): boolean {
    return this.state === 'closed';
  }

  bind(address: string): Promise<void> {
    if (this.state === 'blocked') throw busy();
    this.state = 'blocked';
    this.address = address;
    this.net.onBind(this);
    return new Promise((resolve) =>
      setTimeout(() => {
        if (this.state === 'blocked') this.state = 'open';
        resolve();
      }, 5),
    );
  }

  receive(): Promise<Buffer[]> {
    if (this.state === 'blocked') throw busy();
    if (this.state === 'closed') return Promise.reject(Object.assign(new Error('closed'), { code: 'EAGAIN' }));
    const next = this.inbox.shift();
    if (next) return Promise.resolve(next);
    return new Promise((resolve, reject) => (this.pending = { resolve, reject }));
  }

  /** A client's message arrives: a pending receive gets it (even while blocked), else it waits. */
  deliver(frames: Buffer[]): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) pending.resolve(frames);
    else this.inbox.push(frames);
  }

  /** The pending receive fails (the socket stays open). */
  fail(error: Error): void {
    this.pending?.reject(error);
    this.pending = undefined;
  }

  send(message: unknown): Promise<void> {
    if (this.state === 'blocked') throw busy();
    if (this.state === 'closed') return Promise.reject(new Error('closed'));
    this.sent.push(message);
    return Promise.resolve();
  }

  close(): void {
    this.state = 'closed';
    this.pending?.reject(Object.assign(new Error('closed'), { code: 'EAGAIN' }));
    this.pending = undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer[]> {
    return {
      next: async () => {
        if (this.closed) return { done: true, value: undefined };
        try {
          return { value: await this.receive(), done: false };
        } catch (e) {
          if (this.closed && (e as { code?: string }).code === 'EAGAIN') return { done: true, value: undefined };
          throw e;
        }
      },
    };
  }
}

/** The fake zeromq module: its sockets, and what a client does when a socket is being bound. */
class FakeNet {
  readonly sockets: FakeSocket[] = [];
  onBind: (socket: FakeSocket) => void = () => undefined;
  readonly module: ZmqSockets;
  constructor() {
    const make = (): FakeSocket => {
      const socket = new FakeSocket(this);
      this.sockets.push(socket);
      return socket;
    };
    const Socket = function () {
      return make();
    } as unknown as new () => KernelSocket;
    this.module = { Publisher: Socket, Router: Socket, Reply: Socket };
  }
  /** The socket bound to `port`. */
  at(port: number): FakeSocket {
    const found = this.sockets.find((s) => s.address.endsWith(`:${port}`));
    if (!found) throw new Error(`no socket bound to ${port}`);
    return found;
  }
}

const PORTS = { iopub_port: 9001, shell_port: 9002, control_port: 9003, stdin_port: 9004, hb_port: 9005 };

function connectionFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-bind-'));
  const file = path.join(dir, 'kernel.json');
  fs.writeFileSync(file, JSON.stringify({ ...PORTS, ip: '127.0.0.1', transport: 'tcp', key: KEY, signature_scheme: 'hmac-sha256' }));
  return file;
}

/** A signed kernel_info_request as a ROUTER socket receives it (routing identity first). */
function kernelInfoRequest(): Buffer[] {
  return codec.encode(codec.request('kernel_info_request', {}), [Buffer.from('client-1')]);
}

const replies = (socket: FakeSocket): string[] => socket.sent.map(describeMessage).filter((t) => t.endsWith('_reply'));

/** tslab's real ZmqServer with a handler that answers kernel_info only. */
function tslabServer(configPath: string): ListeningServer & { init(): Promise<void> } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ZmqServer } = require('tslab/dist/jupyter') as { ZmqServer: new (handler: object, configPath: string) => ListeningServer & { init(): Promise<void> } };
  return new ZmqServer({ handleKernel: () => ({ status: 'ok', protocol_version: '5.3', language_info: { name: 'typescript' } }) }, configPath);
}

const tick = (ms = 20): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('genbook kernel: sockets are bound before anything is received', function () {
  it("the fake reproduces the failure with tslab's own init(): a message during the shell's bind ends the shell loop", async () => {
    const net = new FakeNet();
    net.onBind = (socket) => {
      if (socket.address.endsWith(`:${PORTS.shell_port}`)) socket.deliver(kernelInfoRequest());
    };
    const zeromqPath = require.resolve('zeromq', { paths: [path.dirname(require.resolve('tslab/package.json'))] });
    const saved = require.cache[zeromqPath];
    require.cache[zeromqPath] = { id: zeromqPath, filename: zeromqPath, loaded: true, exports: net.module } as NodeJS.Module;
    // tslab's loop throws into nothing: collect the unhandled rejections instead of failing the run.
    const listeners = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    const rejections: unknown[] = [];
    process.on('unhandledRejection', (reason) => rejections.push(reason));
    try {
      const server = tslabServer(connectionFile());
      await server.init();
      await tick();
      net.at(PORTS.shell_port).deliver(kernelInfoRequest()); // after binding: nobody receives it
      await tick();
      expect(rejections.map((r) => (r as Error).message)).to.include('Socket is blocked by a bind or unbind operation');
      expect(replies(net.at(PORTS.shell_port))).to.deep.equal([]);
    } finally {
      process.removeAllListeners('unhandledRejection');
      for (const listener of listeners) process.on('unhandledRejection', listener);
      if (saved) require.cache[zeromqPath] = saved;
      else delete require.cache[zeromqPath];
    }
  });

  it('bindThenListen answers a message that arrived during the bind, and every later one', async () => {
    const net = new FakeNet();
    net.onBind = (socket) => {
      if (socket.address.endsWith(`:${PORTS.shell_port}`)) socket.deliver(kernelInfoRequest());
    };
    const server = tslabServer(connectionFile());
    const exits: number[] = [];
    await bindThenListen(server, net.module, (code) => exits.push(code));
    await tick();
    net.at(PORTS.shell_port).deliver(kernelInfoRequest());
    net.at(PORTS.control_port).deliver(kernelInfoRequest());
    await tick();
    expect(replies(net.at(PORTS.shell_port))).to.deep.equal(['kernel_info_reply', 'kernel_info_reply']);
    expect(replies(net.at(PORTS.control_port))).to.deep.equal(['kernel_info_reply']);
    // busy/idle around each of the three requests, on IOPub
    expect(net.at(PORTS.iopub_port).sent.map(describeMessage).filter((t) => t === 'status')).to.have.length(6);
    expect(exits).to.deep.equal([]);
  });

  it('binds each socket to its port from the connection file, with the kernel send options, then echoes heartbeats', async () => {
    const net = new FakeNet();
    const server = tslabServer(connectionFile());
    await bindThenListen(server, net.module, () => undefined);
    expect(net.sockets.map((s) => s.address).sort()).to.deep.equal(Object.values(PORTS).map((p) => `tcp://127.0.0.1:${p}`).sort());
    expect(net.sockets.map((s) => s.sendTimeout)).to.deep.equal([0, 0, 0, 0, 0]);
    expect(net.at(PORTS.iopub_port).sendHighWaterMark).to.equal(0);
    expect(server.connInfo.key).to.equal(KEY);
    net.at(PORTS.hb_port).deliver([Buffer.from('ping')]);
    await tick();
    expect(net.at(PORTS.hb_port).sent).to.deep.equal([[Buffer.from('ping')]]);
  });

  it('exits with status 1 when a receive loop fails, and quietly ends the loops when the sockets close', async () => {
    const net = new FakeNet();
    const server = tslabServer(connectionFile());
    const exits: number[] = [];
    await bindThenListen(server, net.module, (code) => exits.push(code));
    for (const socket of net.sockets) socket.close();
    await tick();
    expect(exits).to.deep.equal([]);

    const failing = new FakeNet();
    const second = tslabServer(connectionFile());
    await bindThenListen(second, failing.module, (code) => exits.push(code));
    failing.at(PORTS.shell_port).fail(Object.assign(new Error('Context was terminated'), { code: 'ETERM' }));
    await tick();
    expect(exits).to.deep.equal([1]);
  });

  it('the real kernel exits with status 1 and says why when a port is already in use', async function () {
    this.timeout(60_000);
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const [iopub, control, stdin, hb] = await freePorts(4);
      const shell = (taken.address() as net.AddressInfo).port;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-bind-'));
      const file = path.join(dir, 'kernel.json');
      fs.writeFileSync(file, JSON.stringify({ shell_port: shell, iopub_port: iopub, control_port: control, stdin_port: stdin, hb_port: hb, ip: '127.0.0.1', transport: 'tcp', key: KEY, signature_scheme: 'hmac-sha256' }));
      const launch = path.resolve(__dirname, '..', '..', 'tools', 'dist', 'kernel', 'launch.js');
      const run = spawnSync(process.execPath, [launch, file], { encoding: 'utf8', timeout: 50_000 });
      expect(run.status).to.equal(1);
      expect(run.stderr).to.match(/genbook kernel: could not bind its sockets \(Address already in use\); the kernel exits/);
    } finally {
      taken.close();
    }
  });
});
