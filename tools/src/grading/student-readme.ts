/** The README of the student edition (written by `genbook release`). */
export function studentReadme(weeks: readonly string[]): string {
  const list = weeks.map((w) => `- \`notebooks/homework/${w}.ipynb\` with your file \`notebooks/homework/${w}.ts\``).join('\n');
  return `# genbook · student edition

A TypeScript course workbook on generative models — information theory, likelihood, PCA and
autoencoders, VAE, GANs, autoregressive models and flows, diffusion and their evaluation — as
Jupyter notebooks on a TypeScript kernel, with one shared library (\`genbook\`) and weekly homework.
Everything runs on a laptop CPU with Node.js 22 (22.13 or later), 24 or 26: no Python, no GPU, no
download at run time. The self-check needs one of them: on an older Node it says which to install.

## Start

\`\`\`sh
npm install      # installs the pinned dependencies and builds the library and tools
npm start        # registers the "TypeScript (genbook)" kernel and opens the course in Jupyter
\`\`\`

If Jupyter is not installed, \`npm start\` says how to open the notebooks in VS Code instead.

## For students: the homework

Each week has an assignment notebook and a TypeScript file that you edit:

${list}

1. Open the week's notebook and read it: it explains each task and has cells that call your
   functions and plot what they return.
2. Write your code in \`notebooks/homework/hwNN.ts\`. Each function there says what to compute and
   throws "not implemented yet" until you replace that line. Keep the names and signatures.
3. After editing, restart the kernel (Kernel → Restart) and run the notebook again.
4. Check your score: the notebook's last cell, or in a terminal

   \`\`\`sh
   npm run check -- hw01                    # the public tests of week 1 on notebooks/homework/hw01.ts
   npm run check -- hw01 --target my/folder # … on my/folder/hw01.ts
   \`\`\`

   prints one line per test — task, test, points, result and, for a failed test, why — and your
   total. It always exits with code 0; a failed test is information, not an error.
5. Hand in your \`notebooks/homework/\` folder as your instructor asks. On Gradescope, upload
   \`notebooks/homework/hwNN.ts\`. With GitHub Classroom, push: every push runs each week's public
   tests (\`.github/workflows/classroom.yml\`), and the Actions tab shows each week's table.

Your instructor grades with the same public tests plus hidden tests that check the same tasks on
other inputs, so write functions that are correct in general. Grading runs your code in a sandbox:
it may not read files outside its own folder, write outside a scratch folder, or start processes,
and each test has a time limit, so an infinite loop costs only the test it is in.

## Commands

| command | what it does |
| --- | --- |
| \`npm install\` | install and build |
| \`npm start\` | register the kernel and open the course |
| \`npm run check -- hwNN\` | self-check of one homework week |
| \`npm test\` | the library's own tests (the homework tests run through \`npm run check\`) |
| \`npm run build\` | rebuild \`lib/dist\` and \`tools/dist\` |
`;
}
