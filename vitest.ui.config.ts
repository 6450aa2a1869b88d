import { defineConfig } from 'vitest/config';

// The opt-in browser suite of `mcpm ui`: Debian's chromium driven by puppeteer-core (no browser download).
// `npm run test:ui`; it skips, saying why, where no chromium is found (set CHROMIUM_PATH to point at one).
export default defineConfig({
  test: {
    include: ['test/ui-browser/**/*.browser.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
