// @module-tag deep
// Credentials follow only what they were issued for (issue 18), and the authorization of MCP 2026-07-28 (issue 13):
// tokens per profile and per issuer, bound to the server URL they were issued for; the RFC 9207 `iss` check; no
// redirect to another origin with credentials or installed headers; one refresh at a time across processes; a
// loopback listener that takes nothing before the flow's state exists; only web URLs reach the browser opener;
// size caps on authorization-server answers; a wrong protected resource metadata is not remembered; secrets
// folders 0700; a server moving to another authorization server. Every test here fails against mcpm before these
// fixes. Registration and tenants are in oauth-registration.e2e.test.ts.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCPM_BIN } from './helpers/cli.js';
import { connectToEntry } from './helpers/mcp-client.js';
import { remoteEntry, startMcpRegistry, type McpRegistry, type RegistryEntry } from './helpers/mcp-registry.js';
import { remoteHome, whoami } from './helpers/oauth-login.js';
import { API_KEY, startOAuthWorld, type OAuthWorld } from './helpers/oauth-world.js';
import { cleanupTmpDirs } from './helpers/tmp.js';

let world: OAuthWorld;
let registry: McpRegistry;
const entries: RegistryEntry[] = [];

beforeAll(async () => {
  world = await startOAuthWorld();
  entries.push(
    remoteEntry('io.github.acme/notes', { type: 'streamable-http', url: world.mcpUrl }),
    remoteEntry('io.github.acme/moved', {
      type: 'streamable-http',
      url: world.movedUrl,
      headers: [{ name: 'X-Api-Key', isRequired: true, isSecret: true, description: 'API key' }],
    }),
    remoteEntry('io.github.acme/tenant-notes', {
      type: 'streamable-http',
      url: world.tenantUrl('{tenant_id}'),
      variables: { tenant_id: { isRequired: true, description: 'Your tenant' } },
    }),
  );
  registry = await startMcpRegistry(entries);
});
afterAll(async () => {
  await world.close();
  await registry.close();
  await cleanupTmpDirs();
});

/** A fresh HOME with one server installed into Claude Desktop (an `mcpm run` entry). */
const setup = (name = 'notes', extra: string[] = []) => remoteHome(registry.url, name, extra);

/** A "browser" that logs the URLs it was given (and does not follow them). */
function loggingBrowser(home: string): { path: string; log: () => string } {
  const browser = path.join(home, 'browser');
  writeFileSync(browser, `#!${process.execPath}\nrequire('fs').appendFileSync(__filename + '.log', process.argv[2] + '\\n');\n`);
  chmodSync(browser, 0o755);
  return { path: browser, log: () => (existsSync(`${browser}.log`) ? readFileSync(`${browser}.log`, 'utf8') : '') };
}

describe('the authorization response and the authorization server', () => {
  for (const iss of ['wrong', 'absent'] as const) {
    it(`an authorization response with ${iss === 'wrong' ? 'another issuer\'s' : 'no'} iss (RFC 9207) is refused before its code is exchanged`, async () => {
      const { login, file } = await setup();
      world.knobs.iss = iss;
      const exchanges = world.events.codeExchanges.length;
      try {
        const result = await login();
        expect(result.code).toBe(1);
        expect(result.json.error).toMatchObject({ code: 'EAUTH', message: expect.stringContaining('RFC 9207') });
        // The browser is told too, and not that mcpm is authorized.
        expect(result.page).toContain('mcpm could not finish the sign-in');
        expect(result.status).toBe(400);
        if (iss === 'wrong') expect(result.json.error.message).toContain('"https://evil.example"');
        expect(world.events.codeExchanges.length).toBe(exchanges);
        expect(existsSync(file()) ? JSON.stringify(JSON.parse(readFileSync(file(), 'utf8'))) : '').not.toMatch(/access_token/);
      } finally {
        world.knobs.iss = 'right';
      }
    });
  }

  it('only https (and http on this machine) reaches the browser opener; an smb: authorization endpoint is EAUTH', async () => {
    const { home, mcpm } = await setup();
    const browser = loggingBrowser(home);
    world.knobs.authorizationEndpoint = 'smb://evil.example/share';
    try {
      const result = await mcpm(['login', 'notes', '--json'], { BROWSER: browser.path });
      expect(result.json?.error, result.stderr).toMatchObject({ code: 'EAUTH', message: expect.stringContaining('smb: URL') });
      expect(browser.log()).toBe('');
      expect(result.stderr).not.toContain('smb://');
    } finally {
      world.knobs.authorizationEndpoint = undefined;
    }
  });

  for (const [what, length, said] of [['a token answer over 256 KiB', 400_000, 'larger than 256 KiB'], ['an access token over 16 KiB', 20_000, 'refuses tokens over']] as const) {
    it(`${what} is refused and nothing is stored`, async () => {
      const { login, file } = await setup();
      world.knobs.accessTokenLength = length;
      try {
        const result = await login();
        expect(result.json?.error, result.stderr).toMatchObject({ code: 'EAUTH', message: expect.stringContaining(said) });
        expect(existsSync(file()) ? readFileSync(file(), 'utf8') : '').not.toContain('xxxxxxxx');
      } finally {
        world.knobs.accessTokenLength = undefined;
      }
    });
  }

  it('a protected resource metadata that names another resource fails the login, and is not remembered once the server is fixed', async () => {
    const { login, mcpm } = await setup();
    world.knobs.prmResource = 'https://other.example/mcp';
    let failed;
    try {
      failed = await mcpm(['login', 'notes', '--json']);
    } finally {
      world.knobs.prmResource = undefined;
    }
    expect(failed.json?.error, failed.stderr).toMatchObject({ code: 'EAUTH', message: expect.stringContaining('https://other.example/mcp') });
    const fixed = await login();
    expect(fixed.json?.result, fixed.stderr).toMatchObject({ required: true, authorizationServer: world.asUrl });
  });
});

describe('the loopback redirect', () => {
  it('refuses every callback until the flow has its state: another local process cannot get its code exchanged', async () => {
    const { login } = await setup();
    const forged: number[] = [];
    world.knobs.beforeRegistration = async (body) => {
      const port = new URL((body.redirect_uris as string[])[0]!).port;
      for (const query of ['code=forged', 'code=forged&state=guess']) forged.push((await fetch(`http://127.0.0.1:${port}/callback?${query}`)).status);
    };
    try {
      const result = await login();
      expect(result.json?.result, result.stderr).toMatchObject({ required: true });
    } finally {
      world.knobs.beforeRegistration = undefined;
    }
    expect(forged).toEqual([400, 400]);
    expect(world.events.codeExchanges.map((e) => e.code)).not.toContain('forged');
  });
});

describe('credentials follow only what they were issued for', () => {
  it('no redirect to another origin with the installed headers: login\'s probe is refused, and so is run', async () => {
    const { mcpm, entry, home } = await setup('moved', ['--arg', `X-Api-Key=${API_KEY}`]);
    const before = world.events.elsewhere.length;
    const login = await mcpm(['login', 'moved', '--json']);
    expect(login.json?.error, login.stderr).toMatchObject({ code: 'ENETWORK', message: expect.stringContaining('another origin') });
    const server = await connectToEntry(entry(), { home }).catch((error: Error) => error);
    if (!(server instanceof Error)) await server.close();
    expect(world.events.elsewhere.slice(before)).toEqual([]);
  });

  it('a token is not sent to a server whose URL changed: it is bound to the URL it was issued for', async () => {
    const { mcpm, entry, home, login } = await setup();
    expect((await login()).code).toBe(0);
    const token: string = JSON.parse(readFileSync(path.join(home, '.mcpm', 'secrets', 'io.github.acme', 'notes.oauth.json'), 'utf8')).issuers[world.asUrl].tokens.access_token;
    // The registry moves the server to another host; an update follows it.
    const notes = entries[0]!;
    const moved = structuredClone(notes);
    moved.server.version = '1.1.0';
    moved.server.remotes[0].url = `${world.elsewhereUrl}/mcp`;
    const now = new Date().toISOString();
    Object.assign(moved._meta['io.modelcontextprotocol.registry/official'], { publishedAt: now, updatedAt: now });
    entries[0] = moved;
    try {
      const update = await mcpm(['install', 'notes@1.1.0', '--json']);
      expect(update.json?.ok, update.stderr + update.stdout).toBe(true);
      expect(update.json.result.remote, update.stdout).toEqual([expect.objectContaining({ url: `${world.elsewhereUrl}/mcp` })]);
      const before = world.events.elsewhere.length;
      const server = await connectToEntry(entry(), { home }).catch((error: Error) => error);
      if (!(server instanceof Error)) await server.close();
      const arrived = world.events.elsewhere.slice(before);
      expect(arrived.filter((r) => r.method === 'POST').length).toBeGreaterThan(0);
      expect(JSON.stringify(arrived)).not.toContain(token);
      expect(arrived.filter((r) => r.headers.authorization)).toEqual([]);
    } finally {
      entries[0] = notes;
    }
  });

  it('a server that moves to another authorization server: the old issuer\'s tokens go nowhere, a new sign-in is kept under the new issuer', async () => {
    const { home, entry, file, login } = await setup();
    expect((await login()).code).toBe(0);
    const browser = path.join(home, 'browser');
    writeFileSync(browser, `#!${process.execPath}\nfetch(process.argv[2]).then((r) => r.text());\n`);
    chmodSync(browser, 0o755);
    const before = { exchanges: world.events.codeExchanges.length, refreshes: world.events.refreshes, reuses: world.events.refreshReuses };
    world.knobs.mcpTenant = 'acme';
    try {
      const server = await connectToEntry({ ...entry(), env: { ...entry().env, BROWSER: browser } }, { home });
      try {
        expect((await whoami(server.client)).issuer).toBe(world.as.issuer('acme'));
      } finally {
        await server.close();
      }
    } finally {
      world.knobs.mcpTenant = undefined;
    }
    // No refresh token was presented anywhere (the new issuer has none of the old one's), one sign-in with the new one.
    expect(world.events.refreshes).toBe(before.refreshes);
    expect(world.events.refreshReuses).toBe(before.reuses);
    expect(world.events.codeExchanges.slice(before.exchanges)).toEqual([expect.objectContaining({ issuer: world.as.issuer('acme'), ok: true })]);
    const stored = JSON.parse(readFileSync(file(), 'utf8'));
    expect(stored.current).toBe(world.as.issuer('acme'));
    expect(Object.keys(stored.issuers).sort()).toEqual([world.asUrl, world.as.issuer('acme')].sort());
    expect(stored.issuers[world.as.issuer('acme')].client.client_id).not.toBe(stored.issuers[world.asUrl].client.client_id);
  });

  it('tokens are per profile: the work login is never sent by the personal profile, and logging out of one keeps the other', async () => {
    const { mcpm, file, login, home } = await setup('notes', ['--profile', 'work']);
    expect((await mcpm(['install', 'notes', '--profile', 'personal', '--json'])).json?.ok).toBe(true);
    const work = await login(['--profile', 'work']);
    const personal = await login(['--profile', 'personal']);
    expect(work.json?.result, work.stderr).toMatchObject({ profile: 'work', file: file('work') });
    expect(personal.json?.result, personal.stderr).toMatchObject({ profile: 'personal', file: file('personal') });
    const clientOf = (profile: string) => JSON.parse(readFileSync(file(profile), 'utf8')).issuers[world.asUrl].client.client_id;
    expect(clientOf('work')).not.toBe(clientOf('personal'));
    const run = (profile: string) => ({ command: process.execPath, args: [MCPM_BIN, 'run', 'notes', '--profile', profile], env: { MCPM_HOME: path.join(home, '.mcpm') } });
    for (const profile of ['work', 'personal']) {
      const server = await connectToEntry(run(profile), { home });
      try {
        expect((await whoami(server.client)).clientId).toBe(clientOf(profile));
      } finally {
        await server.close();
      }
    }
    const out = await mcpm(['logout', 'notes', '--profile', 'work', '--json']);
    expect(out.json?.result).toMatchObject({ profile: 'work', removed: true });
    expect(existsSync(file('work'))).toBe(false);
    expect(existsSync(file('personal'))).toBe(true);
  });

  it('one refresh at a time across processes: three `mcpm run` with a rotating refresh token all keep working', async () => {
    const { entry, home, login } = await setup();
    expect((await login()).code).toBe(0);
    const servers = await Promise.all([1, 2, 3].map(() => connectToEntry(entry(), { home })));
    try {
      const refreshes = world.events.refreshes;
      const reuses = world.events.refreshReuses;
      const authorizations = world.events.authorizations.length;
      world.expireAccessTokens();
      const who = await Promise.all(servers.map((server) => whoami(server.client)));
      expect(new Set(who.map((w) => w.clientId)).size).toBe(1);
      expect(world.events.refreshReuses - reuses).toBe(0);
      expect(world.events.refreshes - refreshes).toBe(1);
      expect(world.events.authorizations.length).toBe(authorizations);
    } finally {
      await Promise.all(servers.map((server) => server.close()));
    }
  });

  it('the secrets folders are 0700 even when the first file written there is an OAuth file', async () => {
    const { home, login } = await setup();
    expect((await login()).code).toBe(0);
    for (const dir of ['secrets', 'secrets/io.github.acme']) expect(statSync(path.join(home, '.mcpm', dir)).mode & 0o777, dir).toBe(0o700);
  });

  it('the single OAuth file of earlier mcpm versions is read as the server\'s own profile\'s, under its issuer', async () => {
    const { home, entry, file } = await setup();
    const { login } = await setup();
    const fresh = await login();
    expect(fresh.code).toBe(0);
    const current = JSON.parse(readFileSync(fresh.json.result.file, 'utf8'));
    const record = current.issuers[world.asUrl];
    // What mcpm wrote before: one record per server, the SDK's discovery state beside the tokens.
    mkdirSync(path.dirname(file()), { recursive: true });
    writeFileSync(file(), JSON.stringify({
      clientInformation: record.client,
      tokens: record.tokens,
      tokensSavedAt: record.tokensSavedAt,
      discoveryState: { authorizationServerUrl: world.asUrl, authorizationServerMetadata: { issuer: world.asUrl, revocation_endpoint: `${world.asUrl}/revoke` }, resourceMetadata: { resource: world.mcpUrl } },
    }));
    const authorizations = world.events.authorizations.length;
    const server = await connectToEntry(entry(), { home });
    try {
      expect((await whoami(server.client)).clientId).toBe(record.client.client_id);
      expect(world.events.authorizations.length).toBe(authorizations);
    } finally {
      await server.close();
    }
  });
});
