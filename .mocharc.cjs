// mocha runs the TypeScript tests through tsx. `npm test` (tests/run.cjs) runs everything, in two mocha processes; pass a path (a file or a
// folder under tests/) to run less: `npx mocha tests/lib/random.test.ts`, `npx mocha tests/grading`.
const paths = process.argv.slice(2).filter((a) => a.endsWith('.ts') || /^(\.\/)?tests(\/|$)/.test(a));
module.exports = {
  require: ['tsx/cjs'],
  extension: ['ts'],
  spec: paths.length > 0 ? [] : ['tests/**/*.test.ts'],
  timeout: 120000,
  reporter: './tests/spec-with-file-times.cjs',
};
