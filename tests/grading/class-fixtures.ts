/**
 * The messy class the grading tests grade (class.test.ts, classroom, gradescope, lms, the attack
 * tests, bench/grade-30.ts), built at test time. Every submission is the current solution or stub
 * plus the few lines that make it what it is — a bug, a slip, a header comment — stored here as
 * edits, not copies, so a change to a solution cannot leave a stale fixture: the submissions follow
 * it, and an edit that no longer applies fails with the student, the week and the edit named (as
 * the mutant catalogues of tests/mutants/ do). Only what no solution or stub contains is committed:
 * tests/fixtures/class/cheater/.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyMutant } from '../../tools/src/grading/mutants';
import { findRegions, notImplementedMessage } from '../../tools/src/grading/regions';
import { expectedStub } from '../../tools/src/grading/validate';
import { layout } from '../../tools/src/grading/layout';

export const ROOT = path.resolve(__dirname, '..', '..');
/** The committed submissions that are not edits of a solution or stub. */
export const COMMITTED = path.join(ROOT, 'tests', 'fixtures', 'class');

/** One edit: `find` must occur exactly once — in the solution region of function `in`, or in the whole file. */
interface Edit {
  in?: string;
  find: string;
  replace: string;
}

type Submission =
  /** A committed file under tests/fixtures/class/<student>/. */
  | { committed: true }
  /**
   * The solution (or the stub with the regions of `solved` filled in from the solution, markers
   * included), then `edits` in order, then `header` on top.
   */
  | { from: 'solution' | 'stub'; solved?: string[]; edits?: Edit[]; header?: string };

const WEEKS = ['hw01', 'hw02', 'hw03', 'hw04', 'hw05', 'hw06'];
const all = (s: Submission): Record<string, Submission> => Object.fromEntries(WEEKS.map((w) => [w, s]));

/** Student → week → how the submission is made. */
const CLASS: Record<string, Record<string, Submission>> = {
  cheater: { hw01: { committed: true }, hw02: { committed: true } },
  correct: all({ from: 'solution' }),
  empty: all({ from: 'stub' }),
  'infinite-loop': {
    hw01: {
      from: 'solution',
      header: '// hw01 with an infinite loop in isPrefixFree (fixture for tests/grading/class.test.ts).\n',
      edits: [
        {
          in: 'isPrefixFree',
          find: '  for (let i = 0; i + 1 < sorted.length; i++) if (sorted[i + 1].startsWith(sorted[i])) return false;',
          replace: '  // bug: i is never incremented when the pair is fine\n  for (let i = 0; i + 1 < sorted.length; ) if (sorted[i + 1].startsWith(sorted[i])) return false;',
        },
      ],
    },
    hw04: {
      from: 'solution',
      header: '// hw04 that never finishes loading: a top-level loop waiting for something that never happens.\n// (Fixture for tests/grading/class.test.ts.)\n',
      edits: [{ find: "import { tf } from 'genbook';\n", replace: "import { tf } from 'genbook';\n\nlet ready = false;\nwhile (!ready) {\n  ready = Math.random() > 2;\n}\n" }],
    },
  },
  misspelled: {
    hw03: {
      from: 'solution',
      header: '// hw03 with slips a real submission makes: a misspelled export (vectorQuantise), a thrown string\n// and a thrown null. (Fixture for tests/grading/class.test.ts.)\n',
      edits: [
        { in: 'klToStandardNormal', find: "  checkSameShape(mu, logVar, 'mu and logVar');", replace: "  if (mu.shape.length > 0) throw 'TODO: finish the KL';" },
        { in: 'negativeElbo', find: "  checkSameShape(x, logits, 'x and logits');", replace: '  if (x.shape.length > 0) throw null;' },
        { find: 'export function vectorQuantize(', replace: 'export function vectorQuantise(' },
      ],
    },
  },
  'out-of-memory': {
    hw01: {
      from: 'solution',
      edits: [
        {
          in: 'jsDivergence',
          find: '  checkBase(base);\n',
          replace: '  checkBase(base);\n  // bug: keeps a copy of a big buffer on every iteration and never stops\n  const history: number[][] = [];\n  for (;;) history.push(new Array<number>(8_000_000).fill(history.length));\n',
        },
      ],
    },
  },
  partial: {
    hw01: {
      from: 'stub',
      solved: ['entropy', 'crossEntropy', 'klDivergence', 'isPrefixFree'],
      edits: [{ in: 'klDivergence', find: '  return Math.max(0, d) / Math.log(base);', replace: '  return Math.max(0, d); // bug: always nats' }],
      header: "// hw01 (a partial submission used by the grader's tests).\n",
    },
    hw03: {
      from: 'stub',
      solved: ['reparameterize', 'klToStandardNormal'],
      header: "// hw03 (a partial submission used by the grader's tests: tasks 1 and 2 done).\n",
    },
  },
  'syntax-error': {
    hw01: { from: 'solution', edits: [{ in: 'entropy', find: '  return h / Math.log(base);', replace: '  return h / Math.log(base;' }] },
    hw05: { from: 'solution' },
  },
  'type-error': {
    hw01: { from: 'solution', edits: [{ in: 'averageCodeLength', find: '  return sum;', replace: '  return sum.toFixed(3);' }] },
  },
};

/** The students, in the gradebook's order. */
export const CLASS_STUDENTS = Object.keys(CLASS).sort();

/** The weeks `student` submitted. */
export function classWeeks(student: string): string[] {
  const weeks = CLASS[student];
  if (!weeks) throw new Error(`no student ${JSON.stringify(student)} in the class fixture (students: ${CLASS_STUDENTS.join(', ')})`);
  return Object.keys(weeks).sort();
}

function occurrences(text: string, find: string): number {
  let n = 0;
  for (let i = text.indexOf(find); i !== -1; i = text.indexOf(find, i + find.length)) n++;
  return n;
}

/** The stub of `week` with the solution regions of `solved` (markers included) in place of their `throw` lines. */
function partlySolved(root: string, week: string, solution: string, solved: string[]): string {
  const lines = solution.split('\n');
  let text = expectedStub(layout(root), week);
  for (const name of solved) {
    const regions = findRegions(solution, `${week}.ts`).filter((r) => r.functionName === name);
    if (regions.length !== 1) throw new Error(`solutions/${week}.ts has ${regions.length} solution regions in ${name}; a solved function needs exactly one`);
    const [r] = regions;
    const stubLine = `${r.indent}throw new Error(${JSON.stringify(notImplementedMessage(week, name))});\n`;
    if (occurrences(text, stubLine) !== 1) throw new Error(`the stub of ${week} has no single "not implemented" line for ${name}`);
    text = text.replace(stubLine, () => lines.slice(r.begin, r.end + 1).join('\n') + '\n');
  }
  return text;
}

/**
 * The source of `student`'s `week`, made from today's solution or stub (those of the checkout at
 * `root`: its solutions/; the stub is generated from the solution).
 */
export function fixtureSource(student: string, week: string, root = ROOT): string {
  const submission = CLASS[student]?.[week];
  if (!submission) throw new Error(`the class fixture has no ${week} from ${JSON.stringify(student)}`);
  if ('committed' in submission) return fs.readFileSync(path.join(COMMITTED, student, `${week}.ts`), 'utf8');
  const solution = fs.readFileSync(path.join(root, 'solutions', `${week}.ts`), 'utf8');
  let text = submission.from === 'solution' ? solution : partlySolved(root, week, solution, submission.solved ?? []);
  for (const [i, edit] of (submission.edits ?? []).entries()) {
    const where = `class fixture ${student}/${week}.ts, edit ${i + 1}`;
    if (edit.in) {
      try {
        text = applyMutant(text, { id: where, description: where, function: edit.in, find: edit.find, replace: edit.replace }, `${week}.ts`);
      } catch (e) {
        throw new Error(`${where}: ${(e as Error).message} — update the edit in tests/grading/class-fixtures.ts`);
      }
    } else {
      const n = occurrences(text, edit.find);
      if (n !== 1) throw new Error(`${where}: ${JSON.stringify(edit.find)} occurs ${n} times in the file (it must occur once) — update the edit in tests/grading/class-fixtures.ts`);
      text = text.replace(edit.find, () => edit.replace);
    }
  }
  return (submission.header ?? '') + text;
}

/**
 * Write the class into `dir` (created if need be): `dir/<student>/<week>.ts` for `students`
 * (default all), only `weeks` when given. Returns `dir`.
 */
export function buildClass(dir: string, students: readonly string[] = CLASS_STUDENTS, weeks?: readonly string[]): string {
  for (const student of students) {
    fs.mkdirSync(path.join(dir, student), { recursive: true });
    for (const week of classWeeks(student)) {
      if (weeks && !weeks.includes(week)) continue;
      fs.writeFileSync(path.join(dir, student, `${week}.ts`), fixtureSource(student, week));
    }
  }
  return dir;
}

let built: string | undefined;

/** The whole class, built once per process in a temporary folder that is removed at exit. */
export function classFixture(): string {
  if (!built) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-class-fixture-'));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    built = buildClass(path.join(dir, 'class'));
  }
  return built;
}
