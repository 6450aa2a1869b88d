// Opt-in (`npm run test:live`): installs real MCP servers from the public npm registry through mcpm's embedded
// index, then lists their tools with the official MCP SDK client started from the written Claude Desktop entry.
// Needs the npm registry; the official MCP registry is not needed (mcpm falls back to the embedded index).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMcpm } from '../helpers/cli.js';
import { connectToEntry } from '../helpers/mcp-client.js';
import { cleanupTmpDirs, makeTmpDir } from '../helpers/tmp.js';

afterAll(cleanupTmpDirs);

const servers: Array<{ name: string; key: string; tool: string; args?: string[] }> = [
  { name: 'memory', key: 'memory', tool: 'read_graph' },
  { name: 'sequential-thinking', key: 'sequential-thinking', tool: 'sequentialthinking' },
  { name: 'filesystem', key: 'filesystem', tool: 'list_allowed_directories', args: ['--arg', 'allowed_directory=HOME'] },
  { name: 'everything', key: 'everything', tool: 'echo' },
  { name: 'context7', key: 'context7', tool: 'resolve-library-id' },
];

describe('live: real servers from npm through the embedded index', () => {
  for (const server of servers) {
    it(`installs ${server.name} and its entry speaks MCP`, async () => {
      const home = await makeTmpDir('mcpm-live-');
      const args = (server.args ?? []).map((a) => a.replace('HOME', home));
      const run = await runMcpm(['install', server.name, '--client', 'claude-desktop', '--registry', 'embedded', '--json', ...args], { home, timeoutMs: 170_000 });
      expect(run.json?.ok, run.stderr).toBe(true);
      const config = JSON.parse(readFileSync(path.join(home, '.config', 'Claude', 'claude_desktop_config.json'), 'utf8'));
      const entry = config.mcpServers[server.key];
      expect(entry.command).toBe(process.execPath);
      const connected = await connectToEntry(entry, { home, timeoutMs: 60_000 });
      try {
        const tools = await connected.client.listTools();
        expect(tools.tools.map((t) => t.name)).toContain(server.tool);
      } finally {
        await connected.close();
      }
    });
  }
});
