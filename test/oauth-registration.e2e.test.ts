// @module-tag deep
// Client registration in the order of the MCP authorization specification (2026-07-28): a pre-registered client id
// (`mcpm login --client-id`, or the registry entry's), a Client ID Metadata Document where the authorization server
// takes one and `oauth.client-metadata-url` is set, then dynamic registration; and a multi-tenant server used with
// two tenants side by side (a profile each: its URL variable, its tenant's issuer, its tokens).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCPM_BIN } from './helpers/cli.js';
import { connectToEntry } from './helpers/mcp-client.js';
import { remoteEntry, startMcpRegistry, type McpRegistry, type RegistryEntry } from './helpers/mcp-registry.js';
import { remoteHome, whoami } from './helpers/oauth-login.js';
import { startOAuthWorld, type OAuthWorld } from './helpers/oauth-world.js';
import { cleanupTmpDirs } from './helpers/tmp.js';

let world: OAuthWorld;
let registry: McpRegistry;
const entries: RegistryEntry[] = [];

beforeAll(async () => {
  world = await startOAuthWorld();
  entries.push(
    remoteEntry('io.github.acme/notes', { type: 'streamable-http', url: world.mcpUrl }),
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

describe('client registration in the specification\'s order', () => {
  it('a pre-registered client id (login --client-id) comes first: no registration', async () => {
    const { login, file } = await setup();
    const clientId = world.as.registerClient(world.asUrl, ['http://127.0.0.1/callback']);
    const registrations = world.events.registrations.length;
    const result = await login(['--client-id', clientId]);
    expect(result.json?.result, result.stderr).toMatchObject({ required: true });
    expect(world.events.registrations.length).toBe(registrations);
    expect(world.events.authorizations.at(-1)).toMatchObject({ clientId });
    expect(JSON.parse(readFileSync(file(), 'utf8'))).toMatchObject({ preRegistered: { clientId, issuer: world.asUrl } });
  });

  it('a pre-registered client id from the registry entry (remote oauth.clientId)', async () => {
    const clientId = world.as.registerClient(world.asUrl, ['http://127.0.0.1/callback']);
    entries.push(remoteEntry('io.github.acme/notes-registered', { type: 'streamable-http', url: world.mcpUrl, oauth: { clientId } }));
    const { login } = await setup('notes-registered');
    const registrations = world.events.registrations.length;
    const result = await login();
    expect(result.json?.result, result.stderr).toMatchObject({ required: true });
    expect(world.events.registrations.length).toBe(registrations);
    expect(world.events.authorizations.at(-1)).toMatchObject({ clientId });
  });

  it('a Client ID Metadata Document where the authorization server takes one and oauth.client-metadata-url is set', async () => {
    const { home, mcpm, login } = await setup();
    // The document is served over TLS on this machine; the authorization server trusts the test's certificate.
    const dir = path.join(home, 'tls');
    mkdirSync(dir);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const cert = readFileSync(path.join(dir, 'cert.pem'));
    let documentUrl = '';
    const tls = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ client_id: documentUrl, client_name: 'mcpm', redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'none' }));
    });
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    documentUrl = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/oauth/mcpm.json`;
    world.knobs.cimd = true;
    world.knobs.ca = cert;
    try {
      expect((await mcpm(['config', 'set', 'oauth.client-metadata-url', documentUrl, '--json'])).json?.ok).toBe(true);
      const registrations = world.events.registrations.length;
      const result = await login();
      expect(result.json?.result, result.stderr).toMatchObject({ required: true });
      expect(world.events.registrations.length).toBe(registrations);
      expect(world.events.authorizations.at(-1)).toMatchObject({ clientId: documentUrl });
      expect(world.events.metadataDocuments).toContain(documentUrl);
      const bad = await mcpm(['config', 'set', 'oauth.client-metadata-url', 'http://example.com/x.json', '--json']);
      expect(bad.json?.error).toMatchObject({ code: 'EUSAGE' });
    } finally {
      world.knobs.cimd = false;
      world.knobs.ca = undefined;
      await new Promise<void>((resolve) => tls.close(() => resolve()));
    }
  });
});

describe('multi-tenant', () => {
  it('one remote server with two tenants side by side: URL variables and tokens per profile, each tenant\'s issuer', async () => {
    const { mcpm, login, home, file } = await setup('tenant-notes', ['--profile', 'acme', '--arg', 'tenant_id=acme']);
    expect((await mcpm(['install', 'tenant-notes', '--profile', 'globex', '--arg', 'tenant_id=globex', '--json'])).json?.ok).toBe(true);
    for (const tenant of ['acme', 'globex']) {
      const result = await login(['--profile', tenant]);
      expect(result.json?.result, result.stderr).toMatchObject({ profile: tenant, url: world.tenantUrl(tenant), authorizationServer: world.as.issuer(tenant) });
      expect(Object.keys(JSON.parse(readFileSync(file(tenant, 'io.github.acme/tenant-notes'), 'utf8')).issuers)).toEqual([world.as.issuer(tenant)]);
    }
    const run = (profile: string) => ({ command: process.execPath, args: [MCPM_BIN, 'run', 'tenant-notes', '--profile', profile], env: { MCPM_HOME: path.join(home, '.mcpm') } });
    const [acme, globex] = await Promise.all([connectToEntry(run('acme'), { home }), connectToEntry(run('globex'), { home })]);
    try {
      expect((await whoami(acme!.client)).issuer).toBe(world.as.issuer('acme'));
      expect((await whoami(globex!.client)).issuer).toBe(world.as.issuer('globex'));
    } finally {
      await Promise.all([acme!.close(), globex!.close()]);
    }
  });
});
