import { defineConfig } from 'vitest/config';

// The opt-in suite that installs real MCP clients from the npm registry and has them read what mcpm writes:
// `npm run test:clients` (not part of `npm test`). One client at a time: several of them are large programs.
export default defineConfig({
  test: {
    include: ['test/clients-real/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
