// Commands that do not need pacote, arborist, prompts or the MCP SDK must not load them: they cost start-up time.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { serverEntry, startMcpRegistry } from './helpers/mcp-registry.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';

const hook = fileURLToPath(new URL('./fixtures/hooks/log-modules.mjs', import.meta.url));
const HEAVY = /node_modules\/(pacote|@npmcli\/arborist|@modelcontextprotocol\/(?:client|server|core)|prompts)\//;

afterAll(cleanupTmpDirs);

async function modulesLoadedBy(args: string[], existingHome?: string): Promise<string[]> {
  const home = existingHome ?? (await makeTmpDir('mcpm-startup-'));
  const log = path.join(home, 'modules.log');
  writeFileSync(log, '');
  const run = await runMcpm(args, { home, env: { NODE_OPTIONS: `--import=${hook}`, MODULE_LOG: log } });
  expect(run.code, run.stderr).toBe(0);
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

describe('start-up loads only what the command needs', () => {
  for (const args of [['--version'], ['list'], ['list', '--json'], ['search', 'memory', '--registry', 'embedded']]) {
    it(`mcpm ${args.join(' ')}`, async () => {
      const modules = await modulesLoadedBy(args);
      // --version is answered by bin/mcpm.js itself, list by the small dist/fast.js, the rest by the CLI.
      expect(modules.some((url) => /\/dist\/(cli|fast)\.js$/.test(url))).toBe(args[0] !== '--version');
      expect(modules.filter((url) => HEAVY.test(url))).toEqual([]);
    });
  }

  it('mcpm search from a fresh registry cache loads no sync, lock, write or crypto code', async () => {
    const registry = await startMcpRegistry([serverEntry('io.github.acme/weather', '1.0.0', { identifier: 'weather', version: '1.0.0' })]);
    try {
      const home = await makeTmpDir('mcpm-startup-');
      expect((await runMcpm(['registry', 'sync', '--registry', registry.url], { home })).code).toBe(0);
      const modules = await modulesLoadedBy(['search', 'weather', '--registry', registry.url], home);
      expect(modules.filter((url) => HEAVY.test(url) || url === 'node:crypto' || /\/dist\/(sync|cache-writer)-/.test(url))).toEqual([]);
      expect(registry.requests.filter((r) => r.includes('/v0.1/servers?'))).toHaveLength(1); // the sync only
    } finally {
      await registry.close();
    }
  });

  it('the check can fail: install does load pacote (here against an npm registry that refuses connections)', async () => {
    const home = await makeTmpDir('mcpm-startup-');
    const log = path.join(home, 'modules.log');
    writeFileSync(log, '');
    const run = await runMcpm(['install', 'memory', '--registry', 'embedded', '--client', 'claude-desktop', '--json'], {
      home,
      env: { NODE_OPTIONS: `--import=${hook}`, MODULE_LOG: log, npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0' },
    });
    expect(run.json?.error?.code, run.stderr).toBe('ENETWORK');
    expect(readFileSync(log, 'utf8')).toMatch(/node_modules\/pacote\//);
    // The parsers of YAML and TOML clients load only for those clients' files (this one is JSON).
    expect(readFileSync(log, 'utf8')).not.toMatch(/node_modules\/(yaml|smol-toml)\//);
  });

  it('a client entry\'s `mcpm run <name>` skips the CLI, and says what the CLI says', async () => {
    const home = await makeTmpDir('mcpm-startup-');
    const log = path.join(home, 'modules.log');
    writeFileSync(log, '');
    const fast = await runMcpm(['run', 'nosuch', '--', '--flag'], { home, env: { NODE_OPTIONS: `--import=${hook}`, MODULE_LOG: log } });
    const modules = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(modules.some((url) => /\/dist\/fast\.js$/.test(url))).toBe(true);
    expect(modules.filter((url) => /\/dist\/cli\.js$/.test(url) || HEAVY.test(url) || /node_modules\/commander\//.test(url))).toEqual([]);
    // The same command line through the CLI (a global option before the command takes that path).
    const full = await runMcpm(['--no-color', 'run', 'nosuch', '--', '--flag'], { home });
    expect(fast.stderr).toMatch(/nosuch/);
    expect({ code: fast.code, stderr: fast.stderr, stdout: fast.stdout }).toEqual({ code: full.code, stderr: full.stderr, stdout: full.stdout });
  });
});
