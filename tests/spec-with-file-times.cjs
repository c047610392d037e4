// mocha's spec reporter, followed by the wall-clock time of each test file (hooks included: the
// spec reporter times tests only, and many files spend most of their time in `before` hooks that
// grade a class or run notebooks). CI's log thus says where `npm test`'s minutes go.
const Mocha = require('mocha');

const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_RUN_END } = Mocha.Runner.constants;

class SpecWithFileTimes extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const started = new Map();
    const perFile = new Map();
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (suite.parent && suite.parent.root && suite.file) started.set(suite, Date.now());
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      const t0 = started.get(suite);
      if (t0 === undefined) return;
      const file = suite.file.replace(`${process.cwd()}/`, '');
      perFile.set(file, (perFile.get(file) ?? 0) + Date.now() - t0);
    });
    runner.once(EVENT_RUN_END, () => {
      const rows = [...perFile].sort((a, b) => b[1] - a[1]);
      const total = rows.reduce((s, [, ms]) => s + ms, 0);
      const shown = rows.filter(([, ms]) => ms >= 5000);
      if (shown.length === 0) return;
      console.log(`  Test files taking 5 s or more (wall clock, hooks included; all files: ${(total / 1000).toFixed(0)} s):`);
      for (const [file, ms] of shown) console.log(`  ${(ms / 1000).toFixed(1).padStart(7)} s  ${file}`);
      console.log('');
    });
  }
}

module.exports = SpecWithFileTimes;
