/**
 * The runner's parts that need no kernel: message signing and framing, output collection with
 * nbclient's rules, the nbformat reader/writer/validator, ports, and the summary table.
 */
import { expect } from 'chai';
import { execFileSync } from 'child_process';
import { createHmac } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { ICodeCell, IOutput } from '@jupyterlab/nbformat';
import { freePorts, newConnectionInfo, channelAddress } from '../../tools/src/runner/connection';
import { DELIMITER, Message, MessageCodec } from '../../tools/src/runner/message';
import { coalesceStreams, OutputCollector } from '../../tools/src/runner/outputs';
import { NotebookFormatError, parseNotebook, readNotebook, serializeNotebook, splitLines, validateNotebook, writeNotebook, Notebook } from '../../tools/src/runner/nbformat';
import { executedPath } from '../../tools/src/runner/run';
import { summaryTable } from '../../tools/src/commands/notebooks';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'runner');

describe('runner: message signing and framing', () => {
  it('signs with HMAC-SHA256 over the frames in order (RFC 4231 test case 2)', () => {
    // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?"; the frames are hashed as one stream.
    const codec = new MessageCodec('Jefe');
    expect(codec.sign(['what do ya want ', 'for nothing?'])).to.equal('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(new MessageCodec('').sign(['anything'])).to.equal('');
  });

  it('frames a message as identities, <IDS|MSG>, signature, four JSON parts, buffers', () => {
    const codec = new MessageCodec('secret-key', 'session-1', 'ada');
    const msg = codec.request('execute_request', { code: '1 + 1', silent: false });
    msg.buffers = [Buffer.from([1, 2, 3])];
    const frames = codec.encode(msg, [Buffer.from('route-a')]);
    expect(frames.map((f) => f.toString())).to.have.length(8);
    expect(frames[0].toString()).to.equal('route-a');
    expect(frames[1].toString()).to.equal(DELIMITER);
    const expected = createHmac('sha256', 'secret-key').update(frames[3]).update(frames[4]).update(frames[5]).update(frames[6]).digest('hex');
    expect(frames[2].toString()).to.equal(expected);
    const header = JSON.parse(frames[3].toString());
    expect(header).to.include({ msg_type: 'execute_request', session: 'session-1', username: 'ada', version: '5.3' });
    expect(header.msg_id).to.match(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(frames[4].toString())).to.deep.equal({});
    expect(JSON.parse(frames[6].toString())).to.deep.equal({ code: '1 + 1', silent: false });
    expect([...frames[7]]).to.deep.equal([1, 2, 3]);
  });

  it('decodes what it encodes, keeping identities and buffers', () => {
    const codec = new MessageCodec('k');
    const msg = codec.request('kernel_info_request', {});
    msg.parent_header = { msg_id: 'parent-1' };
    const { identities, message } = codec.decode(codec.encode(msg, [Buffer.from('id1'), Buffer.from('id2')]));
    expect(identities.map(String)).to.deep.equal(['id1', 'id2']);
    expect(message.header).to.deep.equal(msg.header);
    expect(message.parent_header).to.deep.equal({ msg_id: 'parent-1' });
    expect(message.buffers).to.deep.equal([]);
  });

  it('rejects a tampered message, a wrong key and a frame list without delimiter', () => {
    const codec = new MessageCodec('right');
    const frames = codec.encode(codec.request('status', { execution_state: 'idle' }));
    const tampered = frames.slice();
    tampered[5] = Buffer.from(JSON.stringify({ execution_state: 'busy' }));
    expect(() => codec.decode(tampered)).to.throw(/invalid signature/);
    expect(() => new MessageCodec('wrong').decode(frames)).to.throw(/invalid signature/);
    expect(() => codec.decode(frames.slice(2))).to.throw(/no <IDS\|MSG> delimiter/);
    expect(() => codec.decode(frames.slice(0, 4))).to.throw(/frames after the delimiter/);
  });
});

/** An IOPub message as a kernel would send it for the request `parent`. */
function iopub(type: string, content: Record<string, unknown>, parent = 'req'): Message {
  return {
    header: { msg_id: Math.random().toString(16).slice(2), msg_type: type, session: 's', username: 'k', date: '2024-01-01T00:00:00Z', version: '5.3' },
    parent_header: { msg_id: parent },
    metadata: {},
    content,
    buffers: [],
  };
}

function codeCell(): ICodeCell {
  return { cell_type: 'code', id: Math.random().toString(16).slice(2, 10), metadata: {}, source: '', outputs: [], execution_count: null };
}

describe('runner: outputs from IOPub messages (nbclient rules)', () => {
  it('makes stream, display_data, execute_result and error outputs; status and execute_input add none', () => {
    const cells = [codeCell()];
    const c = new OutputCollector(cells);
    c.beginCell(0);
    c.handle(iopub('status', { execution_state: 'busy' }), 0);
    c.handle(iopub('execute_input', { code: 'x', execution_count: 4 }), 0);
    c.handle(iopub('stream', { name: 'stdout', text: 'hi\n' }), 0);
    c.handle(iopub('display_data', { data: { 'text/plain': 'd' }, metadata: { m: 1 } }), 0);
    c.handle(iopub('execute_result', { data: { 'text/plain': '2' }, metadata: {}, execution_count: 4 }), 0);
    c.handle(iopub('error', { ename: 'E', evalue: 'v', traceback: ['E: v'] }), 0);
    expect(cells[0].execution_count).to.equal(4);
    expect(cells[0].outputs).to.deep.equal([
      { output_type: 'stream', name: 'stdout', text: 'hi\n' },
      { output_type: 'display_data', data: { 'text/plain': 'd' }, metadata: { m: 1 } },
      { output_type: 'execute_result', data: { 'text/plain': '2' }, metadata: {}, execution_count: 4 },
      { output_type: 'error', ename: 'E', evalue: 'v', traceback: ['E: v'] },
    ]);
  });

  it('updates every earlier output with a display id in place, also in earlier cells', () => {
    const cells = [codeCell(), codeCell()];
    const c = new OutputCollector(cells);
    const withId = (data: Record<string, unknown>, type = 'display_data'): Message => iopub(type, { data, metadata: {}, transient: { display_id: 'bar' } });
    c.beginCell(0);
    c.handle(iopub('stream', { name: 'stdout', text: 'a\n' }), 0);
    c.handle(withId({ 'text/plain': 'step 1' }), 0);
    c.handle(withId({ 'text/plain': 'step 2' }, 'update_display_data'), 0);
    c.beginCell(1);
    // A second display with the same id: shown again, and the first copy is updated too.
    c.handle(withId({ 'text/plain': 'step 3' }), 1);
    c.handle(withId({ 'text/plain': 'final' }, 'update_display_data'), 1);
    c.handle(iopub('update_display_data', { data: { 'text/plain': 'nobody' }, metadata: {}, transient: { display_id: 'unknown' } }), 1);
    expect(cells[0].outputs).to.deep.equal([
      { output_type: 'stream', name: 'stdout', text: 'a\n' },
      { output_type: 'display_data', data: { 'text/plain': 'final' }, metadata: {} },
    ]);
    expect(cells[1].outputs).to.deep.equal([{ output_type: 'display_data', data: { 'text/plain': 'final' }, metadata: {} }]);
  });

  it('applyDisplayUpdate (an update after its cell finished) replaces the display and appends nothing; other messages are ignored', () => {
    const cells = [codeCell(), codeCell()];
    const c = new OutputCollector(cells);
    c.beginCell(0);
    c.handle(iopub('display_data', { data: { 'text/plain': '0/3' }, metadata: {}, transient: { display_id: 'bar' } }), 0);
    c.beginCell(1);
    c.handle(iopub('stream', { name: 'stdout', text: 'next\n' }), 1);
    c.applyDisplayUpdate(iopub('update_display_data', { data: { 'text/plain': '3/3' }, metadata: { done: true }, transient: { display_id: 'bar' } }));
    // Only update_display_data counts: a late display_data or stream with the id adds or changes nothing.
    c.applyDisplayUpdate(iopub('display_data', { data: { 'text/plain': 'shown again' }, metadata: {}, transient: { display_id: 'bar' } }));
    c.applyDisplayUpdate(iopub('update_display_data', { data: { 'text/plain': 'nobody' }, metadata: {}, transient: { display_id: 'unknown' } }));
    c.applyDisplayUpdate(iopub('update_display_data', { data: { 'text/plain': 'no id' }, metadata: {} }));
    expect(cells[0].outputs).to.deep.equal([{ output_type: 'display_data', data: { 'text/plain': '3/3' }, metadata: { done: true } }]);
    expect(cells[1].outputs).to.deep.equal([{ output_type: 'stream', name: 'stdout', text: 'next\n' }]);
  });

  it('clears outputs at once, or before the next output with wait=true', () => {
    const cells = [codeCell()];
    const c = new OutputCollector(cells);
    c.beginCell(0);
    for (const i of [0, 1, 2]) {
      c.handle(iopub('clear_output', { wait: true }), 0);
      expect(cells[0].outputs.length, 'a waiting clear keeps the old output until the next').to.equal(i === 0 ? 0 : 1);
      c.handle(iopub('stream', { name: 'stdout', text: `${i}\n` }), 0);
    }
    expect(cells[0].outputs).to.deep.equal([{ output_type: 'stream', name: 'stdout', text: '2\n' }]);
    c.handle(iopub('clear_output', { wait: false }), 0);
    expect(cells[0].outputs).to.deep.equal([]);
  });

  it('a cleared display id no longer points at the cleared output', () => {
    const cells = [codeCell()];
    const c = new OutputCollector(cells);
    c.beginCell(0);
    c.handle(iopub('display_data', { data: { 'text/plain': 'old' }, metadata: {}, transient: { display_id: 'x' } }), 0);
    c.handle(iopub('clear_output', { wait: false }), 0);
    c.handle(iopub('stream', { name: 'stdout', text: 'new\n' }), 0);
    c.handle(iopub('update_display_data', { data: { 'text/plain': 'updated' }, metadata: {}, transient: { display_id: 'x' } }), 0);
    expect(cells[0].outputs).to.deep.equal([{ output_type: 'stream', name: 'stdout', text: 'new\n' }]);
  });

  it('merges consecutive streams of one name and applies carriage returns like nbconvert', () => {
    const s = (name: string, text: string): IOutput => ({ output_type: 'stream', name, text });
    const d: IOutput = { output_type: 'display_data', data: { 'text/plain': 'x' }, metadata: {} };
    expect(coalesceStreams([s('stdout', 'a\n'), s('stdout', 'b\n'), s('stderr', 'e\n'), s('stderr', 'f'), d, s('stdout', 'c\n')])).to.deep.equal([
      s('stdout', 'a\nb\n'),
      s('stderr', 'e\nf'),
      d,
      s('stdout', 'c\n'),
    ]);
    // nbconvert: re.sub(r".*\r(?=[^\n])", "", text) — a \r followed by more text erases its line so far.
    expect(coalesceStreams([s('stdout', '10%\r'), s('stdout', '50%\r'), s('stdout', '100%\n')])).to.deep.equal([s('stdout', '100%\n')]);
    expect(coalesceStreams([s('stdout', 'keep\nx\ry\nend\r\n')])).to.deep.equal([s('stdout', 'keep\ny\nend\r\n')]);
    expect(coalesceStreams([s('stdout', ['li', 'st\n'] as unknown as string)])).to.deep.equal([s('stdout', 'list\n')]);
  });
});

describe('runner: nbformat reader, writer and validator', () => {
  const minimal = (): Notebook =>
    ({
      cells: [
        { cell_type: 'markdown', id: 'md-1', metadata: {}, source: '# Title\n\ntext' },
        { cell_type: 'code', id: 'code-1', metadata: {}, source: 'console.log(1)', outputs: [{ output_type: 'stream', name: 'stdout', text: '1\n2\n' }], execution_count: 1 },
      ],
      metadata: { kernelspec: { name: 'genbook', display_name: 'TypeScript (genbook)' } },
      nbformat: 4,
      nbformat_minor: 5,
    }) as unknown as Notebook;

  it('accepts a valid notebook and every fixture the runner executes', () => {
    expect(validateNotebook(minimal())).to.deep.equal([]);
    for (const f of ['outputs', 'failing', 'crash', 'timeout', 'python-outputs']) {
      expect(validateNotebook(JSON.parse(fs.readFileSync(path.join(FIXTURES, `${f}.ipynb`), 'utf8'))), f).to.deep.equal([]);
    }
  });

  it('names the cell, the output and the problem in an invalid notebook', () => {
    let error: unknown;
    try {
      readNotebook(path.join(FIXTURES, 'invalid.ipynb'));
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(NotebookFormatError);
    const problems = (error as NotebookFormatError).problems;
    expect(problems).to.include("/cells/1 (code): must have required property 'source'");
    expect(problems).to.include("/cells/2 (code)/outputs/0 (stream): must have required property 'name'");
    expect((error as Error).message).to.contain('invalid.ipynb: not a valid Jupyter notebook');
  });

  it('reports unreadable JSON, a wrong major version, a bad cell type and duplicate ids', () => {
    expect(() => readNotebook(path.join(FIXTURES, 'not-json.ipynb'))).to.throw(NotebookFormatError, /not JSON/);
    expect(() => readNotebook(path.join(FIXTURES, 'no-such.ipynb'))).to.throw(NotebookFormatError, /cannot read it/);
    expect(() => parseNotebook(JSON.stringify({ ...minimal(), nbformat: 3 }))).to.throw(/nbformat must be 4; got 3/);
    const badType = minimal();
    (badType.cells[0] as { cell_type: string }).cell_type = 'picture';
    expect(validateNotebook(badType)).to.deep.equal(['/cells/0: cell_type must be one of code, markdown, raw; got "picture"']);
    const dup = minimal();
    dup.cells[1].id = 'md-1';
    expect(validateNotebook(dup)).to.deep.equal(['/cells/1: id "md-1" is already used by /cells/0 (cell ids must be unique)']);
    const extra = { ...minimal(), colour: 'blue' };
    expect(validateNotebook(extra)).to.deep.equal(['/: must NOT have additional properties (colour)']);
  });

  it('upgrades a 4.4 notebook: every cell gets a unique id', () => {
    const old = minimal() as unknown as { nbformat_minor: number; cells: { id?: string }[] };
    old.nbformat_minor = 4;
    for (const c of old.cells) delete c.id;
    const nb = parseNotebook(JSON.stringify(old));
    expect(nb.nbformat_minor).to.equal(5);
    const ids = nb.cells.map((c) => c.id as string);
    expect(ids.every((id) => /^[0-9a-f]{8}$/.test(id))).to.equal(true);
    expect(new Set(ids).size).to.equal(ids.length);
  });

  it('writes like nbformat: sorted keys, indent 1, lists of lines, final newline; reads back equal', () => {
    const text = serializeNotebook(minimal());
    expect(text.endsWith('}\n')).to.equal(true);
    const lines = text.split('\n');
    expect(lines[1]).to.equal(' "cells": [');
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)).to.deep.equal(['cells', 'metadata', 'nbformat', 'nbformat_minor']);
    expect(Object.keys(parsed.cells[1])).to.deep.equal(['cell_type', 'execution_count', 'id', 'metadata', 'outputs', 'source']);
    expect(parsed.cells[0].source).to.deep.equal(['# Title\n', '\n', 'text']);
    expect(parsed.cells[1].outputs[0].text).to.deep.equal(['1\n', '2\n']);
    expect(splitLines('')).to.deep.equal([]);
    expect(splitLines('a\nb')).to.deep.equal(['a\n', 'b']);
  });

  it('writes byte for byte what the reference nbformat (Python) writes (numbers in exponent form aside: 1e-7 vs 1e-07)', () => {
    const nb = minimal();
    nb.metadata.language_info = { name: 'typescript', version: '5.0.4' };
    (nb.cells[1] as ICodeCell).outputs.push(
      { output_type: 'display_data', metadata: { isolated: true }, data: { 'image/png': 'aGVsbG8=', 'image/svg+xml': '<svg>\n</svg>', 'text/html': '<p>생성 모델 — “quotes” \\ \t tab</p>\n', 'application/vnd.plotly.v1+json': { data: [{ x: [1, 2], y: [3.5, -0.000125] }], layout: { title: { text: 'ü' } } } } },
      { output_type: 'execute_result', execution_count: 1, metadata: {}, data: { 'text/plain': 'a\nb\n\nc' } },
      { output_type: 'error', ename: 'Error', evalue: 'boom', traceback: ['Error: boom', '    at x'] },
    );
    const ours = serializeNotebook(nb);
    const python = execFileSync('/usr/bin/python3', ['-c', 'import nbformat, sys; sys.stdout.write(nbformat.writes(nbformat.reads(sys.stdin.read(), 4)) + "\\n")'], { input: ours, encoding: 'utf8' });
    expect(ours).to.equal(python);
  });

  it('keeps base64 images and JSON data whole, splits text and SVG', () => {
    const nb = minimal();
    (nb.cells[1] as ICodeCell).outputs = [
      { output_type: 'display_data', metadata: {}, data: { 'image/png': 'aGVsbG8=\n', 'image/svg+xml': '<svg>\n</svg>', 'text/html': '<p>\n</p>', 'application/vnd.plotly.v1+json': { data: [] } } },
    ];
    const data = JSON.parse(serializeNotebook(nb)).cells[1].outputs[0].data;
    expect(data).to.deep.equal({ 'application/vnd.plotly.v1+json': { data: [] }, 'image/png': 'aGVsbG8=\n', 'image/svg+xml': ['<svg>\n', '</svg>'], 'text/html': ['<p>\n', '</p>'] });
  });

  it('writes atomically and refuses to write an invalid notebook', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-nbformat-'));
    const file = path.join(dir, 'deep', 'x.ipynb');
    writeNotebook(file, minimal());
    expect(fs.readdirSync(path.dirname(file))).to.deep.equal(['x.ipynb']);
    const before = fs.readFileSync(file, 'utf8');
    const bad = minimal();
    delete (bad.cells[0] as { source?: unknown }).source;
    expect(() => writeNotebook(file, bad)).to.throw(NotebookFormatError, /must have required property 'source'/);
    expect(fs.readFileSync(file, 'utf8')).to.equal(before);
    expect(fs.readdirSync(path.dirname(file))).to.deep.equal(['x.ipynb']);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('runner: connection files and output paths', () => {
  it('hands out distinct free ports that can be bound', async () => {
    const a = await freePorts(5);
    const b = await freePorts(5);
    expect(new Set([...a, ...b]).size).to.equal(10);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(a[0], '127.0.0.1', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const info = await newConnectionInfo('genbook');
    expect(info.signature_scheme).to.equal('hmac-sha256');
    expect(info.key.length).to.be.greaterThan(16);
    expect(channelAddress(info, 'iopub')).to.equal(`tcp://127.0.0.1:${info.iopub_port}`);
    const rejected = await freePorts(0).then(() => undefined, (e: unknown) => e);
    expect(rejected).to.be.instanceOf(RangeError);
  });

  it('puts executed copies under build/notebooks, keeping the path inside notebooks/ or the project', () => {
    expect(executedPath('/r/notebooks/01-x.ipynb', '/r/build/notebooks', '/r')).to.equal('/r/build/notebooks/01-x.ipynb');
    expect(executedPath('/r/notebooks/homework/hw01.ipynb', '/r/build/notebooks', '/r')).to.equal('/r/build/notebooks/homework/hw01.ipynb');
    expect(executedPath('/r/tests/fixtures/a.ipynb', '/out', '/r')).to.equal('/out/tests/fixtures/a.ipynb');
    expect(executedPath('/elsewhere/b.ipynb', '/out', '/r')).to.equal('/out/b.ipynb');
  });

  it('summarises notebooks, cells, errors, stderr and seconds in a table', () => {
    const table = summaryTable([
      { file: '/x/a.ipynb', seconds: 1.25, report: { executed: 3, codeCount: 3, errors: [], cells: [{ stderr: true }], seconds: 1 } as never },
      { file: '/x/b.ipynb', seconds: 2, report: { executed: 1, codeCount: 4, errors: [{}], cells: [], seconds: 2 } as never },
      { file: '/x/c.ipynb', seconds: 0.1, failure: 'broken' },
    ]).split('\n');
    expect(lines(table[0])).to.deep.equal(['notebook', 'cells', 'errors', 'stderr', 'seconds']);
    expect(lines(table[2])).to.deep.equal(['/x/a.ipynb', '3/3', '0', '1', '1.3']);
    expect(lines(table[3])).to.deep.equal(['/x/b.ipynb', '1/4', '1', '0', '2.0']);
    expect(lines(table[4])).to.deep.equal(['/x/c.ipynb', '-', '1', '0', '0.1']);
    expect(lines(table[6])).to.deep.equal(['total', '(3', 'notebooks)', '2', '3.4']);
  });
});

function lines(row: string): string[] {
  return row.trim().split(/\s+/);
}
