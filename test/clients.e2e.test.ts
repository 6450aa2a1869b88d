// @module-tag deep
// Every client, as a new user would meet it: install from the local registries into a temporary HOME writes the
// right file with the right shape (compared with the hand-written golden table), the official MCP SDK client starts
// the server from each stdio entry as written and lists its tools, remote servers get each client's remote shape,
// disable/enable use each client's own switch, and install then uninstall leaves documented fixture files (with
// comments and other settings) byte for byte as they were.
import { chmodSync, copyFileSync, existsSync, readdirSync, statSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS, findClient, unsupportedReason } from '../src/clients/table.js';
import { platformKey } from '../src/clients/paths.js';
import { locateClient } from '../src/clients/locate.js';
import { readForeignEntry } from '../src/plan/foreign.js';
import { MCPM_BIN, runMcpm } from './helpers/cli.js';
import { entryIn, fillPlaceholders, readClientData } from './helpers/client-files.js';
import { connectToEntry } from './helpers/mcp-client.js';
import { serverEntry, SERVER_SCHEMA, OFFICIAL_META } from './helpers/mcp-registry.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { FIXTURES as FIXTURES_PACKAGES, TOKEN, startWorld, type World } from './helpers/world.js';
import { packFixture } from './helpers/pack.js';

const golden = JSON.parse(readFileSync(new URL('./golden/clients.json', import.meta.url), 'utf8'));
const FIXTURES = fileURLToPath(new URL('./fixtures/clients/', import.meta.url));
// The clients mcpm writes on this OS (Visual Studio is Windows only; JetBrains AI Assistant keeps no file).
const ALL = CLIENTS.filter((c) => !unsupportedReason(c, platformKey(process.platform))).map((c) => c.id);
const REFUSED = CLIENTS.filter((c) => unsupportedReason(c, platformKey(process.platform))).map((c) => c.id);
// Detection also looks for client programs on PATH: give mcpm only node's folder where that must not find any.
const NODE_ONLY_PATH = { PATH: path.dirname(process.execPath) };

function remoteEntry(name: string, remote: Record<string, unknown>) {
  return {
    server: { $schema: SERVER_SCHEMA, name, description: 'A remote test server', version: '1.0.0', remotes: [remote] },
    _meta: { [OFFICIAL_META]: { status: 'active', publishedAt: '2025-11-01T00:00:00Z', updatedAt: '2025-11-01T00:00:00Z', isLatest: true } },
  };
}

let world: World;
beforeAll(async () => {
  world = await startWorld({
    versions: ['1.0.0'],
    extraEntries: () => [
      remoteEntry('io.github.acme/remote-posts', { type: 'streamable-http', url: 'https://mcp.example.com/mcp', headers: [{ name: 'X-Tenant', value: 'acme' }] }),
      remoteEntry('io.github.acme/remote-sse', { type: 'sse', url: 'https://mcp.example.com/sse' }),
    ],
  });
});
afterAll(async () => {
  await world.close();
  await cleanupTmpDirs();
});

const where = (home: string) => ({ platform: process.platform, home, env: { HOME: home }, cwd: home });
const fileOf = (id: string, home: string) => locateClient(findClient(id)!, where(home))!.file;
const mcpm = (home: string, args: string[], env: Record<string, string> = {}) =>
  runMcpm([...args, '--registry', world.registryUrl], { home, env: { POSTS_API_TOKEN: TOKEN, ...env }, timeoutMs: 90_000 });
const inputs = () => ['--env', `POSTS_API_URL=${world.postsUrl}`, '--env', 'POSTS_API_TOKEN'];
const clientFlags = (ids: string[]) => ids.flatMap((id) => ['--client', id]);

describe('install into every client at once', () => {
  let home: string;
  let result: any;
  let live: (goldenValue: unknown) => any;
  beforeAll(async () => {
    home = await makeTmpDir('mcpm-clients-');
    const run = await mcpm(home, ['install', 'github-posts', ...clientFlags(ALL), '--json', ...inputs()]);
    expect(run.json?.ok, run.stderr + run.stdout).toBe(true);
    result = run.json.result;
    const values = {
      NODE: process.execPath,
      BIN: path.join(result.storePath, 'node_modules', 'github-posts', 'index.js'),
      SECRETS: path.join(home, '.mcpm', 'secrets', 'io.github.acme', 'github-posts.env'),
    };
    // The golden scenario names a fixed posts API URL; the test's API listens on another port.
    live = (goldenValue) => fillPlaceholders(JSON.parse(JSON.stringify(goldenValue).replaceAll('http://127.0.0.1:4000', world.postsUrl)), values);
  });

  for (const id of ALL) {
    it(`${id}: the right file, in the right place, with the golden shape`, () => {
      const client = findClient(id)!;
      const file = fileOf(id, home);
      expect(result.clients).toContainEqual({ client: id, file, key: 'github-posts' });
      expect(readClientData(file, client.format)).toEqual(live(golden.clients[id].stdio));
      expect(readFileSync(file, 'utf8')).not.toContain(TOKEN);
    });

    it(`${id}: the official MCP SDK client starts the server from the entry as written`, async () => {
      const client = findClient(id)!;
      const entry = entryIn(readClientData(fileOf(id, home), client.format), client.serversPath, 'github-posts');
      const launch = readForeignEntry(entry);
      const server = await connectToEntry({ command: launch.command!, args: launch.args, env: launch.env }, { home });
      try {
        const tools = await server.client.listTools();
        expect(tools.tools.map((t) => t.name)).toEqual(['get_posts']);
        const posts: any = await server.client.callTool({ name: 'get_posts', arguments: { limit: 3 } });
        expect(JSON.parse(posts.content[0].text)).toHaveLength(3);
      } finally {
        await server.close();
      }
    });
  }

  it('the token is in no client file, no state or manifest file, and no argument: only in the 0600 secrets file', () => {
    const holders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile() && readFileSync(full).includes(TOKEN)) holders.push(full);
      }
    };
    walk(home);
    expect(holders).toEqual([path.join(home, '.mcpm', 'secrets', 'io.github.acme', 'github-posts.env')]);
    expect(statSync(holders[0]!).mode & 0o777).toBe(0o600);
    for (const id of ALL) {
      const client = findClient(id)!;
      const launch = readForeignEntry(entryIn(readClientData(fileOf(id, home), client.format), client.serversPath, 'github-posts'));
      expect([launch.command, ...launch.args].join(' ')).not.toContain(TOKEN);
    }
  });

  it('mcpm clients shows each as detected, with the file, one managed server and its source', async () => {
    const run = await mcpm(home, ['clients', '--json']);
    expect(run.json.result).toHaveLength(CLIENTS.length);
    for (const row of run.json.result.filter((r: any) => ALL.includes(r.id))) {
      expect(row).toMatchObject({ detected: true, file: fileOf(row.id, home), managed: 1, source: findClient(row.id)!.source });
    }
    for (const row of run.json.result.filter((r: any) => REFUSED.includes(r.id))) {
      expect(row).toMatchObject({ file: '', managed: 0, unsupported: expect.any(String), source: expect.stringMatching(/^https:/) });
    }
  });

  it('disable uses each client\'s own switch, or removes the entry; enable restores the same bytes', async () => {
    const before = Object.fromEntries(ALL.map((id) => [id, readFileSync(fileOf(id, home), 'utf8')]));
    const off = await mcpm(home, ['disable', 'github-posts', '--json']);
    expect(off.json?.ok, off.stderr).toBe(true);
    for (const id of ALL) {
      const client = findClient(id)!;
      const expected = golden.clients[id].disabled;
      // Without a switch the entry is removed; mcpm created this file, so the file goes with it.
      if (!existsSync(fileOf(id, home))) {
        expect(expected, id).toBeNull();
        continue;
      }
      const entry = entryIn(readClientData(fileOf(id, home), client.format), client.serversPath, 'github-posts');
      if (expected === null) expect(entry, id).toBeUndefined();
      else expect(entry, id).toEqual(live(expected));
    }
    const on = await mcpm(home, ['enable', 'github-posts', '--json']);
    expect(on.json.error, on.stderr).toBeUndefined();
    for (const id of ALL) expect(readFileSync(fileOf(id, home), 'utf8'), id).toBe(before[id]);
  });

  it('uninstall removes every file it created', async () => {
    const run = await mcpm(home, ['uninstall', 'github-posts', '--json']);
    expect(run.json?.result.removed, run.stderr).toHaveLength(ALL.length);
    for (const id of ALL) expect(existsSync(fileOf(id, home)), id).toBe(false);
  });
});

describe('remote servers get each client\'s remote shape', () => {
  // One install into every client at once per server (as `--client all` would): each client's file is then checked
  // on its own. One command per server keeps the suite quick; a client's failure still names the client.
  for (const [server, goldenKey, key] of [['remote-posts', 'remoteHttp', 'remote-posts'], ['remote-sse', 'remoteSse', 'remote-sse']] as const) {
    it(`${server} in every client`, async () => {
      const home = await makeTmpDir('mcpm-remote-');
      const run = await mcpm(home, ['install', server, ...clientFlags(ALL), '--json']);
      expect(run.json?.ok, run.stderr + run.stdout).toBe(true);
      for (const id of ALL) {
        const expected = golden.clients[id][goldenKey];
        const client = findClient(id)!;
        if (expected === null) {
          // The client cannot hold this remote server in its file: a stdio entry starts `mcpm run`, which bridges.
          expect(run.json.result.remote, id).toEqual(expect.arrayContaining([{ client: id, type: server === 'remote-sse' ? 'sse' : 'streamable-http', url: expect.any(String), bridge: true }]));
          const launch = readForeignEntry(entryIn(readClientData(fileOf(id, home), client.format), client.serversPath, key));
          expect(launch, id).toEqual({ command: process.execPath, args: [MCPM_BIN, 'run', `io.github.acme/${server}`], env: { MCPM_HOME: path.join(home, '.mcpm') } });
          continue;
        }
        expect(entryIn(readClientData(fileOf(id, home), client.format), client.serversPath, key), id).toEqual(entryIn(expected, client.serversPath, key));
        expect(run.json.result.clients, id).toEqual(expect.arrayContaining([{ client: id, file: fileOf(id, home), key }]));
      }
    });
  }
});

describe('install then uninstall leaves the user\'s file byte for byte', () => {
  // One home where github-posts is installed already (in Claude Desktop, whose own round trip install.e2e covers):
  // each client's round trip adds and removes only its entry, as a user adding one more client does, and the store
  // is built once rather than once per client.
  const ANCHOR = 'claude-desktop';
  let home: string;
  beforeAll(async () => {
    home = await makeTmpDir('mcpm-roundtrip-');
    const run = await mcpm(home, ['install', 'github-posts', '--client', ANCHOR, '--json', ...inputs()]);
    expect(run.json?.ok, run.stderr + run.stdout).toBe(true);
  });
  for (const id of ALL.filter((id) => id !== ANCHOR)) {
    it(id, async () => {
      const fixture = fixtureFor(id);
      const file = fileOf(id, home);
      mkdirSync(path.dirname(file), { recursive: true });
      copyFileSync(fixture, file);
      chmodSync(file, 0o640);
      const original = readFileSync(file, 'utf8');
      const run = await mcpm(home, ['install', 'github-posts', '--client', id, '--json', ...inputs()]);
      expect(run.json?.ok, run.stderr + run.stdout).toBe(true);
      const installed = readFileSync(file, 'utf8');
      expect(installed).not.toBe(original);
      // Everything the user had is still there, comments included.
      for (const line of original.split('\n').filter((l) => /\/\/|#/.test(l))) expect(installed).toContain(line.trim());
      const data = readClientData(file, findClient(id)!.format);
      expect(entryIn(data, findClient(id)!.serversPath, 'github-posts')).toBeDefined();
      const removed = await mcpm(home, ['uninstall', 'github-posts', '--client', id, '--json']);
      expect(removed.json?.ok, removed.stderr).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe(original);
      expect(statSync(file).mode & 0o777).toBe(0o640);
      expect(readFileSync(`${file}.mcpm-backup`, 'utf8')).toBe(original);
    });
  }
});

function fixtureFor(id: string): string {
  const ext = { json: 'json', jsonc: 'jsonc', 'yaml-map': 'yaml', 'yaml-list': 'yaml', toml: 'toml' }[findClient(id)!.format];
  const exact = path.join(FIXTURES, `${id}.${ext}`);
  return existsSync(exact) ? exact : path.join(FIXTURES, `${id}.json`);
}

describe('clients: detection, scope, conflicts, concurrency, import', () => {
  it('with no --client, installs into every detected client; none detected names --client', async () => {
    const home = await makeTmpDir('mcpm-detect-');
    const none = await mcpm(home, ['install', 'github-posts', '--json', ...inputs()], NODE_ONLY_PATH);
    expect(none.json.error).toMatchObject({ code: 'ENOCLIENT', hint: expect.stringContaining('--client') });
    // What Cursor and Codex themselves leave behind: Cursor's extensions folder, Codex's sessions.
    mkdirSync(path.join(home, '.cursor', 'extensions'), { recursive: true });
    mkdirSync(path.join(home, '.codex', 'sessions'), { recursive: true });
    const run = await mcpm(home, ['install', 'github-posts', '--json', ...inputs()], NODE_ONLY_PATH);
    expect(run.json?.result.clients.map((c: any) => c.client).sort(), run.stderr).toEqual(['codex', 'cursor']);
    const all = await mcpm(home, ['install', 'github-posts', '--client', 'all', '--json'], NODE_ONLY_PATH);
    expect(all.json?.result.clients.map((c: any) => c.client).sort()).toEqual(['codex', 'cursor']);
  });

  it('a client named once is not detected afterwards through the folder mcpm created for its file', async () => {
    const home = await makeTmpDir('mcpm-detect-');
    const named = await mcpm(home, ['install', 'github-posts', '--client', 'windsurf', '--client', 'kiro', '--json', ...inputs()], NODE_ONLY_PATH);
    expect(named.json?.ok, named.stderr).toBe(true);
    // While the file is there, the client counts: the user chose it and mcpm's entry is in it.
    const listed = await mcpm(home, ['clients', '--json'], NODE_ONLY_PATH);
    expect(listed.json.result.filter((r: any) => r.detected).map((r: any) => r.id).sort()).toEqual(['kiro', 'windsurf']);
    const gone = await mcpm(home, ['uninstall', 'github-posts', '--json'], NODE_ONLY_PATH);
    expect(gone.json?.ok, gone.stderr).toBe(true);
    // mcpm removes the folders it created; the folders alone (as an older mcpm left them) do not count either.
    expect(existsSync(path.join(home, '.codeium', 'windsurf'))).toBe(false);
    expect(existsSync(path.join(home, '.kiro', 'settings'))).toBe(false);
    mkdirSync(path.join(home, '.codeium', 'windsurf'), { recursive: true });
    mkdirSync(path.join(home, '.kiro', 'settings'), { recursive: true });
    const after = await mcpm(home, ['clients', '--json'], NODE_ONLY_PATH);
    expect(after.json.result.filter((r: any) => r.detected).map((r: any) => r.id)).toEqual([]);
    const again = await mcpm(home, ['install', 'github-posts', '--json', ...inputs()], NODE_ONLY_PATH);
    expect(again.json.error).toMatchObject({ code: 'ENOCLIENT' });
  });

  it('the Cline extension gets the file it reads: its own before 4.0, the shared one (written once) from 4.0', async () => {
    const extensions = (home: string) => path.join(home, '.vscode', 'extensions');
    const shared = (home: string) => path.join(home, '.cline', 'data', 'settings', 'cline_mcp_settings.json');
    // The editor's own file: where the row points when no Cline 4.x is installed.
    const own = (home: string) => locateClient(findClient('cline-vscode')!, where(home), 'user', () => false)!.file;
    const old = await makeTmpDir('mcpm-cline3-');
    mkdirSync(path.join(extensions(old), 'saoudrizwan.claude-dev-3.38.1'), { recursive: true });
    const three = await mcpm(old, ['install', 'github-posts', '--json', ...inputs()], NODE_ONLY_PATH);
    // VS Code itself is detected by the same extensions folder.
    const clineOnly = (clients: any[]) => clients.filter((c) => c.client !== 'vscode');
    expect(clineOnly(three.json?.result.clients), three.stderr).toEqual([{ client: 'cline-vscode', file: own(old), key: 'github-posts' }]);
    expect(existsSync(shared(old))).toBe(false);
    const modern = await makeTmpDir('mcpm-cline4-');
    mkdirSync(path.join(extensions(modern), 'saoudrizwan.claude-dev-4.1.13'), { recursive: true });
    // The Cline CLI is there too: both rows name the shared file, which gets one entry.
    mkdirSync(path.join(modern, '.cline', 'data', 'sessions'), { recursive: true });
    const four = await mcpm(modern, ['install', 'github-posts', '--json', ...inputs()], NODE_ONLY_PATH);
    expect(clineOnly(four.json?.result.clients), four.stderr).toEqual([{ client: 'cline-vscode', file: shared(modern), key: 'github-posts' }]);
    expect(Object.keys(readClientData(shared(modern), 'json').mcpServers)).toEqual(['github-posts']);
    expect(existsSync(own(modern))).toBe(false);
  });

  it('a client whose servers mcpm cannot write is shown and refused with the reason', async () => {
    const home = await makeTmpDir('mcpm-refused-');
    const run = await mcpm(home, ['install', 'github-posts', '--client', 'jetbrains-ai', '--json', ...inputs()]);
    expect(run.json.error).toMatchObject({ code: 'ECLIENT', message: expect.stringContaining('settings store'), hint: expect.stringContaining('mcpm clients') });
    const text = await mcpm(home, ['clients']);
    expect(text.stdout).toMatch(/jetbrains-ai\s+no\s+0\s+\(not writable\)\s+jetbrains\.com/);
    expect(text.stdout).toContain('jetbrains-ai: JetBrains AI Assistant keeps MCP servers');
  });

  it('--scope project writes the clients\' project files in this folder and records mcpm.json', async () => {
    const home = await makeTmpDir('mcpm-scope-');
    const project = path.join(home, 'work', 'app');
    mkdirSync(project, { recursive: true });
    const run = await runMcpm(['install', 'github-posts', '--scope', 'project', '--client', 'claude-code', '--client', 'vscode', '--registry', world.registryUrl, '--json', ...inputs()], {
      home, cwd: project, env: { POSTS_API_TOKEN: TOKEN },
    });
    expect(run.json?.ok, run.stderr).toBe(true);
    expect(Object.keys(readClientData(path.join(project, '.mcp.json'), 'json').mcpServers)).toEqual(['github-posts']);
    expect(Object.keys(readClientData(path.join(project, '.vscode', 'mcp.json'), 'jsonc').servers)).toEqual(['github-posts']);
    const manifest = JSON.parse(readFileSync(path.join(project, 'mcpm.json'), 'utf8'));
    expect(manifest.servers['io.github.acme/github-posts']).toMatchObject({ range: '^1.0.0', clients: ['claude-code', 'vscode'], secrets: ['POSTS_API_TOKEN'] });
    expect(readFileSync(path.join(project, 'mcpm.json'), 'utf8')).not.toContain(TOKEN);
    const user = await mcpm(home, ['install', 'github-posts', '--scope', 'project', '--client', 'claude-desktop', '--json']);
    expect(user.json.error).toMatchObject({ code: 'ECLIENT', message: expect.stringContaining('no project-scoped file') });
    const gone = await runMcpm(['uninstall', 'github-posts', '--json'], { home, cwd: project });
    expect(gone.json?.ok).toBe(true);
    expect(existsSync(path.join(project, '.mcp.json'))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(project, 'mcpm.json'), 'utf8')).servers).toEqual({});
  });

  it('writes a key the client accepts (Codex and Claude Code reject dots)', async () => {
    const home = await makeTmpDir('mcpm-keys-');
    const run = await mcpm(home, ['install', 'github-posts', '--as', 'posts.v1', '--client', 'codex', '--client', 'cursor', '--json', ...inputs()]);
    expect(run.json?.result.clients.map((c: any) => c.key), run.stderr).toEqual(['posts-v1', 'posts.v1']);
    expect(readFileSync(fileOf('codex', home), 'utf8')).toContain('[mcp_servers.posts-v1]');
  });

  it('eight concurrent installs of eight servers into the same client file and store leave all eight entries', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `posts-${i}`);
    const packages = await Promise.all(names.map((name) => packFixture(path.join(FIXTURES_PACKAGES, 'github-posts'), { name, mcpName: `io.github.acme/${name}`, bin: { [name]: 'index.js' } })));
    const crowd = await startWorld({
      versions: ['1.0.0'],
      packages,
      extraEntries: (npmUrl) => names.map((name) => serverEntry(`io.github.acme/${name}`, '1.0.0', { identifier: name, version: '1.0.0', registryBaseUrl: npmUrl })),
    });
    try {
      const home = await makeTmpDir('mcpm-concurrent-');
      const file = fileOf('claude-desktop', home);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, '{\n  "mcpServers": {}\n}\n');
      const runs = await Promise.all(names.map((name) => runMcpm(['install', name, '--client', 'claude-desktop', '--registry', crowd.registryUrl, '--json'], { home, timeoutMs: 120_000 })));
      for (const run of runs) expect(run.json?.ok, run.stderr).toBe(true);
      expect(Object.keys(readClientData(file, 'json').mcpServers).sort()).toEqual(names);
      const list = await runMcpm(['list', '--json'], { home });
      expect(list.json.result.map((s: any) => s.key).sort()).toEqual(names);
    } finally {
      await crowd.close();
    }
  });

  it('import shows a hand-written npx entry and adopts it, keeping its key and env', async () => {
    const home = await makeTmpDir('mcpm-import-');
    const file = fileOf('claude-desktop', home);
    mkdirSync(path.dirname(file), { recursive: true });
    const handWritten = { command: 'npx', args: ['-y', 'github-posts@1.0.0'], env: { POSTS_API_URL: world.postsUrl, POSTS_API_TOKEN: TOKEN } };
    writeFileSync(file, JSON.stringify({ mcpServers: { 'my-posts': handWritten, other: { command: 'uvx', args: ['x'] } } }, null, 2));
    const shown = await mcpm(home, ['import', '--json']);
    expect(shown.json?.result, shown.stderr).toEqual([
      expect.objectContaining({ client: 'claude-desktop', key: 'my-posts', package: 'github-posts', pinned: '1.0.0', match: expect.objectContaining({ name: 'io.github.acme/github-posts', version: '1.0.0' }) }),
      expect.objectContaining({ client: 'claude-desktop', key: 'other', command: 'uvx x' }),
    ]);
    expect(readClientData(file, 'json').mcpServers['my-posts']).toEqual(handWritten);
    const adopted = await mcpm(home, ['import', '--adopt', '--json']);
    expect(adopted.json?.result[0].adopted, adopted.stderr).toBe(true);
    const entry = readClientData(file, 'json').mcpServers['my-posts'];
    expect(entry.command).toBe(process.execPath);
    expect(entry.env).toEqual({ POSTS_API_URL: world.postsUrl });
    expect(readFileSync(file, 'utf8')).not.toContain(TOKEN);
    const list = await mcpm(home, ['list', '--json']);
    expect(list.json.result[0]).toMatchObject({ name: 'io.github.acme/github-posts', key: 'my-posts', version: '1.0.0' });
  });
});

describe('a client that cannot hold a remote server gets an `mcpm run` entry, and says so', () => {
  it('Claude Desktop', async () => {
    const home = await makeTmpDir('mcpm-noremote-');
    const run = await mcpm(home, ['install', 'remote-posts', '--client', 'claude-desktop']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Claude Desktop cannot connect to streamable-http servers from its file: its entry starts `mcpm run io.github.acme/remote-posts`');
    expect(readClientData(fileOf('claude-desktop', home), 'json').mcpServers['remote-posts']).toEqual({
      command: process.execPath,
      args: [MCPM_BIN, 'run', 'io.github.acme/remote-posts'],
      env: { MCPM_HOME: path.join(home, '.mcpm') },
    });
  });
});
