import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { writeFileAtomicSafe } from '../fs/files.js';
import type { ServeFlags } from '../commands/serve.js';
import { Gateway } from './gateway.js';
import { createServer } from './server.js';
import { CHILD_LIMITS } from './stdio.js';

const HOST = '127.0.0.1';
const MCP_PATH = '/mcp';
/** A request body larger than this is refused (a tool call's arguments, not a file upload). */
const MAX_BODY = 4 * 1024 * 1024;

export function tokenFile(ctx: Context): string {
  return path.join(ctx.paths.state, 'serve-token');
}

/**
 * The bearer token of `mcpm serve --http`: made once and kept in a 0600 file (printed when made, so the user can
 * give it to a client), replaced by --new-token.
 */
async function bearerToken(ctx: Context, renew: boolean): Promise<{ token: string; created: boolean }> {
  const file = tokenFile(ctx);
  if (!renew) {
    try {
      const token = readFileSync(file, 'utf8').trim();
      chmodSync(file, 0o600);
      if (token.length >= 32) return { token, created: false };
    } catch {
      // None yet: made below.
    }
  }
  const token = randomBytes(32).toString('base64url');
  await writeFileAtomicSafe(file, `${token}\n`, { mode: 0o600 });
  return { token, created: true };
}

/**
 * `mcpm serve --http`: streamable HTTP on 127.0.0.1 only, every request with the bearer token; the management tools
 * only with --allow-manage (never on a port without a token: there is no such mode). Runs until a signal comes.
 */
export async function serveHttp(ctx: Context, flags: ServeFlags, idleMs: number): Promise<number> {
  const port = flags.port === undefined ? 0 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new McpmError('EUSAGE', `Invalid --port "${flags.port}"`, { hint: 'Give a port number (0 or none: any free port).' });
  const { createMcpHandler } = await import('@modelcontextprotocol/server');
  const { token, created } = await bearerToken(ctx, Boolean(flags.newToken));
  const gateway = new Gateway(ctx, { idleMs, ...CHILD_LIMITS });
  const options = { allowInstall: Boolean(flags.allowInstall), manage: Boolean(flags.allowManage), toolSearch: Boolean(flags.toolSearch), notifyChanged: () => handler.notify.toolsChanged() };
  const handler = createMcpHandler(() => createServer(ctx, gateway, options));
  const expected = Buffer.from(`Bearer ${token}`);
  const server = http.createServer((req, res) => {
    void respond(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`mcpm serve: ${(error as Error).message}`);
    });
  });
  async function respond(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    // DNS rebinding: a page on another origin reaching this port through a name that points here.
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (host !== HOST && host !== 'localhost') return plain(res, 403, 'Forbidden host');
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'text/plain' });
      res.end('A bearer token is required (see `mcpm serve --http`)');
      return;
    }
    if (url.pathname !== MCP_PATH) return plain(res, 404, `Not found: the endpoint is ${MCP_PATH}`);
    const body = req.method === 'POST' || req.method === 'PUT' ? await readBody(req) : undefined;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
    const response = await handler.fetch(new Request(url, { method: req.method, headers, ...(body ? { body: new Uint8Array(body) } : {}) }));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) return void res.end();
    const stream = Readable.fromWeb(response.body as never);
    req.on('close', () => stream.destroy());
    stream.pipe(res);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new McpmError('EUSAGE', `Cannot listen on ${HOST}:${port} (${error.code ?? error.message})`, { hint: 'Choose another --port.' })));
    server.listen(port, HOST, resolve);
  });
  const address = server.address() as { port: number };
  process.stderr.write(`mcpm serve: http://${HOST}:${address.port}${MCP_PATH}${options.manage ? ' (management tools on)' : ' (gateway only; --allow-manage adds the management tools)'}\n`);
  process.stderr.write(created ? `mcpm serve: bearer token (shown once; kept in ${tokenFile(ctx)}, mode 0600): ${token}\n` : `mcpm serve: bearer token in ${tokenFile(ctx)} (--new-token replaces it)\n`);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, resolve);
  });
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await handler.close().catch(() => undefined);
  await gateway.close();
  return 0;
}

function plain(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new McpmError('EINPUT', 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
