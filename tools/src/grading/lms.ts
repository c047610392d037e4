/**
 * LMS gradebooks: `genbook grade … --roster roster.csv --lms canvas|moodle` writes, beside
 * gradebook.csv, a CSV the LMS imports, with students identified as the LMS knows them.
 *
 * **The roster** maps submission folders to LMS identities: a CSV with a header row and a
 * `folder` column (or `github_username`, as in a GitHub Classroom roster export) holding each
 * student's submission folder name, plus the identity columns the LMS needs. Header names are
 * matched without case, spaces or punctuation, so an LMS's own export with a `folder` column added
 * works as it is:
 *
 * | LMS | columns read | required |
 * | --- | --- | --- |
 * | Canvas | `Student` (or `name`), `ID`, `SIS User ID`, `SIS Login ID`, `Section` | one of ID, SIS User ID, SIS Login ID |
 * | Moodle | `Email address` (or `email`), `Username`, `ID number` (or `idnumber`), `First name`, `Last name` | one of email, username, ID number |
 *
 * **Canvas** (`canvas-grades.csv`): the columns of Canvas's gradebook export, `Student, ID,
 * SIS User ID, SIS Login ID, Section`, then one column per week, and a second row
 * `Points Possible` with each week's maximum, as Canvas writes it. Importing it (Grades → Import)
 * creates an assignment per week column; to fill assignments that already exist, rename the week
 * headers to the assignment names as Canvas exports them (`Homework 1 (12345)`).
 *
 * **Moodle** (`moodle-grades.csv`): the identity columns the roster has (`Email address`,
 * `Username`, `ID number`) and the names, then one column per week. In Grades → Import → CSV file,
 * map "Identify user by" to one of those columns and each week column to a grade item (or "new
 * grade item").
 *
 * Nothing is dropped silently: roster rows whose folder was not graded get a row with empty
 * grades (both LMSs leave an empty cell unchanged) and are listed; graded folders that no roster
 * row names cannot be imported and are listed. Both lists go to `lms-unmatched.csv` and the log.
 */
import * as fs from 'fs';
import * as path from 'path';
import { csvLine, parseCsv } from './csv';
import type { StudentReport } from './report';

export type Lms = 'canvas' | 'moodle';
export const LMS_NAMES: readonly Lms[] = ['canvas', 'moodle'];

/** One roster row: the submission folder and the identity fields found (normalised names). */
export interface RosterEntry {
  folder: string;
  /** 1-based line of the roster file, for messages. */
  line: number;
  name?: string;
  canvasId?: string;
  sisUserId?: string;
  sisLoginId?: string;
  section?: string;
  email?: string;
  username?: string;
  idNumber?: string;
  firstName?: string;
  lastName?: string;
}

type Field = Exclude<keyof RosterEntry, 'line'>;

/** Accepted header names (normalised: lower case, letters and digits only) for each field. */
const HEADERS: Record<Field, string[]> = {
  folder: ['folder', 'submission', 'submissionfolder', 'githubusername'],
  name: ['student', 'name', 'fullname'],
  canvasId: ['id', 'canvasid', 'canvasuserid'],
  sisUserId: ['sisuserid'],
  sisLoginId: ['sisloginid'],
  section: ['section'],
  email: ['emailaddress', 'email'],
  username: ['username'],
  idNumber: ['idnumber'],
  firstName: ['firstname'],
  lastName: ['lastname', 'surname'],
};

function normalise(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export class RosterError extends Error {}

/** Parse a roster; throws RosterError for a missing folder column, duplicate folders, or rows missing what the LMS needs. */
export function parseRoster(text: string, lms: Lms, source = 'roster'): RosterEntry[] {
  const rows = parseCsv(text);
  if (rows.length === 0) throw new RosterError(`${source} is empty`);
  const header = rows[0].map(normalise);
  const column = {} as Partial<Record<Field, number>>;
  for (const [field, names] of Object.entries(HEADERS) as [Field, string[]][]) {
    const index = header.findIndex((h) => names.includes(h));
    if (index >= 0) column[field] = index;
  }
  if (column.folder === undefined) throw new RosterError(`${source} has no folder column (a header named "folder" or "github_username"); its header is: ${rows[0].join(', ')}`);
  const needed: Field[] = lms === 'canvas' ? ['canvasId', 'sisUserId', 'sisLoginId'] : ['email', 'username', 'idNumber'];
  const neededNames = lms === 'canvas' ? 'ID, SIS User ID or SIS Login ID' : 'Email address, Username or ID number';
  if (!needed.some((f) => column[f] !== undefined)) throw new RosterError(`${source} has no column that ${lms === 'canvas' ? 'Canvas' : 'Moodle'} identifies students by (${neededNames})`);
  const entries: RosterEntry[] = [];
  const seen = new Map<string, number>();
  rows.slice(1).forEach((cells, i) => {
    const line = i + 2;
    // Canvas's own export has a "Points Possible" row (and sometimes a muted-assignments row).
    if (cells.every((c) => c.trim() === '') || /^\s*points possible\s*$/i.test(cells[column.name ?? -1] ?? '')) return;
    const entry: RosterEntry = { folder: '', line };
    for (const [field, index] of Object.entries(column) as [Field, number][]) {
      const value = (cells[index] ?? '').trim();
      if (value !== '') entry[field] = value;
    }
    if (!entry.folder) throw new RosterError(`${source} line ${line}: no folder`);
    const earlier = seen.get(entry.folder);
    if (earlier !== undefined) throw new RosterError(`${source} lines ${earlier} and ${line} both name the folder ${JSON.stringify(entry.folder)}`);
    seen.set(entry.folder, line);
    if (!needed.some((f) => entry[f] !== undefined)) throw new RosterError(`${source} line ${line} (${entry.folder}): no ${neededNames}`);
    entries.push(entry);
  });
  return entries;
}

export interface LmsMatch {
  /** Roster rows with their report (undefined: the folder was not graded). */
  rows: { entry: RosterEntry; report?: StudentReport }[];
  /** Graded folders that no roster row names. */
  unmatchedFolders: string[];
  /** Roster rows whose folder was not among the graded submissions. */
  missingFolders: RosterEntry[];
}

export function matchRoster(roster: readonly RosterEntry[], reports: readonly StudentReport[]): LmsMatch {
  const byFolder = new Map(reports.map((r) => [r.student, r]));
  const named = new Set(roster.map((e) => e.folder));
  const rows = roster.map((entry) => ({ entry, report: byFolder.get(entry.folder) }));
  return {
    rows,
    unmatchedFolders: reports.map((r) => r.student).filter((s) => !named.has(s)),
    missingFolders: rows.filter((r) => !r.report).map((r) => r.entry),
  };
}

function weekPoints(report: StudentReport | undefined, week: string): number | undefined {
  if (!report) return undefined;
  return report.weeks.find((w) => w.week === week)?.points ?? 0;
}

function weekMax(reports: readonly StudentReport[], week: string): number | undefined {
  for (const r of reports) {
    const w = r.weeks.find((x) => x.week === week);
    if (w) return w.max;
  }
  return undefined;
}

/** Canvas gradebook import CSV. */
export function canvasCsv(match: LmsMatch, weeks: readonly string[], reports: readonly StudentReport[]): string {
  const lines = [csvLine(['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', ...weeks])];
  lines.push(csvLine(['Points Possible', '', '', '', '', ...weeks.map((w) => weekMax(reports, w))]));
  for (const { entry, report } of match.rows) {
    lines.push(csvLine([entry.name ?? '', entry.canvasId ?? '', entry.sisUserId ?? '', entry.sisLoginId ?? '', entry.section ?? '', ...weeks.map((w) => weekPoints(report, w))]));
  }
  return lines.join('\n') + '\n';
}

/** Moodle grade import CSV: the identity columns the roster has, the names, one column per week. */
export function moodleCsv(match: LmsMatch, weeks: readonly string[]): string {
  const identity: [string, Field][] = [
    ['Email address', 'email'],
    ['Username', 'username'],
    ['ID number', 'idNumber'],
    ['First name', 'firstName'],
    ['Last name', 'lastName'],
  ];
  const present = identity.filter(([, f]) => match.rows.some((r) => r.entry[f] !== undefined));
  const lines = [csvLine([...present.map(([h]) => h), ...weeks])];
  for (const { entry, report } of match.rows) lines.push(csvLine([...present.map(([, f]) => entry[f] ?? ''), ...weeks.map((w) => weekPoints(report, w))]));
  return lines.join('\n') + '\n';
}

/** The unmatched folders and roster rows as a CSV: `problem, folder, roster_line`. */
export function unmatchedCsv(match: LmsMatch): string {
  const lines = [csvLine(['problem', 'folder', 'roster_line'])];
  for (const folder of match.unmatchedFolders) lines.push(csvLine(['graded folder not in the roster (its grades are not in the LMS file)', folder, '']));
  for (const e of match.missingFolders) lines.push(csvLine(['roster row without a graded folder (empty grades in the LMS file)', e.folder, e.line]));
  return lines.join('\n') + '\n';
}

export interface LmsExportOptions {
  lms: Lms;
  roster: RosterEntry[];
  reports: readonly StudentReport[];
  weeks: readonly string[];
  outDir: string;
  log?: (line: string) => void;
}

export interface LmsExportResult {
  file: string;
  unmatchedFile: string;
  match: LmsMatch;
}

/** Write `<lms>-grades.csv` and `lms-unmatched.csv` into outDir; log every unmatched folder and row. */
export function writeLmsGradebook(options: LmsExportOptions): LmsExportResult {
  const log = options.log ?? console.log;
  const match = matchRoster(options.roster, options.reports);
  const file = path.join(options.outDir, `${options.lms}-grades.csv`);
  const unmatchedFile = path.join(options.outDir, 'lms-unmatched.csv');
  fs.mkdirSync(options.outDir, { recursive: true });
  fs.writeFileSync(file, options.lms === 'canvas' ? canvasCsv(match, options.weeks, options.reports) : moodleCsv(match, options.weeks));
  fs.writeFileSync(unmatchedFile, unmatchedCsv(match));
  const graded = match.rows.length - match.missingFolders.length;
  log(`${options.lms === 'canvas' ? 'Canvas' : 'Moodle'} gradebook: ${file} (${graded} of ${match.rows.length} roster rows graded)`);
  for (const folder of match.unmatchedFolders) log(`  not in the roster, left out of the LMS file: ${folder}`);
  for (const e of match.missingFolders) log(`  roster line ${e.line}: no submission folder "${e.folder}" (empty grades)`);
  if (match.unmatchedFolders.length + match.missingFolders.length > 0) log(`  listed in ${unmatchedFile}`);
  return { file, unmatchedFile, match };
}

/** Read and parse a roster file (errors name the file). */
export function readRoster(file: string, lms: Lms): RosterEntry[] {
  if (!fs.existsSync(file)) throw new RosterError(`roster not found: ${file}`);
  return parseRoster(fs.readFileSync(file, 'utf8'), lms, path.basename(file));
}
