/**
 * Bursts of IOPub messages on the genbook kernel (issue 10, session 2). tslab 1.0.22 never awaits
 * zeromq's `send`; zeromq 6 defers every 513th send on a socket to the event loop's check phase and
 * throws "Socket is busy writing" at any send made before it. Unguarded, the kernel lost printed
 * lines, failed progress-bar updates and lost `idle` status messages (the cell never finished).
 * tools/src/kernel/socket-sends.ts guards the sockets (tslab-internals.ts hands tslab guarded
 * proxies); here: its behaviour on real zeromq sockets, and the fixture
 * tests/fixtures/notebooks/kernel-burst.ipynb through the runner.
 */
import { expect } from 'chai';
import * as path from 'path';
import * as zmq from 'zeromq';
import type { ICodeCell, IOutput } from '@jupyterlab/nbformat';
import { describeMessage, guardSocket } from '../../tools/src/kernel/socket-sends';
import { kernelSpec } from '../../tools/src/kernel/spec';
import { kernelSocketOptions } from '../../tools/src/kernel/tslab-internals';
import { channelAddress } from '../../tools/src/runner/connection';
import { executeNotebook, type NotebookReport } from '../../tools/src/runner/executor';
import { startKernel } from '../../tools/src/runner/kernel-manager';
import { joinLines, readNotebook } from '../../tools/src/runner/nbformat';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'notebooks');
/** Progress steps = printed lines per burst cell (the fixture's N). */
const N = 3000;

/**
 * A bound Publisher and a Subscriber connected to it that has already received one message. The
 * Publisher has no send high-water mark unless `sendHighWaterMark` says otherwise: with zeromq's
 * default (1000), PUB drops the messages of a burst that the subscriber has not taken yet.
 */
async function pubSub(sendHighWaterMark = 0): Promise<{ pub: zmq.Publisher; sub: zmq.Subscriber; close(): void }> {
  const pub = new zmq.Publisher({ linger: 0, sendHighWaterMark });
  await pub.bind('tcp://127.0.0.1:*');
  const sub = new zmq.Subscriber({ linger: 0 });
  sub.connect(pub.lastEndpoint!);
  sub.subscribe();
  // PUB drops messages until the subscription has arrived: say hello until one gets through.
  const hello = setInterval(() => void pub.send(['hello']).catch(() => undefined), 10);
  try {
    for (;;) {
      const [first] = await sub.receive();
      if (first.toString() === 'hello') break;
    }
  } finally {
    clearInterval(hello);
  }
  return { pub, sub, close: () => (pub.close(), sub.close()) };
}

/**
 * The second frames of the messages tagged `tag` (first frame), until `count` have arrived or none
 * came for 3 s (so a lost message fails the assertion instead of hanging the test).
 */
async function receiveTagged(sub: zmq.Subscriber, tag: string, count: number): Promise<string[]> {
  const got: string[] = [];
  sub.receiveTimeout = 3000;
  try {
    while (got.length < count) {
      const [first, second] = await sub.receive();
      if (first.toString() === tag) got.push(second.toString());
    }
  } catch (e) {
    if ((e as { code?: string }).code !== 'EAGAIN') throw e;
  }
  return got;
}

const numbers = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i));

describe('kernel socket sends: guardSocket on real zeromq sockets', function () {
  this.timeout(30_000);

  it('zeromq alone throws EBUSY within a synchronous burst of sends (the failure being guarded)', async () => {
    const { pub, close } = await pubSub();
    // The sends zeromq accepted: a deferred one still pending at close() would reject with ENOTSOCK
    // after the test (an unhandled rejection), so every one is caught and awaited before closing.
    const accepted: Promise<unknown>[] = [];
    try {
      let thrown: unknown;
      let sent = 0;
      try {
        for (let i = 0; i < 2000; i++) {
          accepted.push(pub.send(['x', String(i)]).catch((e: unknown) => e));
          sent++;
        }
      } catch (e) {
        thrown = e;
      }
      expect((thrown as { code?: string } | undefined)?.code).to.equal('EBUSY');
      expect(sent).to.be.below(2000);
      // …and `send` cannot be replaced on the socket (sealed object, read-only prototype method).
      expect(() => Object.assign(pub, { send: () => Promise.resolve() })).to.throw(TypeError);
    } finally {
      await Promise.race([Promise.all(accepted), new Promise((resolve) => setTimeout(resolve, 5000))]);
      close();
    }
  });

  it('delivers a synchronous burst of 5000 sends in order with the default send timeout (queueing the busy ones)', async () => {
    const { pub, sub, close } = await pubSub();
    try {
      const log: string[] = [];
      const { socket, stats } = guardSocket(pub, 'iopub', { log: (line) => log.push(line) });
      const receiving = receiveTagged(sub, 'n', 5000);
      for (const n of numbers(5000)) void socket.send(['n', n]);
      expect(await receiving).to.deep.equal(numbers(5000));
      expect(stats.queued).to.be.greaterThan(0); // the queue was used, not only zeromq's fast path
      expect(stats.failed).to.equal(0);
      expect(log).to.deep.equal([]);
    } finally {
      close();
    }
  });

  it('with sendTimeout 0 (as in the kernel) sends every message at once, none queued', async () => {
    const { pub, sub, close } = await pubSub();
    try {
      const { socket, stats } = guardSocket(pub, 'iopub', { log: () => undefined, sendTimeout: 0 });
      expect(pub.sendTimeout).to.equal(0);
      const receiving = receiveTagged(sub, 'n', 5000);
      for (const n of numbers(5000)) void socket.send(['n', n]);
      expect(stats).to.deep.equal({ sent: 5000, queued: 0, failed: 0 });
      expect(await receiving).to.deep.equal(numbers(5000));
    } finally {
      close();
    }
  });

  it("with the kernel's IOPub options, a reader that waits 1 s during a 50 MB burst still gets every message", async () => {
    const { pub, sub, close } = await pubSub(1000); // zeromq's default; the kernel's options lift it
    try {
      const { socket, stats } = guardSocket(pub, 'iopub', { log: () => undefined, ...kernelSocketOptions('iopub') });
      expect(pub.sendHighWaterMark).to.equal(0);
      const body = 'x'.repeat(10_000);
      for (const n of numbers(5000)) void socket.send(['n', n, body]);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await receiveTagged(sub, 'n', 5000)).to.deep.equal(numbers(5000));
      expect(stats.failed).to.equal(0);
    } finally {
      close();
    }
  });

  it('never throws into the caller: a failed send resolves and is logged with its Jupyter msg_type', async () => {
    const pub = new zmq.Publisher({ linger: 0 });
    const log: string[] = [];
    const { socket, stats } = guardSocket(pub, 'iopub', { log: (line) => log.push(line) });
    socket.close(); // the proxy passes other methods on to the socket
    expect(pub.closed).to.equal(true);
    const header = JSON.stringify({ msg_type: 'status', msg_id: 'm1' });
    const message = [Buffer.from('<IDS|MSG>'), 'hmac', header, '{}', '{}', '{"execution_state":"idle"}'];
    expect(describeMessage(message)).to.equal('status');
    expect(() => pub.send(message)).to.throw(/Socket is closed/); // what tslab would get unguarded
    await socket.send(message); // resolves, does not throw or reject
    expect(stats.failed).to.equal(1);
    expect(log).to.have.length(1);
    expect(log[0]).to.match(/^genbook kernel: iopub send of status failed: .+/);
  });
});

describe('genbook kernel: IOPub bursts through the runner (kernel-burst.ipynb)', function () {
  this.timeout(180_000);
  let report: NotebookReport;
  const cells = new Map<string, ICodeCell>();

  before(async () => {
    const file = path.join(FIXTURES, 'kernel-burst.ipynb');
    // A short cell timeout: without the fix a burst cell never finishes (its idle status is lost).
    report = await executeNotebook(readNotebook(file), { spec: kernelSpec(), kernelName: 'genbook', cwd: FIXTURES, timeoutSeconds: 30, interruptGraceSeconds: 2, extraEnv: { GENBOOK_QUICK: '1' } });
    for (const cell of report.notebook.cells) {
      if (cell.cell_type !== 'code') continue;
      const name = /^\/\/ ([\w-]+)/.exec(joinLines(cell.source))?.[1];
      if (!name) throw new Error(`fixture cell without a // name line: ${joinLines(cell.source)}`);
      cells.set(name, cell as ICodeCell);
    }
  });

  const outputs = (name: string): IOutput[] => {
    const cell = cells.get(name);
    expect(cell, `cell ${name}`).to.not.equal(undefined);
    return cell!.outputs;
  };
  const stream = (name: string, which: 'stdout' | 'stderr'): string =>
    outputs(name)
      .filter((o) => o.output_type === 'stream' && o.name === which)
      .map((o) => joinLines(o.text as string | string[]))
      .join('');

  it('runs every cell without an error, and the kernel is alive at the end', () => {
    expect(report.startError).to.equal(undefined);
    expect(report.cells.map((c) => c.status)).to.deep.equal(Array(report.codeCount).fill('ok'));
    expect(report.executed).to.equal(report.codeCount);
    expect(report.errors).to.deep.equal([]);
    for (const name of cells.keys()) {
      expect(outputs(name).filter((o) => o.output_type === 'error'), `errors of ${name}`).to.deep.equal([]);
      expect(stream(name, 'stderr'), `stderr of ${name}`).to.equal('');
    }
    // The last cell ran after all the bursts, on the same kernel.
    expect(stream('alive', 'stdout')).to.equal('alive 42\n');
  });

  it('delivers every printed line of each burst, in order', () => {
    for (const label of ['burst-1', 'burst-2', 'burst-3']) {
      const expected = Array.from({ length: N }, (_, i) => `${label} ${i + 1}\n`).join('');
      const got = stream(label, 'stdout');
      expect(got.length, `${label} stdout length`).to.equal(expected.length);
      expect(got === expected, `${label}: all ${N} lines in order`).to.equal(true);
    }
  });

  // `gap` is updated only after its cell finished, with that cell as parent (the runner applies such
  // updates to the display: executor.ts); `late` goes on while the next cells run and between them.
  it('shows each progress bar at 100 %, also those updated after their cell finished', () => {
    for (const label of ['burst-1', 'burst-2', 'burst-3', 'gap', 'late']) {
      const displays = outputs(label).filter((o) => o.output_type === 'display_data');
      expect(displays, `display outputs of ${label}`).to.have.length(1);
      const data = displays[0].data as Record<string, string>;
      expect(data['text/plain']).to.match(new RegExp(`^${label} \\[#{24}\\] ${N}/${N} 100% · done in `));
      expect(data['text/html']).to.contain(`${N}/${N} (100%)`);
    }
    expect(stream('during-late-1', 'stdout')).to.equal('during-late-1\n');
    expect(stream('during-late-2', 'stdout')).to.equal('during-late-2\n');
    expect(stream('wait-late', 'stdout')).to.equal('late done\n');
  });
});

describe('genbook kernel: every socket works through the guarded proxies', function () {
  this.timeout(120_000);

  it('answers on shell and control, echoes heartbeats, shuts down cleanly with nothing logged', async () => {
    const { kernel } = await startKernel({ spec: kernelSpec(), kernelName: 'genbook', cwd: FIXTURES });
    try {
      const run = kernel.client.request('shell', 'execute_request', { code: 'console.log(6 * 7);', silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
      expect((await run.reply).content.status).to.equal('ok');
      const info = await kernel.client.request('control', 'kernel_info_request', {}).reply;
      expect(info.header.msg_type).to.equal('kernel_info_reply');
      const hb = new zmq.Request({ linger: 0, receiveTimeout: 10_000 });
      try {
        hb.connect(channelAddress(kernel.info, 'hb'));
        for (const ping of ['ping-1', 'ping-2']) {
          await hb.send(ping);
          const [echo] = await hb.receive();
          expect(echo.toString()).to.equal(ping);
        }
      } finally {
        hb.close();
      }
    } finally {
      const exit = await kernel.shutdown();
      expect(exit).to.deep.equal({ code: 0, signal: null }); // shutdown_request honoured, not killed
      expect(kernel.stderr).to.equal(''); // no send failure was logged
    }
  });
});
