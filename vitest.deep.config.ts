import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// `npm run test:deep`: the exhaustive variants listed in test/deep-suite.json (CI runs them after `npm test`).
const deep: string[] = JSON.parse(readFileSync(new URL('./test/deep-suite.json', import.meta.url), 'utf8')).files;

export default defineConfig({
  test: {
    include: deep,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
