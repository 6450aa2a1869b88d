// The npm side of an install uses the user's npm settings (.npmrc auth per registry) and checks engines.node.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { startMcpRegistry, serverEntry } from './helpers/mcp-registry.js';
import { startNpmRegistry } from './helpers/npm-registry.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { packGithubPosts, TOKEN } from './helpers/world.js';

afterAll(cleanupTmpDirs);

const inputs = ['--env', 'POSTS_API_URL=http://127.0.0.1:9', '--env', `POSTS_API_TOKEN=${TOKEN}`, '--client', 'claude-desktop', '--json'];

describe('npm settings', () => {
  it('sends the auth token from ~/.npmrc to the registry it is configured for', async () => {
    const npm = await startNpmRegistry(await packGithubPosts(['1.0.0']), { token: 'npm-registry-token' });
    const registry = await startMcpRegistry([serverEntry('io.github.acme/github-posts', '1.0.0', { identifier: 'github-posts', version: '1.0.0', registryBaseUrl: npm.url })]);
    try {
      const home = await makeTmpDir('mcpm-npmrc-');
      const refused = await runMcpm(['install', 'github-posts', '--registry', registry.url, ...inputs], { home });
      expect(refused.json?.error, refused.stderr).toMatchObject({ code: 'EPACKAGE', message: expect.stringContaining('E401') });

      const nerfDart = npm.url.replace(/^https?:/, '');
      writeFileSync(path.join(home, '.npmrc'), `; written by the test\n${nerfDart}:_authToken=\${NPM_TEST_TOKEN}\n`);
      const run = await runMcpm(['install', 'github-posts', '--registry', registry.url, ...inputs], { home, env: { NPM_TEST_TOKEN: 'npm-registry-token' } });
      expect(run.json, run.stderr).toMatchObject({ ok: true, result: { version: '1.0.0' } });
      expect(npm.requests.some((r) => r.includes('+auth'))).toBe(true);
      expect(run.stdout + run.stderr).not.toContain('npm-registry-token');
    } finally {
      await Promise.all([npm.close(), registry.close()]);
    }
  });

  it('warns when engines.node excludes the node that will run it, and fails under --engine-strict', async () => {
    const packages = await packGithubPosts(['1.0.0'], { engines: { node: '>=99' } });
    const npm = await startNpmRegistry(packages);
    const registry = await startMcpRegistry([serverEntry('io.github.acme/github-posts', '1.0.0', { identifier: 'github-posts', version: '1.0.0', registryBaseUrl: npm.url })]);
    try {
      const home = await makeTmpDir('mcpm-engines-');
      const strict = await runMcpm(['install', 'github-posts', '--registry', registry.url, '--engine-strict', ...inputs], { home });
      expect(strict.json?.error, strict.stderr).toMatchObject({ code: 'EENGINE', message: expect.stringContaining('wants node >=99') });
      const lenient = await runMcpm(['install', 'github-posts', '--registry', registry.url, ...inputs], { home });
      expect(lenient.json?.ok, lenient.stderr).toBe(true);
      expect(lenient.stderr).toMatch(/warning .*wants node >=99/);
    } finally {
      await Promise.all([npm.close(), registry.close()]);
    }
  });
});
