/**
 * The genbook CLI by its name, as the README promises: `npx genbook <command>` from the checkout
 * (and from a folder inside it). npm links a workspace's bins while installing, before
 * `postinstall` builds tools/dist, and skips a bin whose file is missing then: so every bin a
 * workspace package declares must be a committed file, not a build output.
 */
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const COMMANDS = ['start', 'kernel', 'notebooks', 'book', 'serve-book', 'train', 'check', 'grade', 'validate', 'release'];

function npx(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('npx', ['--no-install', ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the genbook CLI by its name', function () {
  this.timeout(120_000);

  it('`npx genbook --help` from the checkout prints the usage with every command', () => {
    const r = npx(['genbook', '--help'], ROOT);
    expect(r.stderr).not.to.contain('could not determine executable');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.split('\n')[0]).to.equal('usage: genbook <command> [options]');
    for (const c of COMMANDS) expect(r.stdout).to.match(new RegExp(`^  ${c}\\s{2,}\\S`, 'm'));
  });

  it('`npx genbook` reaches the same CLI from notebooks/, and its exit codes', () => {
    const r = npx(['genbook', 'no-such-command'], path.join(ROOT, 'notebooks'));
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('genbook: unknown command "no-such-command"');
  });

  it('every bin of a workspace package is a committed script, not a build output', () => {
    const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
    const bins: string[] = [];
    for (const ws of root.workspaces) {
      const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, ws, 'package.json'), 'utf8')) as { bin?: Record<string, string> | string };
      const tsconfig = path.join(ROOT, ws, 'tsconfig.json');
      const outDir = fs.existsSync(tsconfig) ? (JSON.parse(fs.readFileSync(tsconfig, 'utf8')) as { compilerOptions?: { outDir?: string } }).compilerOptions?.outDir : undefined;
      for (const [name, file] of Object.entries(typeof pkg.bin === 'string' ? { [ws]: pkg.bin } : (pkg.bin ?? {}))) {
        bins.push(name);
        const abs = path.join(ROOT, ws, file);
        if (outDir) expect(path.relative(path.join(ROOT, ws, outDir), abs).startsWith('..'), `${ws}: bin ${name} → ${file} is inside ${outDir}/`).to.equal(true);
        expect(fs.readFileSync(abs, 'utf8').startsWith('#!/usr/bin/env node\n'), `${ws}: bin ${name} → ${file}`).to.equal(true);
        expect(fs.statSync(abs).mode & 0o111, `${file} is executable`).to.not.equal(0);
        // npm linked it into the root's node_modules/.bin.
        expect(fs.realpathSync(path.join(ROOT, 'node_modules', '.bin', name))).to.equal(fs.realpathSync(abs));
      }
    }
    expect(bins).to.deep.equal(['genbook']);
  });
});
