// Which tests `npm test` runs and which `npm run test:deep` runs, decided in the test files themselves:
// - `// @module-tag deep` at the top of a file puts all of it in the deep suite;
// - `it('...', { tags: ['deep'] }, ...)` puts one test there, beside the everyday tests that share its setup.
// `npm test` covers every feature directly; the deep suite holds the exhaustive variants (every client, every
// kill -9 point and filesystem fault, concurrency, hostile input, edge cases of a feature). CI runs both.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestTagDefinition } from 'vitest/config';

export const tags: TestTagDefinition[] = [
  { name: 'deep', description: 'an exhaustive variant: run by `npm run test:deep` (CI), not by `npm test`' },
];

const root = path.dirname(fileURLToPath(import.meta.url));
// The opt-in suites have configs of their own.
const OPT_IN = ['test/live/', 'test/clients-real/'];

function testFiles(dir = 'test'): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return OPT_IN.includes(`${rel}/`) ? [] : testFiles(rel);
    return entry.name.endsWith('.test.ts') ? [rel] : [];
  });
}

// vitest's own pattern for a file's tags (a `//` or JSDoc line).
const WHOLE = /(\/\/|\*)\s*@module-tag\s+deep\b/;
// Any quoting, and other tags beside it: a deep test this misses would run in neither suite.
const SOME = /tags:\s*\[[^\]]*['"`]deep['"`]/;

/** Files that are deep as a whole, and files with some deep tests among everyday ones. */
export function deepFiles(): { whole: string[]; some: string[] } {
  const whole: string[] = [];
  const some: string[] = [];
  for (const file of testFiles()) {
    const text = readFileSync(path.join(root, file), 'utf8');
    if (WHOLE.test(text)) whole.push(file);
    else if (SOME.test(text)) some.push(file);
  }
  return { whole, some };
}
