import { defineConfig } from 'vitest/config';
import { deepFiles, tags } from './vitest.suites.js';

// `npm run test:deep`: the tests tagged `deep` (see vitest.suites.ts); CI runs them after `npm test`.
const { whole, some } = deepFiles();

export default defineConfig({
  test: {
    include: [...whole, ...some],
    tags,
    tagsFilter: ['deep'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
