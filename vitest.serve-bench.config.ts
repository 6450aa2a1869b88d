import { defineConfig } from 'vitest/config';

// `mcpm serve`'s figures for BENCHMARKS.md (not part of `npm test`): `npm run build && npx vitest run --config vitest.serve-bench.config.ts`.
export default defineConfig({
  test: {
    include: ['test/bench/**/*.bench.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
