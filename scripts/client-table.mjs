// `npm run docs:clients`: writes the README's client table from the client table in the code
// (src/clients/table.ts, rendered by src/clients/doc-table.ts), between its marker comments.
// `--check` only reports whether README.md is up to date (exit 1 when it is not).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
const readmePath = new URL('README.md', root);
// The table is TypeScript: bundle the two modules into one throwaway ES module and import that.
const dir = mkdtempSync(path.join(tmpdir(), 'mcpm-client-table-'));
try {
  const outfile = path.join(dir, 'table.mjs');
  await build({
    stdin: {
      contents: "export { CLIENTS } from './src/clients/table.ts'; export { renderClientTable, replaceClientTable } from './src/clients/doc-table.ts';",
      resolveDir: new URL('.', root).pathname,
      loader: 'ts',
    },
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    logLevel: 'warning',
  });
  const { CLIENTS, renderClientTable, replaceClientTable } = await import(pathToFileURL(outfile).href);
  const before = readFileSync(readmePath, 'utf8');
  const after = replaceClientTable(before, renderClientTable(CLIENTS));
  if (process.argv.includes('--check')) {
    if (after !== before) {
      console.error('README.md\'s client table is out of date: run npm run docs:clients');
      process.exitCode = 1;
    }
  } else if (after !== before) {
    writeFileSync(readmePath, after);
    console.error(`README.md: client table rewritten (${CLIENTS.length} clients)`);
  } else {
    console.error('README.md: client table already up to date');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
