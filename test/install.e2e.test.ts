// The seed scenario, end to end, as a user runs it: install from a real (local) MCP registry and npm registry into
// Claude Desktop's config in a temporary HOME, launch the server from that entry with the official MCP SDK client
// and no node on PATH, then upgrade, list and uninstall, with the user's other settings surviving every step.
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { connectToEntry } from './helpers/mcp-client.js';
import { makeTmpDir, cleanupTmpDirs } from './helpers/tmp.js';
import { SERVER, TOKEN, startWorld, type World } from './helpers/world.js';

let world: World;
let home: string;
let configFile: string;

// Claude Desktop's file as a user has it: another server, other settings, their own indentation.
const ORIGINAL = `{
    "globalShortcut": "Ctrl+Alt+Space",
    "mcpServers": {
        "weather": {
            "command": "npx",
            "args": ["-y", "weather-mcp"]
        }
    },
    "telemetry": {"enabled": false}
}
`;

beforeAll(async () => {
  world = await startWorld();
  home = await makeTmpDir('mcpm-e2e-');
  configFile = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
  mkdirSync(path.dirname(configFile), { recursive: true });
  writeFileSync(configFile, ORIGINAL);
});
afterAll(async () => {
  await world.close();
  await cleanupTmpDirs();
});

function mcpm(args: string[], env: Record<string, string> = {}) {
  return runMcpm([...args, '--registry', world.registryUrl], { home, env, timeoutMs: 60_000 });
}

function config(): any {
  return JSON.parse(readFileSync(configFile, 'utf8'));
}

async function callGetPosts(entry: any) {
  const server = await connectToEntry(entry, { home });
  try {
    const version = server.client.getServerVersion()?.version;
    const result: any = await server.client.callTool({ name: 'get_posts', arguments: { limit: 10 } });
    return { version, result };
  } finally {
    await server.close();
  }
}

describe('mcpm install github-posts, end to end', () => {
  it('installs the highest version a range allows into the detected Claude Desktop, and the entry works', async () => {
    const run = await mcpm(['install', 'github-posts@^1', '--env', `POSTS_API_URL=${world.postsUrl}`, '--env', 'POSTS_API_TOKEN', '--json'], {
      POSTS_API_TOKEN: TOKEN,
    });
    expect(run.stderr).not.toContain(TOKEN);
    expect(run.json, run.stderr).toMatchObject({ ok: true, result: { name: SERVER, version: '1.1.0', key: 'github-posts' } });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(TOKEN);

    const entry = config().mcpServers['github-posts'];
    expect(path.isAbsolute(entry.command)).toBe(true);
    expect(entry.args.at(-1)).toContain(path.join('store', 'io.github.acme', 'github-posts', '1.1.0'));
    expect(entry.env).toEqual({ POSTS_API_URL: world.postsUrl });
    // The token is in mcpm's 0600 secrets file, not in the client's file.
    expect(readFileSync(configFile, 'utf8')).not.toContain(TOKEN);
    // The store version keeps the lock file of its whole dependency tree.
    const lock = JSON.parse(readFileSync(path.join(run.json.result.storePath, 'package-lock.json'), 'utf8'));
    expect(Object.keys(lock.packages)).toEqual(expect.arrayContaining(['node_modules/github-posts', 'node_modules/posts-format']));
    expect(lock.packages['node_modules/posts-format'].integrity).toMatch(/^sha512-/);
    const envFile = entry.args[0].replace(/^--env-file-if-exists=/, '');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);

    const { version, result } = await callGetPosts(entry);
    expect(version).toBe('1.1.0');
    expect(result.isError ?? false).toBe(false);
    expect(JSON.parse(result.content[0].text)).toHaveLength(10);
  });

  it('kept every other key, server and the indentation of the file', () => {
    const current = config();
    expect(current.globalShortcut).toBe('Ctrl+Alt+Space');
    expect(current.telemetry).toEqual({ enabled: false });
    expect(current.mcpServers.weather).toEqual({ command: 'npx', args: ['-y', 'weather-mcp'] });
    expect(readFileSync(configFile, 'utf8').startsWith(ORIGINAL.slice(0, ORIGINAL.indexOf('}\n    },')))).toBe(true);
  });

  it('upgrades to the latest version keeping the inputs, and the new entry works', async () => {
    const run = await mcpm(['install', 'github-posts', '--json']);
    expect(run.json, run.stderr).toMatchObject({ ok: true, result: { version: '2.0.0', previousVersion: '1.1.0' } });
    expect(run.stderr).toContain('Restart Claude Desktop');
    const entry = config().mcpServers['github-posts'];
    expect(entry.args.at(-1)).toContain(`${path.sep}2.0.0${path.sep}`);
    const { version, result } = await callGetPosts(entry);
    expect(version).toBe('2.0.0');
    expect(JSON.parse(result.content[0].text)).toHaveLength(10);
    expect(config().mcpServers.weather).toBeDefined();
  });

  it('lists the installed server with its version and client', async () => {
    const run = await mcpm(['list', '--json']);
    expect(run.json.result).toEqual([
      expect.objectContaining({ name: SERVER, key: 'github-posts', version: '2.0.0', clients: [expect.objectContaining({ client: 'claude-desktop', file: configFile })] }),
    ]);
    const text = await mcpm(['list']);
    expect(text.stdout).toMatch(/github-posts\s+io\.github\.acme\/github-posts\s+2\.0\.0\s+claude-desktop/);
  });

  it('uninstalls: the file is byte for byte what the user had, and the store and secrets are gone', async () => {
    const run = await mcpm(['uninstall', 'github-posts', '--json']);
    expect(run.json, run.stderr).toMatchObject({ ok: true, result: { name: SERVER, removed: [{ client: 'claude-desktop' }] } });
    expect(readFileSync(configFile, 'utf8')).toBe(ORIGINAL);
    expect(existsSync(path.join(home, '.mcpm', 'store', 'io.github.acme', 'github-posts'))).toBe(false);
    expect(existsSync(path.join(home, '.mcpm', 'secrets', 'io.github.acme', 'github-posts.env'))).toBe(false);
    expect((await mcpm(['list', '--json'])).json).toEqual({ ok: true, result: [] });
  });
});
