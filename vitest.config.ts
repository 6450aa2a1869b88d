import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// `npm test`: every feature, directly. The exhaustive variants (every client, every kill -9 point, hostile input)
// are in test/deep-suite.json and run by `npm run test:deep` (CI runs both).
const deep: string[] = JSON.parse(readFileSync(new URL('./test/deep-suite.json', import.meta.url), 'utf8')).files;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/live/**', 'test/clients-real/**', 'node_modules/**', ...deep],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real servers and child processes; two cores are shared between them.
    maxWorkers: 2,
  },
});
