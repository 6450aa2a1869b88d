// Fields mcpm does not own survive every rewrite: a client's own switches and settings (Cline `disabled`,
// `autoApprove`, `timeout`; Goose `enabled: false`), a `cwd` or an extra environment variable added by hand. What
// mcpm owns (the launch) is replaced, and if the user had changed it, mcpm says so. `import --adopt` carries the
// adopted entry's own arguments, cwd and settings over.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { startWorld, TOKEN, type World } from './helpers/world.js';

let world: World;
let home: string;
beforeAll(async () => {
  world = await startWorld({ versions: ['1.0.0', '1.1.0'] });
  home = await makeTmpDir('mcpm-fields-');
});
afterAll(async () => {
  await world.close();
  await cleanupTmpDirs();
});

const mcpm = (args: string[], where = home) => runMcpm([...args, '--registry', world.registryUrl, '--json'], { home: where, env: { POSTS_API_TOKEN: TOKEN }, timeoutMs: 60_000 });
const files = (where = home) => ({
  cline: path.join(where, '.cline', 'data', 'settings', 'cline_mcp_settings.json'),
  goose: path.join(where, '.config', 'goose', 'config.yaml'),
  cursor: path.join(where, '.cursor', 'mcp.json'),
});
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
function editJson(file: string, change: (entry: any) => void) {
  const data = json(file);
  change(data.mcpServers['github-posts']);
  writeFileSync(file, JSON.stringify(data, null, 2));
}

describe('fields mcpm does not own', () => {
  it('survive update, reinstall and doctor --fix; a server the user switched off stays off', async () => {
    const install = await mcpm(['install', 'github-posts@1.0.0', '--client', 'cline', '--client', 'goose', '--client', 'cursor', '--env', `POSTS_API_URL=${world.postsUrl}`, '--env', 'POSTS_API_TOKEN']);
    expect(install.json?.ok, install.stderr).toBe(true);
    const f = files();
    editJson(f.cline, (e) => Object.assign(e, { disabled: true, autoApprove: ['get_posts'], alwaysAllow: ['get_posts'], timeout: 120 }));
    editJson(f.cursor, (e) => {
      e.cwd = '/srv/notes';
      e.env.EXTRA_BY_HAND = 'kept';
    });
    writeFileSync(f.goose, readFileSync(f.goose, 'utf8').replace('enabled: true', 'enabled: false').replace('timeout: 300', 'timeout: 45'));

    for (const step of [['update', '--latest'], ['install', 'github-posts'], ['doctor', '--fix']]) {
      if (step[0] === 'doctor') rmEntryBin();
      const run = await mcpm(step);
      expect(run.json?.ok ?? run.code === 0, `${step.join(' ')}: ${run.stderr}`).toBe(true);
      const cline = json(f.cline).mcpServers['github-posts'];
      expect(cline, step.join(' ')).toMatchObject({ disabled: true, autoApprove: ['get_posts'], alwaysAllow: ['get_posts'], timeout: 120, command: process.execPath });
      expect(cline.args.at(-1)).toContain(`${path.sep}1.1.0${path.sep}`);
      const cursor = json(f.cursor).mcpServers['github-posts'];
      expect(cursor, step.join(' ')).toMatchObject({ cwd: '/srv/notes', env: { POSTS_API_URL: world.postsUrl, EXTRA_BY_HAND: 'kept' } });
      const goose = parseYaml(readFileSync(f.goose, 'utf8')).extensions['github-posts'];
      expect(goose, step.join(' ')).toMatchObject({ enabled: false, timeout: 45 });
    }
  });

  it('a field mcpm owns that the user changed is replaced, and the result says so', async () => {
    editJson(files().cursor, (e) => (e.command = '/opt/my-node/bin/node'));
    const run = await mcpm(['install', 'github-posts']);
    expect(run.json?.result.overridden, run.stderr).toEqual([{ client: 'cursor', file: files().cursor, key: 'github-posts', fields: ['command'] }]);
    expect(run.stderr).toContain('Cursor\'s entry "github-posts" had changes of yours to command, which mcpm owns: replaced (your other fields stay)');
    expect(json(files().cursor).mcpServers['github-posts']).toMatchObject({ command: process.execPath, cwd: '/srv/notes' });
  });

  it('import --adopt keeps the entry\'s own arguments, cwd and settings', async () => {
    const other = await makeTmpDir('mcpm-adopt-');
    const file = files(other).cline;
    mkdirSync(path.dirname(file), { recursive: true });
    mkdirSync(path.join(other, '.cline'), { recursive: true });
    const handWritten = { command: 'npx', args: ['-y', 'github-posts@1.0.0', '--verbose'], cwd: '/work', disabled: false, autoApprove: ['get_posts'], env: { POSTS_API_URL: world.postsUrl, POSTS_API_TOKEN: TOKEN } };
    writeFileSync(file, JSON.stringify({ mcpServers: { 'my-posts': handWritten } }, null, 2));
    const adopted = await mcpm(['import', '--adopt', '--client', 'cline'], other);
    expect(adopted.json?.result[0]?.adopted, adopted.stderr).toBe(true);
    // The token came from the file, not from a command line: nothing is in the shell's history.
    expect(adopted.stderr).not.toContain("shell's history");
    const entry = json(file).mcpServers['my-posts'];
    expect(entry).toMatchObject({ command: process.execPath, cwd: '/work', disabled: false, autoApprove: ['get_posts'], env: { POSTS_API_URL: world.postsUrl } });
    expect(entry.args.at(-1)).toBe('--verbose');
    expect(readFileSync(file, 'utf8')).not.toContain(TOKEN);
  });
});

/** A broken store makes doctor --fix reinstall: the entries are rewritten, which is what is under test. */
function rmEntryBin() {
  const entry = json(files().cursor).mcpServers['github-posts'];
  writeFileSync(files().cursor, readFileSync(files().cursor, 'utf8').replace(entry.command, '/nowhere/node'));
}
