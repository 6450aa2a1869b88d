import { defineConfig } from 'vitest/config';
import { deepFiles, tags } from './vitest.suites.js';

// `npm test`: every feature, directly. The exhaustive variants are tagged `deep` (see vitest.suites.ts) and run by
// `npm run test:deep`; CI runs both.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/live/**', 'test/clients-real/**', 'node_modules/**', ...deepFiles().whole],
    tags,
    tagsFilter: ['!deep'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real servers and child processes; two cores are shared between them.
    maxWorkers: 2,
  },
});
