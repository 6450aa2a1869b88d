// Profiles: separate secrets for the same server; an entry keeps its profile whatever profile is current later.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { connectToEntry } from './helpers/mcp-client.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { TOKEN, startWorld, type World } from './helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({ versions: ['1.0.0'] });
});
afterAll(async () => {
  await world.close();
  await cleanupTmpDirs();
});

async function callPosts(home: string) {
  const entry = JSON.parse(readFileSync(path.join(home, '.cursor', 'mcp.json'), 'utf8')).mcpServers['github-posts'];
  const server = await connectToEntry(entry, { home });
  try {
    return (await server.client.callTool({ name: 'get_posts', arguments: { limit: 1 } })) as { isError?: boolean };
  } finally {
    await server.close();
  }
}

describe('profiles', () => {
  it('keeps separate secrets per profile, and an entry keeps the profile it was written for', async () => {
    const home = await makeTmpDir('mcpm-profiles-');
    const mcpm = (args: string[], env: Record<string, string> = {}) => runMcpm([...args, '--registry', world.registryUrl], { home, env, timeoutMs: 60_000 });
    // "work" has the right token, "personal" a wrong one.
    const work = await mcpm(['install', 'github-posts', '--client', 'cursor', '--profile', 'work', '--json', '--env', `POSTS_API_URL=${world.postsUrl}`, '--env', `POSTS_API_TOKEN=${TOKEN}`]);
    expect(work.json?.ok, work.stderr).toBe(true);
    expect((await callPosts(home)).isError ?? false).toBe(false);
    const entryArgs = JSON.parse(readFileSync(path.join(home, '.cursor', 'mcp.json'), 'utf8')).mcpServers['github-posts'].args;
    expect(entryArgs[0]).toContain(`${path.sep}@work${path.sep}`);

    // Making another profile current changes nothing for the entry written for "work".
    expect((await mcpm(['profile', 'use', 'personal', '--json'])).json.result).toEqual({ profile: 'personal' });
    expect((await callPosts(home)).isError ?? false).toBe(false);

    // Installing under "personal" switches the entry to personal's secrets and inputs (the URL is kept per profile).
    const personal = await mcpm(['install', 'github-posts', '--json', '--env', `POSTS_API_URL=${world.postsUrl}`, '--env', 'POSTS_API_TOKEN=wrong-token']);
    expect(personal.json?.ok, personal.stderr).toBe(true);
    expect((await callPosts(home)).isError).toBe(true);
    const list = await mcpm(['profile', 'list', '--json']);
    expect(list.json.result).toEqual([
      { name: 'default', current: false, servers: [] },
      { name: 'personal', current: true, servers: ['io.github.acme/github-posts'] },
      { name: 'work', current: false, servers: [] },
    ]);
    // Back to work: its secrets are still there and nothing has to be typed again.
    const back = await mcpm(['install', 'github-posts', '--profile', 'work', '--json']);
    expect(back.json?.ok, back.stderr).toBe(true);
    expect((await callPosts(home)).isError ?? false).toBe(false);
    const secrets = await mcpm(['secrets', 'list', '--json']);
    expect(secrets.json.result[0]).toMatchObject({ profile: 'work', keys: ['POSTS_API_TOKEN'], mode: '0600' });
  });
});
