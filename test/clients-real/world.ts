// The two servers every real client is given, and the registries mcpm installs them from, all on 127.0.0.1:
//  - io.github.acme/echo: a stdio server built with the MCP SDK (test/fixtures/sdk-echo), bundled with esbuild into
//    a one-file npm package and served by a local npm registry;
//  - io.github.acme/remote-echo: a streamable HTTP server, also the MCP SDK's, which counts the sessions clients
//    open (a client that lists servers without saying whether they connect may still have connected).
import http from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { McpServer } from '@modelcontextprotocol/server';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { packFixture } from '../helpers/pack.js';
import { startNpmRegistry } from '../helpers/npm-registry.js';
import { OFFICIAL_META, SERVER_SCHEMA, serverEntry, startMcpRegistry } from '../helpers/mcp-registry.js';

export const STDIO_NAME = 'io.github.acme/echo';
export const REMOTE_NAME = 'io.github.acme/remote-echo';
/** The keys mcpm gives the two entries (the names' last parts). */
export const STDIO_KEY = 'echo';
export const REMOTE_KEY = 'remote-echo';
/** The tool each server offers (as a model sees them, in clients that pass tools on to a model). */
export const TOOLS: Record<string, string> = { [STDIO_KEY]: 'echo', [REMOTE_KEY]: 'remote_echo' };

export interface ClientWorld {
  registryUrl: string;
  remoteUrl: string;
  /** MCP initialize requests the remote server has answered. */
  remoteInitializes(): number;
  close(): Promise<void>;
}

/** The SDK stdio server as a one-file npm package (its dependencies bundled in). */
async function packEcho() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mcpm-sdk-echo-'));
  try {
    await build({
      entryPoints: [fileURLToPath(new URL('../fixtures/sdk-echo/server.ts', import.meta.url))],
      outfile: path.join(dir, 'index.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      banner: { js: "#!/usr/bin/env node\nimport { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      logLevel: 'warning',
    });
    const manifest = { name: 'mcpm-echo', version: '1.0.0', mcpName: STDIO_NAME, bin: { 'mcpm-echo': 'index.mjs' }, license: 'MIT' };
    await writeFile(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
    return await packFixture(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A stateless streamable HTTP MCP server (a fresh SDK server per request, as the SDK's stateless example does). */
async function startRemote(): Promise<{ url: string; initializes: () => number; close: () => Promise<void> }> {
  let initializes = 0;
  const server = http.createServer(async (req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if ([body].flat().some((m) => (m as { method?: string } | undefined)?.method === 'initialize')) initializes++;
    const mcp = new McpServer({ name: 'mcpm-remote-echo', version: '1.0.0' });
    mcp.registerTool('remote_echo', { description: 'Says hello over HTTP' }, async () => ({ content: [{ type: 'text', text: 'hello over HTTP' }] }));
    const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res, body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    initializes: () => initializes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startClientWorld(): Promise<ClientWorld> {
  const remote = await startRemote();
  const npm = await startNpmRegistry([await packEcho()]);
  const published = '2025-11-01T00:00:00Z';
  const registry = await startMcpRegistry([
    serverEntry(STDIO_NAME, '1.0.0', { identifier: 'mcpm-echo', version: '1.0.0', registryBaseUrl: npm.url }),
    {
      server: { $schema: SERVER_SCHEMA, name: REMOTE_NAME, description: 'A remote echo server', version: '1.0.0', remotes: [{ type: 'streamable-http', url: remote.url }] },
      _meta: { [OFFICIAL_META]: { status: 'active', publishedAt: published, updatedAt: published, isLatest: true } },
    },
  ]);
  return {
    registryUrl: registry.url,
    remoteUrl: remote.url,
    remoteInitializes: remote.initializes,
    close: async () => {
      await Promise.all([remote.close(), npm.close(), registry.close()]);
    },
  };
}

export async function ensureDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}
