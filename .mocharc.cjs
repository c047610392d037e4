// mocha runs the TypeScript tests through tsx. `npm test` runs everything; pass a path to run less:
// `npx mocha tests/lib/random.test.ts`.
module.exports = {
  require: ['tsx/cjs'],
  extension: ['ts'],
  spec: process.argv.some((a) => a.endsWith('.ts')) ? [] : ['tests/**/*.test.ts'],
  timeout: 120000,
  reporter: 'spec',
};
