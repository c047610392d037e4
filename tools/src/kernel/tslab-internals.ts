/**
 * Everything the genbook kernel takes from tslab's internals, in one file. Pinned to tslab 1.0.22
 * (root package.json); re-check each point below when upgrading tslab.
 *
 * What it relies on, in tslab/dist (1.0.22):
 * - `main.js` `startKernel`: its body is re-done here (converter set, executor, handler, server,
 *   SIGINT → `executor.interrupt()`, uncaught errors logged instead of killing the kernel), because
 *   `startKernel` hard-wires the executor's console to `console.log`/`console.error`.
 * - `converter.js` `createConverter({ isJS, isBrowser })` → a converter whose `convert(prevDecl,
 *   src)`, `inspect(prevDecl, src, pos)` and `complete(prevDecl, src, pos)` type-check `src` with
 *   `prevDecl` (the declarations of earlier cells) as a module `__prev__.d.ts`. We prepend our
 *   ambient declarations (`declare global { … }`) to `prevDecl`, so cells type-check `display(…)`.
 * - `executor.js` `createExecutor(rootDir, convs, console)`: it calls `console.log(value)` exactly
 *   once per cell, with the cell's last expression value (when it is not null/undefined), after the
 *   cell ran; `console.error` prints type errors and runtime errors. `execute(src)` resolves to
 *   false when the cell failed; the handler calls it through the property `executor.execute`.
 * - `jupyter.js` `JupyterHandlerImpl(executor, isJs)`: `execCount` is incremented just before
 *   `executor.execute`; `handleExecuteImpl(req, writeStream, writeDisplayData)` runs one request at
 *   a time (its task queue), with `req` the execute_request's content object. When a cell fails,
 *   `handleExecute` calls `execQueue.reset(200)`: requests arriving in the next 200 ms are aborted
 *   whatever their `stop_on_error` says. We reset the queue at once when the failed request had
 *   `stop_on_error: false` (nbclient's `--allow-errors` sends that), as the protocol asks.
 * - `jupyter.js` `ZmqServer(handler, configPath)`: `handleExecute(sock, msg)` is called once per
 *   execute_request and passes `msg.content` on to the handler; `msg.createReply()` makes a reply
 *   with the request as parent, `reply.signAndSend(server.connInfo.key, server.iopub)` publishes
 *   it; `init()` binds the sockets.
 * - `converter.js` `wrapPrevIdentifier`: every identifier whose declaration is in `__prev__.d.ts`
 *   compiles to `exports.<name>`, our `declare global` names included, so a global for the cells is
 *   defined on the executor's `locals` (the `exports` object) as well as on `globalThis`.
 * - `jupyter.js` `ZmqServer`: `configPath` and `connInfo` (the connection file, parsed);
 *   `handleShellMessage(sock, ...frames)` handles one shell or control message and replies on
 *   `sock`; every reply and IOPub message goes out through `ZmqMessage.signAndSend`, which calls
 *   `sock.send(frames)` without awaiting it; `close()` closes the five socket fields (`iopub`
 *   Publisher, `shell`, `control`, `stdin` Routers, `hb` Reply).
 *   Its `init()` is re-done here (`bindThenListen`), for two reasons:
 *   1. tslab starts its receive loops before it binds the sockets. zeromq 6 (src/socket.cc) marks
 *      a socket "blocked" from `bind()` until the bind's completion callback has run on the main
 *      thread, and a `receive()` in that window throws EBUSY "Socket is blocked by a bind or unbind
 *      operation". A client that sends as soon as the port is open (nbclient does) can have its
 *      message handed to the loop's pending receive before that callback runs; the loop's next
 *      `receive()` then throws, the shell loop ends, and the kernel never answers (seen in CI:
 *      nbconvert's "Kernel didn't respond in 60 seconds"). We bind every socket first.
 *   2. Each socket gets `sendTimeout = 0` (IOPub also an unlimited send high-water mark, so a slow
 *      reader delays IOPub messages instead of losing them) and is used only through a Proxy whose
 *      `send` is guarded (socket-sends.ts: no "Socket is busy writing" throws, order kept, nothing
 *      dropped, failures logged to fd 2): the fields, the replies of the receive loops and the
 *      heartbeat echo. zeromq 6 sockets are sealed, so `send` cannot be patched on the socket.
 */
import * as fs from 'fs';
import * as path from 'path';
import { guardSocket, writeStderr, type SendingSocket } from './socket-sends';

/** One Jupyter message content published on iopub, with the running cell's request as parent. */
export type Publish = (msgType: 'execute_result' | 'display_data' | 'update_display_data' | 'error', content: object) => void;

interface Converter {
  convert(prevDecl: string, src: string): unknown;
  inspect(prevDecl: string, src: string, position: number): unknown;
  complete(prevDecl: string, src: string, position: number): unknown;
  close(): void;
}

interface ConverterSet {
  readonly node: Converter;
  readonly browser: Converter;
  close(): void;
}

interface Executor {
  /** The cells' shared `exports` object (a Proxy); names declared in `__prev__.d.ts` compile to `exports.<name>`. */
  locals: Record<string, unknown>;
  execute(src: string): Promise<boolean>;
  interrupt(): void;
  close(): void;
}

interface ZmqReply {
  header: { msg_type: string };
  content: object;
  signAndSend(key: string, socket: unknown): void;
}

interface ZmqMessage {
  content: object;
  createReply(): ZmqReply;
}

interface Handler {
  execCount: number;
  execQueue: { reset(delay?: number): void };
  handleExecute(req: { stop_on_error?: boolean }, writeStream: unknown, writeDisplayData: unknown): Promise<{ status: string }>;
  handleExecuteImpl(req: object, writeStream: unknown, writeDisplayData: unknown): Promise<unknown>;
}

const SOCKET_FIELDS = ['iopub', 'shell', 'control', 'stdin', 'hb'] as const;
/** The ZmqServer fields holding its sockets. */
export type SocketField = (typeof SOCKET_FIELDS)[number];

/**
 * The socket options the kernel sets before binding each socket: every send completes at once
 * (sendTimeout 0, see socket-sends.ts), and IOPub has no send high-water mark, so a slow reader
 * delays IOPub messages instead of losing them (ZeroMQ's PUB drops messages beyond it).
 */
export function kernelSocketOptions(field: SocketField): { sendTimeout: number; sendHighWaterMark?: number } {
  return field === 'iopub' ? { sendTimeout: 0, sendHighWaterMark: 0 } : { sendTimeout: 0 };
}

/** A zeromq 6 socket as the kernel uses it: bind, receive by async iteration, send. */
export interface KernelSocket extends SendingSocket, AsyncIterable<Buffer[]> {
  bind(address: string): Promise<void>;
}

/** The zeromq 6 socket classes the kernel creates. */
export interface ZmqSockets {
  Publisher: new () => KernelSocket;
  Router: new () => KernelSocket;
  Reply: new () => KernelSocket;
}

/** The connection file's fields the kernel reads (Jupyter client docs, "Connection files"). */
interface ConnectionFile extends Record<`${SocketField}_port`, number> {
  key: string;
  transport: string;
  ip: string;
}

/** The part of tslab's ZmqServer that `bindThenListen` drives. */
export interface ListeningServer extends Partial<Record<SocketField, KernelSocket>> {
  configPath: string;
  connInfo: ConnectionFile;
  handleShellMessage(sock: KernelSocket, ...frames: Buffer[]): Promise<void>;
}

interface Server extends ListeningServer {
  handleExecute(sock: unknown, msg: ZmqMessage): Promise<void>;
  init(): Promise<void>;
}

/**
 * tslab's `ZmqServer.init()`, re-ordered (see the header comment): read the connection file,
 * create the five sockets, guard their sends, bind all of them, and only then start the receive
 * loops (shell and control → `handleShellMessage`, heartbeat → echo). A loop that fails (not a
 * socket closed by `close()`, which ends it quietly) leaves a kernel that can no longer answer: it
 * is logged to fd 2 and the process exits with status 1, so the client sees the kernel die
 * instead of waiting for it.
 */
export async function bindThenListen(server: ListeningServer, zmq: ZmqSockets, exit: (code: number) => void = (code) => process.exit(code)): Promise<void> {
  const info = JSON.parse(fs.readFileSync(server.configPath, 'utf-8')) as ConnectionFile;
  server.connInfo = info;
  const raw: Record<SocketField, KernelSocket> = {
    iopub: new zmq.Publisher(),
    shell: new zmq.Router(),
    control: new zmq.Router(),
    stdin: new zmq.Router(),
    hb: new zmq.Reply(),
  };
  const sockets = {} as Record<SocketField, KernelSocket>;
  for (const field of SOCKET_FIELDS) {
    sockets[field] = guardSocket(raw[field], field, kernelSocketOptions(field)).socket;
    server[field] = sockets[field];
  }
  await Promise.all(SOCKET_FIELDS.map((field) => raw[field].bind(`${info.transport}://${info.ip}:${info[`${field}_port`]}`)));

  const listen = async (field: SocketField, onMessage: (frames: Buffer[]) => unknown): Promise<void> => {
    try {
      for await (const frames of sockets[field]) void onMessage(frames);
    } catch (e) {
      writeStderr(`genbook kernel: the ${field} socket stopped receiving (${e instanceof Error ? e.message : String(e)}); the kernel exits`);
      exit(1);
    }
  };
  void listen('shell', (frames) => server.handleShellMessage(sockets.shell, ...frames));
  void listen('control', (frames) => server.handleShellMessage(sockets.control, ...frames));
  void listen('hb', (frames) => sockets.hb.send(frames));
}

interface TslabDist {
  metadata: { getCodeMetadata(src: string): { mode?: 'node' | 'browser'; module?: string } };
  converter: { createConverter(options: { isJS: boolean; isBrowser: boolean }): Converter };
  executor: { createExecutor(rootDir: string, convs: ConverterSet, console: { log(...args: unknown[]): void; error(...args: unknown[]): void }): Executor };
  jupyter: {
    JupyterHandlerImpl: new (executor: Executor, isJs: boolean) => Handler;
    ZmqServer: new (handler: Handler, configPath: string) => Server;
  };
  zmq: ZmqSockets;
}

/** What the launcher plugs into tslab. */
export interface KernelHooks {
  /**
   * Called with each cell's last expression value (never null/undefined) instead of tslab's
   * `console.log(value)`. `printPlain` is tslab's own printing of it.
   */
  onLastValue(value: unknown, printPlain: (value: unknown) => void): void;
  /** Ambient TypeScript declarations type-checked with every cell (`declare global { … }`). */
  globalDeclarations: string;
}

/** The running kernel, as the launcher sees it. */
export interface RunningKernel {
  /** Publish on iopub with the current (or, after it finished, the last) execute_request as parent; undefined before the first. */
  publisher(): Publish | undefined;
  /** The execution count of the running (or last) cell. */
  executionCount(): number;
  /** Make the running cell's execute_reply say status "error" (tslab then also skips queued cells). */
  failCurrentCell(): void;
  /** Define a global every cell can use by name (declare its type in `globalDeclarations`). */
  defineGlobal(name: string, value: unknown): void;
}

function loadTslab(): TslabDist {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    metadata: require('tslab/dist/metadata'),
    converter: require('tslab/dist/converter'),
    executor: require('tslab/dist/executor'),
    jupyter: require('tslab/dist/jupyter'),
    // The zeromq that tslab itself would load (its dependency, wherever npm placed it).
    zmq: require(require.resolve('zeromq', { paths: [path.dirname(require.resolve('tslab/package.json'))] })),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** The tslab version this file was written against. */
export const TSLAB_VERSION = '1.0.22';

/** The installed tslab's version. */
export function installedTslabVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('tslab/package.json') as { version: string }).version;
}

/** Start tslab's TypeScript kernel on `configPath` with our hooks (tslab's startKernel, re-done). */
export function startTslabKernel(configPath: string, hooks: KernelHooks): RunningKernel {
  const tslab = loadTslab();
  const withGlobals = (prevDecl: string): string => `${hooks.globalDeclarations}\n${prevDecl}`;
  const wrap = (conv: Converter): Converter => ({
    convert: (prevDecl, src) => conv.convert(withGlobals(prevDecl), src),
    inspect: (prevDecl, src, position) => conv.inspect(withGlobals(prevDecl), src, position),
    complete: (prevDecl, src, position) => conv.complete(withGlobals(prevDecl), src, position),
    close: () => conv.close(),
  });
  // Ctrl+C while a cell compiles. Node runs the SIGINT handler from the event loop, and tslab's
  // `execute` compiles a cell and runs it without returning to the loop in between. Then vm's
  // `breakOnSigint` run removes every SIGINT listener and adds them back (Node's lib/vm.js
  // `sigintHandlersWrap`), which closes the signal handle: the SIGINT still waiting in libuv's
  // signal pipe is dropped, the cell runs, and the interrupt is lost altogether. We compile the cell
  // first (tslab's own compile call then gets this result from `compiled`), let the event loop poll
  // once (two setImmediate hops: the request is handled in a poll-phase callback, and a single hop
  // runs in that iteration's check phase, before the signal pipe is read again), and do not run the
  // cell if a SIGINT came meanwhile. The
  // declarations of earlier cells (`prevDecl`) are tslab's executor's; we follow them (each call
  // of the converter shows them, each successful cell sets them to its `declOutput`). Should we
  // guess wrong, tslab's call misses `compiled` and compiles the cell again: slower, never wrong.
  let prevDecl = '';
  let lastOutput: { declOutput?: string } | undefined;
  let compiled: { prevDecl: string; src: string; result: unknown } | undefined;
  const followed = (conv: Converter): Converter => ({
    convert: (declarations, src) => {
      prevDecl = declarations;
      const hit = compiled && compiled.prevDecl === declarations && compiled.src === src ? compiled.result : undefined;
      compiled = undefined;
      const result = hit ?? conv.convert(declarations, src);
      lastOutput = result as { declOutput?: string };
      return result;
    },
    inspect: (declarations, src, position) => conv.inspect((prevDecl = declarations), src, position),
    complete: (declarations, src, position) => conv.complete((prevDecl = declarations), src, position),
    close: () => conv.close(),
  });
  let node: Converter | undefined;
  let browser: Converter | undefined;
  const convs: ConverterSet = {
    get node() {
      return (node ??= followed(wrap(tslab.converter.createConverter({ isJS: false, isBrowser: false }))));
    },
    get browser() {
      return (browser ??= wrap(tslab.converter.createConverter({ isJS: false, isBrowser: true })));
    },
    close() {
      node?.close();
      browser?.close();
    },
  };
  void convs.node; // warm the converter, as tslab does

  const printPlain = (value: unknown): void => console.log(value);
  const executor = tslab.executor.createExecutor(process.cwd(), convs, {
    log: (value: unknown) => hooks.onLastValue(value, printPlain),
    error: (...args: unknown[]) => console.error(...args),
  });
  let cellFailed = false;
  let sigints = 0;
  const execute = executor.execute.bind(executor);
  executor.execute = async (src: string): Promise<boolean> => {
    cellFailed = false;
    const before = sigints;
    const meta = tslab.metadata.getCodeMetadata(src);
    const nodeCell = !meta.module && meta.mode !== 'browser'; // what tslab compiles with convs.node
    if (nodeCell) {
      const declarations = prevDecl;
      const result = convs.node.convert(declarations, src);
      compiled = { prevDecl: declarations, src, result };
    }
    for (let hop = 0; hop < 2; hop++) await new Promise((resolve) => setImmediate(resolve)); // a SIGINT during the compilation is handled here
    if (sigints !== before) {
      compiled = undefined;
      console.error('Interrupted: Ctrl+C came while the cell was being compiled, so it did not run.');
      return false;
    }
    const ok = await execute(src);
    if (ok && nodeCell) prevDecl = lastOutput?.declOutput || '';
    return ok && !cellFailed;
  };

  const handler = new tslab.jupyter.JupyterHandlerImpl(executor, false);
  const server = new tslab.jupyter.ZmqServer(handler, configPath);
  server.init = () => bindThenListen(server, tslab.zmq);

  // One publisher per execute_request, handed to the handler when that request's turn comes.
  const publishers = new WeakMap<object, Publish>();
  let current: Publish | undefined;
  const serverExecute = server.handleExecute.bind(server);
  server.handleExecute = (sock: unknown, msg: ZmqMessage): Promise<void> => {
    publishers.set(msg.content, (msgType, content) => {
      const reply = msg.createReply();
      reply.header.msg_type = msgType;
      reply.content = content;
      reply.signAndSend(server.connInfo.key, server.iopub);
    });
    return serverExecute(sock, msg);
  };
  const handleExecute = handler.handleExecute.bind(handler);
  handler.handleExecute = async (req, writeStream, writeDisplayData) => {
    const reply = await handleExecute(req, writeStream, writeDisplayData);
    if (reply.status === 'error' && req.stop_on_error === false) handler.execQueue.reset();
    return reply;
  };
  const handlerExecute = handler.handleExecuteImpl.bind(handler);
  handler.handleExecuteImpl = (req: object, writeStream: unknown, writeDisplayData: unknown): Promise<unknown> => {
    current = publishers.get(req) ?? current;
    return handlerExecute(req, writeStream, writeDisplayData);
  };

  process.on('SIGINT', () => {
    sigints++;
    executor.interrupt();
  });
  process.on('uncaughtException', (err) => console.error('UncaughtException:', err));
  process.on('unhandledRejection', (reason) => console.error('UnhandledPromiseRejection:', reason));
  server.init().catch((e: unknown) => {
    // e.g. a port already in use: a kernel that cannot bind can never answer; exiting lets Jupyter see it die
    writeStderr(`genbook kernel: could not bind its sockets (${e instanceof Error ? e.message : String(e)}); the kernel exits`);
    process.exit(1);
  });

  return {
    publisher: () => current,
    executionCount: () => handler.execCount,
    failCurrentCell: () => {
      cellFailed = true;
    },
    defineGlobal: (name, value) => {
      (globalThis as Record<string, unknown>)[name] = value;
      executor.locals[name] = value;
    },
  };
}
