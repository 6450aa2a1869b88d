// A newcomer's first hour, as they type it: bare commands print their usage, help shows the global options,
// arguments are checked before any network (usage errors exit 2 and list what is valid), a secret typed on the command
// line is warned about, a path input that does not exist is a warning (an error under --strict-inputs), the result
// comes before one restart reminder per client actually changed, disabled entries are listed and marked, the
// dry-run shows the whole plan with secrets masked, and `mcpm completion` prints a script.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { serverEntry } from './helpers/mcp-registry.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { TOKEN, startWorld, type World } from './helpers/world.js';

let world: World;
let home: string;
const REFUSED = 'http://127.0.0.1:9/';

beforeAll(async () => {
  world = await startWorld({
    versions: ['1.0.0', '1.1.0'],
    extraEntries: (npmUrl) => [
      serverEntry('io.github.acme/posts-files', '1.0.0', {
        identifier: 'github-posts',
        version: '1.1.0',
        registryBaseUrl: npmUrl,
        env: [{ name: 'DATA_DIR', isRequired: true, format: 'filepath', description: 'Where the posts are kept' } as never],
      }),
      // Published as an npm package whose name is nothing like the server's: READMEs print the package name.
      serverEntry('io.github.acme/weather', '3.0.0', { identifier: '@acme/forecast-kit', version: '3.0.0', registryBaseUrl: npmUrl }),
      // Its description mentions posts: a search for posts lists it after the servers whose names match.
      { ...serverEntry('io.github.acme/digest', '1.0.0', { identifier: 'acme-digest', version: '1.0.0', registryBaseUrl: npmUrl }), server: { ...serverEntry('io.github.acme/digest', '1.0.0', { identifier: 'acme-digest', version: '1.0.0' }).server, description: 'A daily digest of github posts' } },
    ],
  });
  home = await makeTmpDir('mcpm-newcomer-');
  for (const file of [path.join(home, '.config', 'Claude', 'claude_desktop_config.json'), path.join(home, '.cursor', 'mcp.json')]) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{\n  "mcpServers": {}\n}\n');
  }
});
afterAll(async () => {
  await world.close();
  await cleanupTmpDirs();
});

const mcpm = (args: string[]) => runMcpm(args, { home, timeoutMs: 60_000 });
const inputs = ['--env', 'POSTS_API_URL=http://127.0.0.1:9', '--env', 'POSTS_API_TOKEN'];
const env = { POSTS_API_TOKEN: TOKEN };

describe('names a newcomer types', () => {
  const info = (name: string) => mcpm(['info', name, '--registry', world.registryUrl, '--json']);
  it('an npm package name, @latest, a typo and a generic word', async () => {
    expect((await info('@acme/forecast-kit')).json.result).toMatchObject({ name: 'io.github.acme/weather', version: '3.0.0' });
    expect((await info('github-posts@latest')).json.result).toMatchObject({ name: 'io.github.acme/github-posts', version: '1.1.0' });
    const typo = await info('github-psots');
    expect(typo.json.error).toMatchObject({ code: 'ENOTFOUND', message: `No server named "github-psots" in ${world.registryUrl}`, hint: 'Did you mean github-posts?' });
    expect((await info('server')).json.error).toMatchObject({ code: 'EAMBIGUOUS', message: '"server" is too general to name one server' });
  });

  it('search matches package names and descriptions, names first', async () => {
    const byPackage = await mcpm(['search', 'forecast-kit', '--registry', world.registryUrl, '--json']);
    expect(byPackage.json.result.map((h: { name: string }) => h.name)).toEqual(['io.github.acme/weather']);
    const posts = await mcpm(['search', 'posts', '--registry', world.registryUrl, '--json']);
    expect(posts.json.result.map((h: { name: string }) => h.name)).toEqual(['io.github.acme/github-posts', 'io.github.acme/posts-files', 'io.github.acme/digest']);
  });
});

describe('messages a newcomer reads', () => {
  it('bare mcpm and a command group without its subcommand print their usage and exit 0', async () => {
    const bare = await mcpm([]);
    expect(bare.code).toBe(0);
    expect(bare.stdout + bare.stderr).toMatch(/Usage: mcpm/);
    expect(bare.stdout + bare.stderr).toContain('install');
    for (const group of ['secrets', 'profile']) {
      const run = await mcpm([group]);
      expect(run.code, group).toBe(0);
      expect(run.stdout + run.stderr).toMatch(new RegExp(`Usage: mcpm ${group}`));
    }
  });

  it('help for a command shows the global options too', async () => {
    const run = await mcpm(['help', 'install']);
    expect(run.code).toBe(0);
    for (const option of ['--yes', '--json', '--registry', '--no-color']) expect(run.stdout + run.stderr).toContain(option);
  });

  it('an unknown --client or --scope is a usage error (exit 2) before any network, naming the valid ids', async () => {
    const client = await mcpm(['install', 'github-posts', '--client', 'claude-desktpo', '--registry', REFUSED]);
    expect(client.code).toBe(2);
    expect(client.stderr).toMatch(/Unknown client "claude-desktpo"/);
    expect(client.stderr).toContain('mcpm clients');
    expect(client.stderr).not.toMatch(/unreachable|ECONNREFUSED/);
    const scope = await mcpm(['install', 'github-posts', '--scope', 'everywhere', '--registry', REFUSED, '--json']);
    expect(scope.code).toBe(2);
    expect(scope.json.error.code).toBe('EUSAGE');
  });

  it('a secret typed on the command line is warned about; a path that does not exist warns, or fails under --strict-inputs', async () => {
    const typed = await runMcpm(['install', 'github-posts', '--client', 'claude-desktop', '--registry', world.registryUrl, '--env', 'POSTS_API_URL=http://127.0.0.1:9', '--env', `POSTS_API_TOKEN=${TOKEN}`, '--dry-run'], { home });
    expect(typed.code, typed.stderr).toBe(0);
    expect(typed.stderr).toMatch(/POSTS_API_TOKEN was typed on the command line, so it is in your shell's history now\. Next time use `--env POSTS_API_TOKEN`/);
    // The dry-run shows the whole plan, the secret masked.
    expect(typed.stdout).toContain('POSTS_API_URL');
    expect(typed.stdout).not.toContain(TOKEN);

    const missing = path.join(home, 'no-such-folder');
    const warned = await mcpm(['install', 'posts-files', '--client', 'claude-desktop', '--registry', world.registryUrl, '--env', `DATA_DIR=${missing}`, '--dry-run']);
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toContain(`DATA_DIR is ${missing}, which does not exist: the server may fail when it starts (--strict-inputs makes this an error)`);
    const strict = await mcpm(['install', 'posts-files', '--client', 'claude-desktop', '--registry', world.registryUrl, '--env', `DATA_DIR=${missing}`, '--strict-inputs', '--json']);
    expect(strict.code).toBe(1);
    expect(strict.json.error).toMatchObject({ code: 'EINPUT', hint: expect.stringContaining('Create it first') });
  });

  it('the result comes first, then one restart reminder per client changed; a reinstall that changes nothing reminds no one', async () => {
    const run = await runMcpm(['install', 'github-posts', '--client', 'claude-desktop', '--client', 'cursor', '--registry', world.registryUrl, ...inputs], { home, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Installed io\.github\.acme\/github-posts@1\.1\.0/);
    expect(run.stderr.match(/Restart Claude Desktop/g)).toHaveLength(1);
    expect(run.stderr.match(/Restart Cursor|restart Cursor|Cursor picks/gi)?.length ?? 0).toBeLessThanOrEqual(1);
    const again = await runMcpm(['install', 'github-posts', '--client', 'claude-desktop', '--registry', world.registryUrl, ...inputs], { home, env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('Restart Claude Desktop');
  });

  it('list shows a disabled entry, marked, in text and --json', async () => {
    expect((await mcpm(['disable', 'github-posts', '--client', 'cursor'])).code).toBe(0);
    const text = await mcpm(['list']);
    expect(text.stdout).toMatch(/cursor.*disabled|disabled.*cursor/i);
    const json = await mcpm(['list', '--json']);
    expect(JSON.stringify(json.json.result)).toMatch(/"disabled":true/);
  });

  it('mcpm completion bash prints a script that completes commands', async () => {
    const run = await mcpm(['completion', 'bash']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/complete .*mcpm/);
    const unknown = await mcpm(['completion', 'tcsh']);
    expect(unknown.code).toBe(2);
  });
});
