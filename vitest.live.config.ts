import { defineConfig } from 'vitest/config';

// The opt-in suite that reaches the real npm registry: `npm run test:live`.
export default defineConfig({
  test: {
    include: ['test/live/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
