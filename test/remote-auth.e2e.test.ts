// Remote servers behind OAuth 2.1, end to end: install from a local MCP registry, `mcpm login` (the test plays the
// browser by fetching the printed URL), then a stdio MCP client (the official SDK's) starts the Claude Desktop entry,
// which is `mcpm run`, and talks to the streamable HTTP (and SSE) server through it with the token attached; an
// expired token is refreshed, once even for concurrent calls; `mcpm logout` revokes and forgets the tokens, after
// which the bridge signs in again through $BROWSER in the middle of a session.
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { MCPM_BIN, runMcpm } from './helpers/cli.js';
import { connectToEntry, type ServerEntry } from './helpers/mcp-client.js';
import { OFFICIAL_META, SERVER_SCHEMA, startMcpRegistry, type McpRegistry } from './helpers/mcp-registry.js';
import { API_KEY, startOAuthWorld, type OAuthWorld } from './helpers/oauth-world.js';
import { spawnMcpm } from './helpers/spawn.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';

const NOTES = 'io.github.acme/notes';
const NOTES_SSE = 'io.github.acme/notes-sse';

function remoteEntry(name: string, remote: Record<string, unknown>) {
  return {
    server: { $schema: SERVER_SCHEMA, name, description: 'A remote notes server', version: '1.0.0', remotes: [remote] },
    _meta: { [OFFICIAL_META]: { status: 'active', publishedAt: '2025-11-01T00:00:00Z', updatedAt: '2025-11-01T00:00:00Z', isLatest: true } },
  };
}

let world: OAuthWorld;
let registry: McpRegistry;
let home: string;

beforeAll(async () => {
  world = await startOAuthWorld();
  registry = await startMcpRegistry([
    remoteEntry(NOTES, {
      type: 'streamable-http',
      url: world.mcpUrl,
      headers: [
        { name: 'X-Tenant', value: '{tenant}', variables: { tenant: { isRequired: true, description: 'Your tenant' } } },
        { name: 'X-Api-Key', isRequired: true, isSecret: true, description: 'API key' },
      ],
    }),
    remoteEntry(NOTES_SSE, { type: 'sse', url: world.sseUrl }),
    remoteEntry('io.github.acme/open-notes', { type: 'streamable-http', url: world.openUrl }),
  ]);
  home = await makeTmpDir('mcpm-remote-auth-');
});
afterAll(async () => {
  await world.close();
  await registry.close();
  await cleanupTmpDirs();
});

const mcpm = (args: string[], env: Record<string, string> = {}) => runMcpm([...args, '--registry', registry.url], { home, env, timeoutMs: 60_000 });
const desktopFile = () => path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
const desktopEntry = (key: string): ServerEntry => JSON.parse(readFileSync(desktopFile(), 'utf8')).mcpServers[key];
const oauthFile = (name: string) => path.join(home, '.mcpm', 'secrets', ...name.split('/')) + '.oauth.json';
const readOAuth = (name: string) => JSON.parse(readFileSync(oauthFile(name), 'utf8'));
const noTokenIn = (text: string) => world.events.issued.filter((token) => text.includes(token));

/** `mcpm login`, with the test as the browser: it opens the printed URL, which redirects to mcpm's loopback. */
async function login(name: string) {
  const live = spawnMcpm(['login', name, '--json'], { home });
  const [url] = await live.waitFor(/https?:\/\/\S+\/authorize\?\S+/);
  const page = await fetch(url);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('mcpm is authorized');
  const code = await live.exited;
  return { code, stdout: live.stdout().toString('utf8'), stderr: live.stderr(), json: JSON.parse(live.stdout().toString('utf8')), url };
}

async function whoami(client: Client) {
  const result: any = await client.callTool({ name: 'whoami', arguments: {} });
  expect(result.isError ?? false, JSON.stringify(result)).toBe(false);
  return JSON.parse(result.content[0].text);
}

describe('a streamable HTTP server behind OAuth, through mcpm run', () => {
  it('installs into Claude Desktop as an `mcpm run` entry (and into Claude Code as a remote entry)', async () => {
    const run = await mcpm(['install', 'notes', '--client', 'claude-desktop', '--client', 'claude-code', '--arg', 'tenant=acme', '--arg', `X-Api-Key=${API_KEY}`, '--json']);
    expect(run.json?.ok, run.stderr + run.stdout).toBe(true);
    expect(run.json.result.remote).toEqual([
      { client: 'claude-desktop', type: 'streamable-http', url: world.mcpUrl, bridge: true },
      { client: 'claude-code', type: 'streamable-http', url: world.mcpUrl },
    ]);
    expect(run.json.result.secretArgs).toEqual(['X-Api-Key']);
    expect(desktopEntry('notes')).toEqual({ command: process.execPath, args: [MCPM_BIN, 'run', NOTES], env: { MCPM_HOME: path.join(home, '.mcpm') } });
    expect(readFileSync(desktopFile(), 'utf8')).not.toContain(API_KEY);
    // The secret header is in the secret store, not in mcpm's state.
    expect(readFileSync(path.join(home, '.mcpm', 'state', 'installed.json'), 'utf8')).not.toContain(API_KEY);
    // Secret argument and header values are kept in the server's 0600 secrets file, as lines no launcher reads.
    const args = path.join(home, '.mcpm', 'secrets', 'io.github.acme', 'notes.env');
    expect(readFileSync(args, 'utf8')).toContain(`#mcpm-arg X-Api-Key=${JSON.stringify(API_KEY)}`);
    expect(statSync(args).mode & 0o777).toBe(0o600);
  });

  it('mcpm login: discovery, dynamic client registration, PKCE in the browser, redirect to a loopback port', async () => {
    const result = await login('notes');
    expect(result.code, result.stderr).toBe(0);
    expect(result.json.result).toMatchObject({ name: NOTES, url: world.mcpUrl, required: true, authorizationServer: expect.stringContaining(world.asUrl), refreshable: true });
    expect(Date.parse(result.json.result.expiresAt)).toBeGreaterThan(Date.now());
    expect(result.stderr).toContain(`to authorize ${NOTES}`);
    expect(world.events.registrations).toEqual([{ clientId: expect.any(String), redirectUris: [expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)], authMethod: 'none' }]);
    expect(world.events.authorizations).toEqual([
      expect.objectContaining({ clientId: world.events.registrations[0]!.clientId, redirectUri: world.events.registrations[0]!.redirectUris[0], resource: world.mcpUrl }),
    ]);
    expect(new URL(result.url).searchParams.get('code_challenge_method')).toBe('S256');
    expect(world.events.codeExchanges).toBe(1);
    // Tokens are in the 0600 secret store and nowhere else: not printed, not in the client's file.
    const stored = readOAuth(NOTES);
    expect(world.events.issued).toContain(stored.tokens.access_token);
    expect(world.events.issued).toContain(stored.tokens.refresh_token);
    expect(stored.codeVerifier).toBeUndefined();
    expect(statSync(oauthFile(NOTES)).mode & 0o777).toBe(0o600);
    expect(noTokenIn(result.stdout + result.stderr + readFileSync(desktopFile(), 'utf8'))).toEqual([]);
  });

  it('a stdio client talks to the server through the Claude Desktop entry, token and headers attached; an expired token is refreshed', async () => {
    const before = world.events.requests.length;
    const server = await connectToEntry(desktopEntry('notes'), { home });
    try {
      expect((await server.client.listTools()).tools.map((t) => t.name)).toEqual(['whoami']);
      const clientId = world.events.registrations[0]!.clientId;
      expect(await whoami(server.client)).toEqual({ clientId, tenant: 'acme', apiKeyOk: true });
      expect(world.events.requests.slice(before).filter((r) => r.includes('/mcp'))).not.toHaveLength(0);
      expect(world.events.requests.slice(before).filter((r) => !r.endsWith('bearer'))).toEqual([]);

      const firstToken = readOAuth(NOTES).tokens.access_token;
      world.expireAccessTokens();
      expect(await whoami(server.client)).toEqual({ clientId, tenant: 'acme', apiKeyOk: true });
      expect(world.events.refreshes).toBe(1);
      const refreshed = readOAuth(NOTES).tokens;
      expect(refreshed.access_token).not.toBe(firstToken);
      expect(world.events.issued).toContain(refreshed.refresh_token);

      // Expired under four calls in flight at once: one refresh (the refresh token rotates, a second use would fail).
      world.expireAccessTokens();
      const all = await Promise.all([1, 2, 3, 4].map(() => whoami(server.client)));
      expect(all.every((who) => who.clientId === clientId)).toBe(true);
      expect(world.events.refreshes).toBe(2);
      expect(world.events.refreshReuses).toBe(0);
      expect(world.events.authorizations).toHaveLength(1);
      expect(noTokenIn(server.stderr())).toEqual([]);
    } finally {
      await server.close();
    }
    // Closing stdin ends the session on the server too.
    await expect.poll(() => world.events.requests.slice(before)).toContain('DELETE /mcp bearer');
  });

  it('mcpm logout revokes and forgets the tokens; the next run signs in again through $BROWSER mid-session', async () => {
    const out = await mcpm(['logout', 'notes', '--json']);
    expect(out.json, out.stderr).toEqual({ ok: true, result: { name: NOTES, removed: true, revoked: true } });
    expect(world.events.revocations).toBe(2);
    expect(existsSync(oauthFile(NOTES))).toBe(false);
    const again = await mcpm(['logout', 'notes', '--json']);
    expect(again.json.result).toEqual({ name: NOTES, removed: false, revoked: false });

    // A "browser" that follows the authorization URL as a user who clicks Allow would. A client starts entries
    // with no node on PATH, so the script names this node by absolute path.
    const browser = path.join(home, 'browser');
    writeFileSync(browser, `#!${process.execPath}\nfetch(process.argv[2]).then((r) => r.text()).then((t) => require('fs').writeFileSync(__filename + '.log', t));\n`);
    chmodSync(browser, 0o755);
    const entry = desktopEntry('notes');
    const server = await connectToEntry({ ...entry, env: { ...entry.env, BROWSER: browser } }, { home });
    try {
      expect(readFileSync(`${browser}.log`, 'utf8')).toContain('mcpm is authorized');
      expect(server.stderr()).toMatch(/to authorize io\.github\.acme\/notes, continue in your browser/);
      expect(world.events.registrations).toHaveLength(2);
      expect(world.events.authorizations).toHaveLength(2);
      expect(await whoami(server.client)).toMatchObject({ clientId: world.events.registrations[1]!.clientId, apiKeyOk: true });
    } finally {
      await server.close();
    }
    expect(statSync(oauthFile(NOTES)).mode & 0o777).toBe(0o600);
  });
});

describe('an SSE server behind OAuth', () => {
  it('installs, logs in and bridges over SSE, refreshing an expired token', async () => {
    const plan = await mcpm(['install', 'notes-sse', '--client', 'claude-desktop', '--dry-run']);
    expect(plan.stdout, plan.stderr).toContain(`Would install ${NOTES_SSE}@1.0.0 (remote sse ${world.sseUrl}) as "notes-sse"`);
    const run = await mcpm(['install', 'notes-sse', '--client', 'claude-desktop', '--json']);
    expect(run.json?.result.remote, run.stderr).toEqual([{ client: 'claude-desktop', type: 'sse', url: world.sseUrl, bridge: true }]);
    const result = await login('notes-sse');
    expect(result.json.result).toMatchObject({ name: NOTES_SSE, required: true });
    const server = await connectToEntry(desktopEntry('notes-sse'), { home });
    try {
      const who = await whoami(server.client);
      expect(who.clientId).toBe(readOAuth(NOTES_SSE).clientInformation.client_id);
      const refreshes = world.events.refreshes;
      world.expireAccessTokens();
      expect((await whoami(server.client)).clientId).toBe(who.clientId);
      expect(world.events.refreshes).toBe(refreshes + 1);
    } finally {
      await server.close();
    }
  });
});

describe('edges', () => {
  it('a server that asks for no authorization: login says so, run connects as it is', async () => {
    const run = await mcpm(['install', 'open-notes', '--client', 'claude-code', '--json']);
    expect(run.json?.ok, run.stderr).toBe(true);
    const out = await mcpm(['login', 'open-notes', '--json']);
    expect(out.json, out.stderr).toEqual({ ok: true, result: { name: 'io.github.acme/open-notes', url: world.openUrl, required: false } });
    const client = new Client({ name: 'test', version: '0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [MCPM_BIN, 'run', 'open-notes'], env: { HOME: home, MCPM_HOME: path.join(home, '.mcpm') }, stderr: 'pipe' }));
    try {
      expect(await whoami(client)).toEqual({ clientId: null, tenant: null, apiKeyOk: false });
    } finally {
      await client.close();
    }
  });

  it('login and run name what is wrong: not installed, not remote; run never writes its errors to stdout', async () => {
    const missing = await mcpm(['login', 'nothing-here', '--json']);
    expect(missing.json.error.code).toBe('ENOTINSTALLED');
    const run = await mcpm(['run', 'nothing-here', '--json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('"nothing-here" is not installed');
    const extra = await mcpm(['run', 'notes', '--', '--flag']);
    expect(extra.code).toBe(2);
    expect(extra.stdout).toBe('');
  });

  it('uninstall forgets the tokens and the secret header', async () => {
    const run = await mcpm(['uninstall', 'notes', '--json']);
    expect(run.json?.ok, run.stderr).toBe(true);
    expect(existsSync(oauthFile(NOTES))).toBe(false);
    expect(existsSync(path.join(home, '.mcpm', 'secrets', 'io.github.acme', 'notes.args.json'))).toBe(false);
  });
});
