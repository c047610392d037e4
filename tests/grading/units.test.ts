/** Unit tests of the grading pieces: regions and stubs, points, source maps, bundles, reports, the sandbox's read list. */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundle, CompileError, requiredSpecifiers, transpile } from '../../tools/src/grading/compile';
import { formatPoints, parsePoints } from '../../tools/src/grading/points';
import { findRegions, generateStub, RegionError } from '../../tools/src/grading/regions';
import { feedbackMarkdown, gradebookCsv, StudentReport } from '../../tools/src/grading/report';
import { readablePaths } from '../../tools/src/grading/sandbox';
import { lineMap, originalLine } from '../../tools/src/grading/sourcemap';
import { exportsProxy, MissingExportError } from '../../tools/src/grading/target-runtime';
import { PassThrough } from 'stream';
import { appendTail, readJsonLines } from '../../tools/src/grading/json-lines';

const ROOT = path.resolve(__dirname, '..', '..');

describe('solution regions and stubs', () => {
  const source = [
    "import { tf } from 'genbook';",
    '/** Doubles. */',
    'export function double(x: number): number {',
    '  // BEGIN SOLUTION',
    '  const y = x * 2;',
    '  return y;',
    '  // END SOLUTION',
    '}',
    'export const half = (x: number): number => {',
    '    // BEGIN SOLUTION',
    '    return x / 2;',
    '    // END SOLUTION',
    '};',
    '',
  ].join('\n');

  it('finds each region with its function name and indentation', () => {
    expect(findRegions(source).map((r) => [r.begin, r.end, r.functionName, r.indent])).to.deep.equal([
      [3, 6, 'double', '  '],
      [9, 11, 'half', '    '],
    ]);
  });

  it('replaces each region by a throw naming the function, keeping everything else', () => {
    const stub = generateStub(source, 'hw09');
    expect(stub).to.contain("import { tf } from 'genbook';\n/** Doubles. */\nexport function double(x: number): number {\n  throw new Error(\"hw09: double is not implemented yet (write it in notebooks/homework/hw09.ts)\");\n}");
    expect(stub).to.contain('    throw new Error("hw09: half is not implemented yet');
    expect(stub).not.to.contain('x * 2');
    expect(stub.startsWith('// hw09: your homework.')).to.equal(true);
  });

  it('rejects unclosed, nested, stray and top-level regions', () => {
    expect(() => findRegions('function f() {\n// BEGIN SOLUTION\n}\n')).to.throw(RegionError, /never closed/);
    expect(() => findRegions('function f() {\n// BEGIN SOLUTION\n// BEGIN SOLUTION\n// END SOLUTION\n}\n')).to.throw(RegionError, /inside the region/);
    expect(() => findRegions('// END SOLUTION\n')).to.throw(RegionError, /without/);
    expect(() => findRegions('// BEGIN SOLUTION\nconst a = 1;\n// END SOLUTION\n')).to.throw(RegionError, /inside a function body/);
    expect(() => findRegions('function f() {\n  x(); // BEGIN SOLUTION\n}\n')).to.throw(RegionError, /alone on its line/);
  });
});

describe('points in titles', () => {
  it('parses [N pt] and [N pts], fractional too, and leaves other titles alone', () => {
    expect(parsePoints('works [2 pts]')).to.deep.equal({ title: 'works', points: 2 });
    expect(parsePoints('works [1 pt]')).to.deep.equal({ title: 'works', points: 1 });
    expect(parsePoints('works [0.5 pts] ')).to.deep.equal({ title: 'works', points: 0.5 });
    expect(parsePoints('no points here')).to.deep.equal({ title: 'no points here', points: undefined });
    expect(parsePoints('[2 pts] at the start')).to.deep.equal({ title: '[2 pts] at the start', points: undefined });
    expect(formatPoints(1)).to.equal('1 pt');
    expect(formatPoints(2.5)).to.equal('2.5 pts');
  });
});

describe('compiling for the sandbox', () => {
  it('maps a line of the compiled JavaScript back to the TypeScript line', () => {
    const ts = ['type A = number;', 'interface B { x: A }', '', 'export function f(b: B): number {', '  return b.x.toFixed();', '}', ''].join('\n');
    const out = transpile(ts, 'x.ts');
    const line = out.code.split('\n').findIndex((l) => l.includes('toFixed')) + 1;
    expect(originalLine(lineMap(out.map ?? ''), line)).to.equal(5);
  });

  it('reports syntax errors with file, line and column', () => {
    expect(() => transpile('const a = (1;\n', 'bad.ts')).to.throw(CompileError, /syntax error in bad\.ts:\nbad\.ts:1:\d+ /);
  });

  it('bundles relative imports, leaves provided ones, and refuses to leave the folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-bundle-'));
    try {
      fs.mkdirSync(path.join(dir, 'sub'));
      fs.writeFileSync(path.join(dir, 'main.ts'), "import { g } from './sub/helper';\nimport type { T } from './types';\nimport { p } from './provided';\nexport const f = (t: T) => g(t) + p;\n");
      fs.writeFileSync(path.join(dir, 'sub', 'helper.ts'), 'export const g = (x: number) => x + 1;\n');
      fs.writeFileSync(path.join(dir, 'types.ts'), 'export type T = number;\n');
      const b = bundle(dir, path.join(dir, 'main.ts'), { provided: new Set(['provided.ts']) });
      expect(Object.keys(b.modules).sort()).to.deep.equal(['main.ts', 'sub/helper.ts']);
      expect(requiredSpecifiers(b.modules['main.ts'].code)).to.deep.equal(['./sub/helper', './provided']);
      fs.writeFileSync(path.join(dir, 'sub', 'helper.ts'), "export { x as g } from '../../outside';\n");
      expect(() => bundle(dir, path.join(dir, 'main.ts'), { provided: new Set(['provided.ts']) })).to.throw(CompileError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the exports proxy', () => {
  it('turns a missing export into MissingExportError and passes others through', () => {
    const m = exportsProxy<{ a: number; b: number }>({ a: 1 }, 'hw07');
    expect(m.a).to.equal(1);
    expect(() => m.b).to.throw(MissingExportError, 'hw07.ts does not export "b"');
    expect((m as unknown as { then?: unknown }).then).to.equal(undefined);
  });
});

describe("the sandbox's read list", () => {
  it('lists package folders but neither node_modules itself nor the workspace links', () => {
    const paths = readablePaths(ROOT, '/tmp/scratch');
    const nm = path.join(ROOT, 'node_modules');
    expect(paths).not.to.include(nm);
    expect(paths).not.to.include(path.join(nm, 'genbook'));
    expect(paths).not.to.include(path.join(nm, 'genbook-tools'));
    // A scope folder with no links in it is listed whole (the resolver looks in @scope/node_modules).
    expect(paths).to.include.members([path.join(nm, 'chai'), path.join(nm, '@tensorflow'), path.join(ROOT, 'lib', 'dist'), '/tmp/scratch']);
    expect(paths.filter((p) => p.startsWith(path.join(ROOT, 'solutions')) || p.startsWith(path.join(ROOT, 'tests')))).to.deep.equal([]);
  });
});

describe('gradebook and feedback', () => {
  const report: StudentReport = {
    schema: 'genbook-grade-report/1',
    student: 'kim, "jr"',
    gradedAt: '2025-01-01T00:00:00.000Z',
    hiddenIncluded: true,
    points: 3,
    max: 5,
    public: { points: 2, max: 3 },
    hidden: { points: 1, max: 2 },
    weeks: [
      {
        week: 'hw01',
        file: 'hw01.ts',
        present: true,
        points: 3,
        max: 5,
        public: { points: 2, max: 3 },
        hidden: { points: 1, max: 2 },
        typeErrors: [],
        tests: [
          { id: 'a', kind: 'public', suite: ['T1'], title: 'ok', points: 2, max: 2, passed: true, status: 'passed', message: '', durationMs: 1 },
          { id: 'b', kind: 'public', suite: ['T1'], title: 'bad | pipe', points: 0, max: 1, passed: false, status: 'failed', message: 'expected 1 to equal 2', durationMs: 1 },
          { id: 'c', kind: 'hidden', suite: ['T2'], title: 'secret', points: 0, max: 1, passed: false, status: 'failed', message: 'expected 41 to equal 42', durationMs: 1 },
          { id: 'd', kind: 'hidden', suite: ['T2'], title: 'fine', points: 1, max: 1, passed: true, status: 'passed', message: '', durationMs: 1 },
        ],
      },
    ],
    run: { processes: 1, durationMs: 10, stdoutTail: '', stderrTail: '' },
  };

  it('writes one CSV row per student, quoting names', () => {
    expect(gradebookCsv([report], ['hw01'])).to.equal('student,hw01,total,max,public,public_max,hidden,hidden_max\n"kim, ""jr""",3,3,5,2,3,1,2\n');
  });

  it('shows public messages but hidden tests only by title and result', () => {
    const md = feedbackMarkdown(report);
    expect(md).to.contain('expected 1 to equal 2');
    expect(md).to.contain('bad \\| pipe');
    expect(md).to.contain('| T2 | secret | 0 / 1 | not passed |');
    expect(md).not.to.contain('expected 41 to equal 42');
  });
});

describe('the JSON-lines reader of the grading pipes', () => {
  it('passes whole JSON objects, skips anything else, and reports a line past the cap', async () => {
    const stream = new PassThrough();
    const got: unknown[] = [];
    let overflows = 0;
    readJsonLines(stream, 64, (m) => got.push(m), () => overflows++);
    stream.write('{"a":1}\n{"b":');
    stream.write('2}\nnot json\n[1,2]\n"text"\n{"c":3}');
    await new Promise((r) => setImmediate(r));
    expect(got).to.deep.equal([{ a: 1 }, { b: 2 }]); // {"c":3} has no newline yet
    stream.write('\n' + 'x'.repeat(100));
    await new Promise((r) => setImmediate(r));
    expect(got).to.deep.equal([{ a: 1 }, { b: 2 }, { c: 3 }]);
    expect(overflows).to.equal(1);
    expect(appendTail('abc', 'def', 4)).to.equal('cdef');
  });
});
