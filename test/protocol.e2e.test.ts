// MCP protocol versions as a user meets them in `mcpm check`: each installed entry is reached in the newest version
// it speaks and the result says which: 2026-07-28 for servers built with the MCP SDK v2 (a stdio package and a
// streamable HTTP endpoint), the 2025 version of the initialize handshake for older ones (the hand-written
// github-posts fixture and a 2025-11-25 HTTP server with sessions). An SDK v2 client also reaches the v2 stdio
// server through `mcpm run` in either era.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCPM_BIN, runMcpm } from './helpers/cli.js';
import { packBundledServer } from './helpers/bundle.js';
import { connectToEntry } from './helpers/mcp-client.js';
import { remoteEntry, serverEntry } from './helpers/mcp-registry.js';
import { startOAuthWorld, type OAuthWorld } from './helpers/oauth-world.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { TOKEN, startWorld, type World } from './helpers/world.js';

let world: World;
let remote: OAuthWorld;
let home: string;

beforeAll(async () => {
  remote = await startOAuthWorld();
  world = await startWorld({
    versions: ['1.0.0'],
    packages: [await packBundledServer('notes-v2')],
    extraEntries: (npmUrl) => [
      serverEntry('io.github.acme/notes-v2', '1.0.0', { identifier: 'notes-v2', version: '1.0.0', registryBaseUrl: npmUrl }),
      remoteEntry('io.github.acme/open-notes', { type: 'streamable-http', url: remote.openUrl }),
      remoteEntry('io.github.acme/open-notes-2025', { type: 'streamable-http', url: remote.openLegacyUrl }),
    ],
  });
  home = await makeTmpDir('mcpm-protocol-');
  for (const args of [
    ['install', 'github-posts', '--client', 'cursor', '--env', `POSTS_API_URL=${world.postsUrl}`, '--env', 'POSTS_API_TOKEN'],
    ['install', 'notes-v2', '--client', 'cursor'],
    ['install', 'open-notes', '--client', 'claude-code'],
    ['install', 'open-notes-2025', '--client', 'claude-code'],
  ]) {
    const run = await mcpm([...args, '--json']);
    expect(run.json?.ok, run.stderr + run.stdout).toBe(true);
  }
}, 120_000);
afterAll(async () => {
  await world.close();
  await remote.close();
  await cleanupTmpDirs();
});

function mcpm(args: string[]) {
  return runMcpm([...args, '--registry', world.registryUrl], { home, env: { POSTS_API_TOKEN: TOKEN }, timeoutMs: 60_000 });
}

describe('mcpm check speaks the newest protocol each server supports', () => {
  it('reports 2026-07-28 for SDK v2 servers (stdio and HTTP) and the 2025 version for older ones', async () => {
    const run = await mcpm(['check', '--json']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const byKey = Object.fromEntries(run.json.result.map((r: any) => [r.key, r]));
    expect(byKey['notes-v2']).toMatchObject({ ok: true, protocol: '2026-07-28', serverInfo: { name: 'notes-v2' }, tools: ['list_notes'] });
    expect(byKey['open-notes']).toMatchObject({ ok: true, protocol: '2026-07-28', tools: ['whoami', 'write_note', 'confirm'] });
    expect(byKey['github-posts']).toMatchObject({ ok: true, protocol: '2025-11-25', serverInfo: { name: 'github-posts' }, tools: ['get_posts'] });
    expect(byKey['open-notes-2025']).toMatchObject({ ok: true, protocol: '2025-11-25' });

    // A store version speaking a 2025 version is remembered, so the next check connects with initialize at once
    // instead of first asking a throw-away copy of the server for server/discover; the answer is the same.
    const eras = path.join(home, '.mcpm', 'cache', 'protocol-eras');
    expect(readdirSync(eras).map((file) => readFileSync(path.join(eras, file), 'utf8'))).toEqual(['2025-11-25\n']);
    const text = await mcpm(['check']);
    expect(text.stdout).toMatch(/^ok {4}notes-v2 in cursor: MCP 2026-07-28, connected in [\d.]+ ms, 1 tool,/m);
    expect(text.stdout).toMatch(/^ok {4}github-posts in cursor: MCP 2025-11-25, connected in/m);
  });

  it('an SDK v2 stdio client reaches the v2 server through `mcpm run` in either era', async () => {
    const entry = { command: process.execPath, args: [MCPM_BIN, 'run', 'notes-v2'], env: { MCPM_HOME: path.join(home, '.mcpm') } };
    for (const [options, version] of [[{ versionNegotiation: { mode: 'auto' as const } }, '2026-07-28'], [undefined, '2025-11-25']] as const) {
      const server = await connectToEntry(entry, { home, client: options });
      try {
        expect(server.client.getNegotiatedProtocolVersion()).toBe(version);
        expect((await server.client.listTools()).tools.map((t) => t.name)).toEqual(['list_notes']);
      } finally {
        await server.close();
      }
    }
  });
});
