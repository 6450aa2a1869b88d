// A project's files are committed, so they must work on every machine: entries start `mcpm run <name>` by name
// (no node path, no home folder), mcpm.json holds no one's input values, and a project install touches the
// project's files only. A teammate who clones the project and runs `mcpm install` gets working entries. A command
// run in one folder never touches another project's files.
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCPM_BIN, runMcpm } from './helpers/cli.js';
import { connectToEntry } from './helpers/mcp-client.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { SERVER, TOKEN, startWorld, type World } from './helpers/world.js';

let world: World;
let ada: string;
let project: string;
const USER_CURSOR = '{\n  "mcpServers": {}\n}\n';

beforeAll(async () => {
  world = await startWorld({ versions: ['1.0.0', '1.1.0'] });
  ada = await makeTmpDir('mcpm-ada-');
  project = path.join(ada, 'work', 'app');
  mkdirSync(project, { recursive: true });
  mkdirSync(path.join(ada, '.cursor'), { recursive: true });
  writeFileSync(path.join(ada, '.cursor', 'mcp.json'), USER_CURSOR);
});
afterAll(async () => {
  await world.close();
  await cleanupTmpDirs();
});

const mcpm = (home: string, cwd: string, args: string[]) =>
  runMcpm([...args, '--registry', world.registryUrl, '--json'], { home, cwd, env: { POSTS_API_TOKEN: TOKEN }, timeoutMs: 60_000 });
const inputs = () => ['--env', `POSTS_API_URL=${world.postsUrl}`, '--env', 'POSTS_API_TOKEN'];

/** `mcpm` on the PATH a client sees, as a global install puts it there, with that user's data folder. */
function shim(home: string): string {
  const dir = path.join(home, 'bin');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'mcpm'), `#!/bin/sh\nMCPM_HOME='${path.join(home, '.mcpm')}' exec '${process.execPath}' '${MCPM_BIN}' "$@"\n`);
  chmodSync(path.join(dir, 'mcpm'), 0o755);
  return dir;
}

async function getPosts(home: string, entry: { command: string; args: string[] }, cwd: string) {
  const server = await connectToEntry(entry, { home, cwd, path: shim(home) });
  try {
    const result: any = await server.client.callTool({ name: 'get_posts', arguments: { limit: 2 } });
    expect(result.isError ?? false, `${result.content?.[0]?.text} ${server.stderr()}`).toBe(false);
    return JSON.parse(result.content[0].text);
  } finally {
    await server.close();
  }
}

describe('a project, shared', () => {
  it('entries start `mcpm run` by name; mcpm.json has input names, no values; user files are untouched', async () => {
    const run = await mcpm(ada, project, ['install', 'github-posts@1.0.0', '--scope', 'project', '--client', 'claude-code', '--client', 'vscode', ...inputs()]);
    expect(run.json?.ok, run.stderr).toBe(true);
    const shared = readFileSync(path.join(project, '.mcp.json'), 'utf8');
    expect(JSON.parse(shared).mcpServers['github-posts']).toEqual({ type: 'stdio', command: 'mcpm', args: ['run', SERVER] });
    expect(shared).not.toContain(ada);
    expect(JSON.parse(readFileSync(path.join(project, '.vscode', 'mcp.json'), 'utf8')).servers['github-posts']).toEqual({ type: 'stdio', command: 'mcpm', args: ['run', SERVER] });
    const manifest = readFileSync(path.join(project, 'mcpm.json'), 'utf8');
    expect(JSON.parse(manifest).servers[SERVER]).toMatchObject({ range: '1.0.0', clients: ['claude-code', 'vscode'], inputs: ['POSTS_API_URL'], secrets: ['POSTS_API_TOKEN'] });
    expect(manifest).not.toContain(world.postsUrl);
    expect(readFileSync(path.join(ada, '.cursor', 'mcp.json'), 'utf8')).toBe(USER_CURSOR);
    expect(existsSync(path.join(ada, '.mcpm', 'state', 'mcpm.json'))).toBe(false);
  });

  it('the shared entry works on this machine, from the project folder', async () => {
    const entry = JSON.parse(readFileSync(path.join(project, '.mcp.json'), 'utf8')).mcpServers['github-posts'];
    expect(await getPosts(ada, entry, project)).toHaveLength(2);
  });

  it('a teammate clones the project, runs `mcpm install`, and gets the same files and a working entry', async () => {
    const bo = await makeTmpDir('mcpm-bo-');
    const clone = path.join(bo, 'src', 'app');
    cpSync(project, clone, { recursive: true });
    const before = readFileSync(path.join(clone, '.mcp.json'), 'utf8');
    const run = await mcpm(bo, clone, ['install', ...inputs()]);
    expect(run.json?.error, run.stderr).toBeUndefined();
    expect(run.json?.result.servers?.[0], run.stderr).toMatchObject({ name: SERVER, version: '1.0.0' });
    expect(readFileSync(path.join(clone, '.mcp.json'), 'utf8')).toBe(before);
    const entry = JSON.parse(before).mcpServers['github-posts'];
    expect(await getPosts(bo, entry, clone)).toHaveLength(2);
  });

  it('uninstall in another folder leaves the project alone and says so; in the project it removes what it created', async () => {
    const elsewhere = await mcpm(ada, ada, ['uninstall', 'github-posts']);
    expect(elsewhere.json?.result, elsewhere.stderr).toMatchObject({ removed: [], complete: false, kept: [expect.objectContaining({ client: 'claude-code', scope: 'project' }), expect.objectContaining({ client: 'vscode' })] });
    expect(existsSync(path.join(project, '.mcp.json'))).toBe(true);
    const here = await mcpm(ada, project, ['uninstall', 'github-posts']);
    expect(here.json?.result, here.stderr).toMatchObject({ complete: true, removed: [expect.objectContaining({ scope: 'project', file: path.join(project, '.mcp.json') }), expect.objectContaining({ client: 'vscode' })] });
    expect(existsSync(path.join(project, '.mcp.json'))).toBe(false);
    expect(existsSync(path.join(project, '.vscode'))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(project, 'mcpm.json'), 'utf8')).servers).toEqual({});
  });
});
