#!/usr/bin/env node
// The `genbook` command (`npx genbook <command>`). This file is committed, not built: npm links a
// package's bins while installing, before `postinstall` builds tools/dist, and silently skips a
// bin whose file does not exist yet — with the bin pointing into dist/, a fresh clone had no
// node_modules/.bin/genbook and npx fell back to the library package `genbook`, which has no bin
// ("could not determine executable to run").
'use strict';
const fs = require('fs');
const path = require('path');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  console.error(`genbook: the tools are not built (${cli} is missing): run \`npm run build\` in the checkout`);
  process.exit(1);
}
require(cli);
