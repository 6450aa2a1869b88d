// Remote servers behind OAuth 2.1, end to end: install from a local MCP registry, `mcpm login` (the test plays the
// browser by fetching the printed URL), then a stdio MCP client (the official SDK v2's) starts the Claude Desktop
// entry, which is `mcpm run`, and talks through it to a 2026-07-28 server (stateless; a tool that needs an
// elicitation goes round trip to the stdio client and back), a 2025-11-25 server with sessions, and an SSE-only
// server, with the token attached; an expired token is refreshed, once even for concurrent calls; a tool that needs
// more scope gets one step-up; `mcpm logout` revokes and forgets the tokens, after which the bridge signs in again
// through $BROWSER in the middle of a session.
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { MCPM_BIN, runMcpm } from './helpers/cli.js';
import { connectToEntry, type ServerEntry } from './helpers/mcp-client.js';
import { remoteEntry, startMcpRegistry, type McpRegistry } from './helpers/mcp-registry.js';
import { API_KEY, startOAuthWorld, type OAuthWorld } from './helpers/oauth-world.js';
import { loginAsBrowser } from './helpers/oauth-login.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';

const NOTES = 'io.github.acme/notes';
const NOTES_2025 = 'io.github.acme/notes-2025';
const NOTES_SSE = 'io.github.acme/notes-sse';
const NOTES_GUESS = 'io.github.acme/notes-guess';
const MODERN = { versionNegotiation: { mode: 'auto' as const } };

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
    remoteEntry(NOTES_2025, { type: 'streamable-http', url: world.legacyUrl }),
    remoteEntry(NOTES_SSE, { type: 'sse', url: world.sseUrl }),
    // The registry says streamable HTTP, but the server only speaks the old HTTP+SSE transport.
    remoteEntry(NOTES_GUESS, { type: 'streamable-http', url: world.sseUrl }),
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
/** What is stored for the root issuer (tokens are kept under the issuer that issued them). */
const stored = (name: string) => readOAuth(name).issuers[world.asUrl];
const noTokenIn = (text: string) => world.events.issued.filter((token) => text.includes(token));

const login = (name: string) => loginAsBrowser(home, [name, '--registry', registry.url]);

/** What the "browser" of browserScript was shown, waiting (up to 10 s) for it to have written the page. */
async function browserPage(browser: string): Promise<string> {
  const log = `${browser}.log`;
  const page = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
  // Whole once it ends with the newline the script appends after the page.
  for (let waited = 0; waited < 10_000 && !page().endsWith('\n'); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  return page();
}

/** A "browser" that follows the authorization URL as a user who clicks Allow would, by absolute node path. */
function browserScript(name: string): string {
  const browser = path.join(home, name);
  writeFileSync(browser, `#!${process.execPath}\nfetch(process.argv[2]).then((r) => r.text()).then((t) => require('fs').appendFileSync(__filename + '.log', t + '\\n'));\n`);
  chmodSync(browser, 0o755);
  return browser;
}

async function whoami(client: Client) {
  const result: any = await client.callTool({ name: 'whoami', arguments: {} });
  expect(result.isError ?? false, JSON.stringify(result)).toBe(false);
  return JSON.parse(result.content[0].text);
}

describe('a 2026-07-28 server behind OAuth, through mcpm run', () => {
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
    expect(readFileSync(path.join(home, '.mcpm', 'state', 'installed.json'), 'utf8')).not.toContain(API_KEY);
    const args = path.join(home, '.mcpm', 'secrets', 'io.github.acme', 'notes.env');
    expect(readFileSync(args, 'utf8')).toContain(`#mcpm-arg X-Api-Key=${JSON.stringify(API_KEY)}`);
    expect(statSync(args).mode & 0o777).toBe(0o600);
  });

  it('mcpm login: discovery, dynamic client registration as a native app, PKCE in the browser, `iss` checked, tokens under the issuer', async () => {
    const result = await login('notes');
    expect(result.code, result.stderr).toBe(0);
    expect(result.json.result).toMatchObject({ name: NOTES, url: world.mcpUrl, profile: 'default', required: true, authorizationServer: world.asUrl, refreshable: true });
    expect(Date.parse(result.json.result.expiresAt)).toBeGreaterThan(Date.now());
    expect(result.stderr).toContain(`to authorize ${NOTES}`);
    expect(world.events.registrations).toEqual([
      { issuer: world.asUrl, clientId: expect.any(String), redirectUris: [expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)], authMethod: 'none', applicationType: 'native' },
    ]);
    expect(world.events.authorizations).toEqual([
      expect.objectContaining({ clientId: world.events.registrations[0]!.clientId, redirectUri: world.events.registrations[0]!.redirectUris[0], resource: world.mcpUrl }),
    ]);
    expect(new URL(result.url).searchParams.get('code_challenge_method')).toBe('S256');
    expect(world.events.codeExchanges).toEqual([expect.objectContaining({ ok: true })]);
    // Tokens are in the 0600 secret store, under their issuer and bound to the server's URL, and nowhere else.
    const file = readOAuth(NOTES);
    expect(file).toMatchObject({ formatVersion: 2, current: world.asUrl });
    expect(stored(NOTES)).toMatchObject({ resource: world.mcpUrl, client: { client_id: world.events.registrations[0]!.clientId } });
    expect(world.events.issued).toContain(stored(NOTES).tokens.access_token);
    expect(world.events.issued).toContain(stored(NOTES).tokens.refresh_token);
    expect(JSON.stringify(file)).not.toContain('codeVerifier');
    expect(statSync(oauthFile(NOTES)).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(oauthFile(NOTES))).mode & 0o777).toBe(0o700);
    expect(noTokenIn(result.stdout + result.stderr + readFileSync(desktopFile(), 'utf8'))).toEqual([]);
  });

  it('a stdio client speaking 2026-07-28 talks to the server through the Claude Desktop entry, token and headers attached; an expired token is refreshed', async () => {
    const before = world.events.requests.length;
    const server = await connectToEntry(desktopEntry('notes'), { home, client: MODERN });
    try {
      expect(server.client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      expect((await server.client.listTools()).tools.map((t) => t.name)).toEqual(['whoami', 'write_note', 'confirm']);
      const clientId = world.events.registrations[0]!.clientId;
      expect(await whoami(server.client)).toEqual({ clientId, issuer: world.asUrl, tenant: 'acme', apiKeyOk: true });
      expect(world.events.requests.slice(before).filter((r) => r.includes('/mcp'))).not.toHaveLength(0);
      expect(world.events.requests.slice(before).filter((r) => !r.endsWith('bearer'))).toEqual([]);
      // The routing headers of 2026-07-28, taken from each request's own _meta by the SDK transport in the bridge.
      expect(world.events.mcpHeaders).toEqual(expect.arrayContaining(['server/discover 2026-07-28', 'tools/list 2026-07-28', 'tools/call whoami 2026-07-28']));

      const firstToken = stored(NOTES).tokens.access_token;
      world.expireAccessTokens();
      expect(await whoami(server.client)).toMatchObject({ clientId, apiKeyOk: true });
      expect(world.events.refreshes).toBe(1);
      const refreshed = stored(NOTES).tokens;
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
    // A stateless server: no session, so nothing to end.
    expect(world.events.requests.slice(before)).not.toContain('DELETE /mcp bearer');
  });

  it('a tool that needs an elicitation: the input_required result goes to the stdio client, its answer comes back on the retry', async () => {
    const server = await connectToEntry(desktopEntry('notes'), { home, client: { ...MODERN, capabilities: { elicitation: { form: {} } } } });
    const asked: string[] = [];
    server.client.setRequestHandler('elicitation/create', async (request: any) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { ok: true } };
    });
    try {
      const result: any = await server.client.callTool({ name: 'confirm', arguments: {} });
      expect(result.content, JSON.stringify(result)).toEqual([{ type: 'text', text: 'confirmed' }]);
      expect(asked).toEqual(['Really write the note?']);
    } finally {
      await server.close();
    }
  });

  it('a tool that needs more scope: one step-up authorization (in the browser) for the scopes so far plus the new one', async () => {
    const browser = browserScript('browser-step-up');
    const entry = desktopEntry('notes');
    const server = await connectToEntry({ ...entry, env: { ...entry.env, BROWSER: browser } }, { home, client: MODERN });
    try {
      const result: any = await server.client.callTool({ name: 'write_note', arguments: {} });
      expect(result.content, JSON.stringify(result)).toEqual([{ type: 'text', text: 'written' }]);
      expect(world.events.authorizations.at(-1)).toMatchObject({ scope: 'notes:read notes:write' });
      expect(stored(NOTES).tokens.scope).toBe('notes:read notes:write');
      expect(await whoami(server.client)).toMatchObject({ apiKeyOk: true });

    } finally {
      await server.close();
    }
  });

  it('a user who cannot have that scope: one step-up, then a clear EAUTH instead of a loop of sign-ins', async () => {
    expect((await mcpm(['logout', 'notes', '--json'])).json?.ok).toBe(true);
    world.knobs.grantOnly = ['notes:read'];
    const browser = browserScript('browser-denied');
    const entry = desktopEntry('notes');
    const before = world.events.authorizations.length;
    const server = await connectToEntry({ ...entry, env: { ...entry.env, BROWSER: browser } }, { home });
    try {
      const denied: any = await server.client.callTool({ name: 'write_note', arguments: {} }).catch((error: Error) => ({ thrown: error.message }));
      expect(JSON.stringify(denied)).toMatch(/needs more access \(scope notes:read notes:write\)/);
      // The sign-in the missing token needed, and one step-up: no more.
      expect(world.events.authorizations.slice(before).map((a) => a.scope)).toEqual(['notes:read', 'notes:read notes:write']);
      expect(await whoami(server.client)).toMatchObject({ apiKeyOk: true });
    } finally {
      world.knobs.grantOnly = undefined;
      await server.close();
    }
  });

  it('mcpm logout revokes and forgets the tokens; the next run signs in again through $BROWSER mid-session', async () => {
    const out = await mcpm(['logout', 'notes', '--json']);
    expect(out.json, out.stderr).toEqual({ ok: true, result: { name: NOTES, profile: 'default', removed: true, revoked: true } });
    expect(world.events.revocations).toBeGreaterThanOrEqual(1);
    expect(existsSync(oauthFile(NOTES))).toBe(false);
    const again = await mcpm(['logout', 'notes', '--json']);
    expect(again.json.result).toEqual({ name: NOTES, profile: 'default', removed: false, revoked: false });

    const browser = browserScript('browser');
    const registrations = world.events.registrations.length;
    const entry = desktopEntry('notes');
    // A 2025 client (initialize): the one process that will meet the 401 is the one whose stderr is read here.
    const server = await connectToEntry({ ...entry, env: { ...entry.env, BROWSER: browser } }, { home });
    try {
      expect(await whoami(server.client)).toMatchObject({ clientId: world.events.registrations.at(-1)!.clientId, apiKeyOk: true });
      // The "browser" writes the page it was shown once it has read it, which may be just after mcpm has the token.
      expect(await browserPage(browser)).toContain('mcpm is authorized');
      expect(server.stderr()).toMatch(/to authorize io\.github\.acme\/notes, continue in your browser/);
      expect(world.events.registrations).toHaveLength(registrations + 1);
    } finally {
      await server.close();
    }
    expect(statSync(oauthFile(NOTES)).mode & 0o777).toBe(0o600);
  });
});

describe('older servers', { tags: ['deep'] }, () => {
  it('a 2025-11-25 streamable HTTP server with sessions: the session is opened by initialize and ended when stdin closes', async () => {
    const run = await mcpm(['install', 'notes-2025', '--client', 'claude-desktop', '--json']);
    expect(run.json?.ok, run.stderr).toBe(true);
    expect((await login('notes-2025')).code).toBe(0);
    const before = world.events.requests.length;
    const server = await connectToEntry(desktopEntry('notes-2025'), { home, client: MODERN });
    try {
      expect(server.client.getNegotiatedProtocolVersion()).toBe('2025-11-25');
      expect(await whoami(server.client)).toMatchObject({ issuer: world.asUrl });
    } finally {
      await server.close();
    }
    await expect.poll(() => world.events.requests.slice(before)).toContain('DELETE /v2025/mcp bearer');
  });

  it('an SSE server: installs, logs in and bridges over SSE, refreshing an expired token', async () => {
    const plan = await mcpm(['install', 'notes-sse', '--client', 'claude-desktop', '--dry-run']);
    expect(plan.stdout, plan.stderr).toContain(`Would install ${NOTES_SSE}@1.0.0 (remote sse ${world.sseUrl}) as "notes-sse"`);
    const run = await mcpm(['install', 'notes-sse', '--client', 'claude-desktop', '--json']);
    expect(run.json?.result.remote, run.stderr).toEqual([{ client: 'claude-desktop', type: 'sse', url: world.sseUrl, bridge: true }]);
    const result = await login('notes-sse');
    expect(result.json.result).toMatchObject({ name: NOTES_SSE, required: true });
    const server = await connectToEntry(desktopEntry('notes-sse'), { home, client: MODERN });
    try {
      expect(server.client.getNegotiatedProtocolVersion()).toBe('2025-11-25');
      const who = await whoami(server.client);
      expect(who.clientId).toBe(stored(NOTES_SSE).client.client_id);
      const refreshes = world.events.refreshes;
      world.expireAccessTokens();
      expect((await whoami(server.client)).clientId).toBe(who.clientId);
      expect(world.events.refreshes).toBe(refreshes + 1);
    } finally {
      await server.close();
    }
  });

  it('a server the registry calls streamable HTTP that offers only SSE: the bridge chooses SSE after its POST is refused', async () => {
    const run = await mcpm(['install', 'notes-guess', '--client', 'claude-desktop', '--json']);
    expect(run.json?.ok, run.stderr).toBe(true);
    expect((await login('notes-guess')).code).toBe(0);
    const before = world.events.requests.length;
    const server = await connectToEntry(desktopEntry('notes-guess'), { home, client: MODERN });
    try {
      expect(await whoami(server.client)).toMatchObject({ issuer: world.asUrl });
      expect(world.events.requests.slice(before)).toEqual(expect.arrayContaining(['POST /sse bearer', 'GET /sse bearer', 'POST /messages bearer']));
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
    expect(out.json, out.stderr).toEqual({ ok: true, result: { name: 'io.github.acme/open-notes', url: world.openUrl, profile: 'default', required: false } });
    const client = new Client({ name: 'test', version: '0' }, MODERN);
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [MCPM_BIN, 'run', 'open-notes'], env: { HOME: home, MCPM_HOME: path.join(home, '.mcpm') }, stderr: 'pipe' }));
    try {
      expect(await whoami(client)).toEqual({ clientId: null, issuer: null, tenant: null, apiKeyOk: false });
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
    expect(existsSync(path.join(home, '.mcpm', 'secrets', 'io.github.acme', 'notes.env'))).toBe(false);
  });
});
