// What a server writes beside itself (the memory server's memory.jsonl is the model) is the user's data: update and
// rollback carry it to the version they move to and say so, prune and uninstall keep it in mcpm's data folder and say
// where, doctor lists what is kept, and --purge is the only way it is deleted. A file the server changed among its
// own package files is never copied over the new version's own file.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { TOKEN, startWorld, type World } from './helpers/world.js';

let world: World;
let home: string;

beforeAll(async () => {
  world = await startWorld({ versions: ['1.0.0', '1.1.0'] });
  home = await makeTmpDir('mcpm-server-data-');
  const config = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
  mkdirSync(path.dirname(config), { recursive: true });
  writeFileSync(config, '{\n  "mcpServers": {}\n}\n');
});
afterAll(async () => {
  await world.close();
  await cleanupTmpDirs();
});

const mcpm = (args: string[], json = true) => runMcpm([...args, '--registry', world.registryUrl, ...(json ? ['--json'] : [])], { home, timeoutMs: 60_000 });
const inputs = ['--client', 'claude-desktop', '--env', 'POSTS_API_URL=http://127.0.0.1:9', '--env', `POSTS_API_TOKEN=${TOKEN}`];
const version = (v: string) => path.join(home, '.mcpm', 'store', 'io.github.acme', 'github-posts', v);
const kept = (v: string) => path.join(home, '.mcpm', 'kept', 'io.github.acme', 'github-posts', v);
const MEMORY = ['node_modules', 'github-posts', 'memory.jsonl'];
const write = (dir: string, rel: string[], text: string) => {
  mkdirSync(path.dirname(path.join(dir, ...rel)), { recursive: true });
  writeFileSync(path.join(dir, ...rel), text);
};
const read = (dir: string, rel: string[]) => readFileSync(path.join(dir, ...rel), 'utf8');

describe('data a server wrote beside itself', () => {
  it('goes with the server on update and rollback, and the user is told', async () => {
    expect((await mcpm(['install', 'github-posts@1.0.0', ...inputs])).json?.ok).toBe(true);
    write(version('1.0.0'), MEMORY, '{"entity":"Ada"}\n');
    write(version('1.0.0'), ['cache', 'index.db'], 'cache');

    const update = await mcpm(['update', 'github-posts', '--latest'], false);
    expect(update.code, update.stderr).toBe(0);
    expect(update.stdout).toContain('Updated io.github.acme/github-posts 1.0.0 -> 1.1.0');
    expect(update.stderr).toMatch(/Carried 2 files io\.github\.acme\/github-posts wrote beside itself from 1\.0\.0 to 1\.1\.0: cache\/index\.db, node_modules\/github-posts\/memory\.jsonl/);
    expect(read(version('1.1.0'), MEMORY)).toBe('{"entity":"Ada"}\n');

    // The server goes on writing in 1.1.0; rollback takes the newer graph back to 1.0.0.
    write(version('1.1.0'), MEMORY, '{"entity":"Ada"}\n{"entity":"Grace"}\n');
    const rollback = await mcpm(['rollback', 'github-posts'], false);
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(rollback.stderr).toContain('from 1.1.0 to 1.0.0');
    expect(read(version('1.0.0'), MEMORY)).toBe('{"entity":"Ada"}\n{"entity":"Grace"}\n');
  });

  it('a changed package file stays out of the new version: the new version keeps its own, the copy is kept aside', async () => {
    const own = ['node_modules', 'github-posts', 'package.json'];
    const original = read(version('1.1.0'), own);
    // A server running as the user cannot write its read-only files; one that replaces a file (rename over it) can.
    const file = path.join(version('1.0.0'), ...own);
    const changed = original.replace('"name"', '"patched": true, "name"');
    writeFileSync(`${file}.tmp`, changed);
    renameSync(`${file}.tmp`, file);
    const update = await mcpm(['update', 'github-posts', '--latest'], false);
    expect(update.code, update.stderr).toBe(0);
    expect(update.stderr).toMatch(/changed 1 file of its own package \(node_modules\/github-posts\/package\.json\); 1\.1\.0 starts with its own, your copy is kept in .*kept/);
    expect(read(version('1.1.0'), own)).toBe(original);
    expect(read(kept('1.0.0'), own)).toBe(changed);
  });

  it('prune and uninstall keep it in mcpm\'s data folder and say where; doctor lists it; --purge deletes it', async () => {
    const prune = await mcpm(['prune'], false);
    expect(prune.code, prune.stderr).toBe(0);
    expect(prune.stdout).toMatch(/Kept 3 files io\.github\.acme\/github-posts 1\.0\.0 wrote beside itself in .*kept/);
    expect(existsSync(version('1.0.0'))).toBe(false);
    expect(read(kept('1.0.0'), MEMORY)).toBe('{"entity":"Ada"}\n{"entity":"Grace"}\n');

    const uninstall = await mcpm(['uninstall', 'github-posts'], false);
    expect(uninstall.code, uninstall.stderr).toBe(0);
    expect(uninstall.stdout).toMatch(/Kept 2 files io\.github\.acme\/github-posts 1\.1\.0 wrote beside itself in /);
    expect(read(kept('1.1.0'), MEMORY)).toBe('{"entity":"Ada"}\n{"entity":"Grace"}\n');

    const doctor = await mcpm(['doctor'], false);
    expect(doctor.stdout).toMatch(/data +io\.github\.acme\/github-posts 1\.0\.0: 3 files it wrote, kept in /);
    expect(doctor.stdout).toMatch(/data +io\.github\.acme\/github-posts 1\.1\.0: 2 files it wrote, kept in /);

    expect((await mcpm(['install', 'github-posts@1.1.0', ...inputs])).json?.ok).toBe(true);
    write(version('1.1.0'), MEMORY, 'new\n');
    const purge = await mcpm(['uninstall', 'github-posts', '--purge']);
    expect(purge.json?.ok, purge.stderr).toBe(true);
    expect(purge.json.result.data).toBeUndefined();
    expect(purge.json.result.purged).toHaveLength(2);
    expect(existsSync(kept('1.0.0'))).toBe(false);
    expect(existsSync(kept('1.1.0'))).toBe(false);
    expect((await mcpm(['doctor'])).json.result.kept).toBeUndefined();
  });
});
