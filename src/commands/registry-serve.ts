import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { checkTokenEnv } from '../registry/config.js';
import { loadServed, type ServedData } from '../registry/serve-data.js';
import { createRegistryHandler } from '../registry/serve-http.js';
import type { PublishToken, WriteTarget } from '../registry/serve-write.js';

export interface ServeOptions {
  port?: string;
  host?: string;
  tokenEnv?: string;
  /** `VAR` or `VAR:ns1,ns2` (that token limited to those namespaces); repeatable. */
  publishTokenEnv?: string[];
  /** Namespaces for every publish token given without its own list; repeatable. */
  namespace?: string[];
}

/**
 * `mcpm registry serve <index-or-dir>`: serves a static index or a folder of server.json files over the v0.1 read
 * API until SIGINT/SIGTERM, so a team can run a private registry from a git checkout. SIGHUP reloads the files
 * (after a `git pull`). The URL goes to stderr at once (under --json too); the result, when it stops, is a summary.
 */
export async function registryServe(ctx: Context, source: string, options: ServeOptions) {
  const port = options.port === undefined ? 8765 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new McpmError('EUSAGE', `Invalid port "${options.port}"`, { hint: 'Give 0-65535; 0 picks a free port.' });
  const host = options.host ?? '127.0.0.1';
  let token: string | undefined;
  if (options.tokenEnv) {
    token = ctx.env[checkTokenEnv(options.tokenEnv)];
    if (!token) throw new McpmError('EUSAGE', `${options.tokenEnv} is not set`, { hint: 'Set it to the token clients must send, or drop --token-env to serve without one.' });
  }
  const file = path.resolve(ctx.cwd, source);
  const tokens = publishTokens(ctx, options);
  let data = await load(ctx, file);
  if (tokens.length > 0 && !(await stat(file)).isDirectory()) {
    throw new McpmError('EUSAGE', 'Publishing needs a folder to write into', { hint: 'Serve a folder of server.json files with --publish-token-env (an index file is read-only).' });
  }
  let requests = 0;
  const write: WriteTarget | undefined = tokens.length > 0
    ? { dir: file, tokens, get: () => data, set: (next) => (data = next), log: (line) => ctx.out.remind(line) }
    : undefined;
  const handler = createRegistryHandler(() => data, { token, write });
  const server = http.createServer((req, res) => {
    requests++;
    ctx.out.debug(`${req.method ?? '?'} ${req.url ?? ''}`);
    // One request must never end the server: whatever a handler throws is that request's 500, and a line.
    const failed = (error: unknown) => {
      ctx.out.warn(`${req.method ?? '?'} ${JSON.stringify(req.url ?? '').slice(0, 200)} failed: ${(error as Error).message}`);
      if (res.headersSent) return void res.destroy();
      const detail = error instanceof McpmError ? error.message : 'The registry failed to answer this request';
      res.writeHead(500, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ title: 'Internal Server Error', status: 500, detail, error: detail }));
    };
    try {
      void handler(req, res)?.catch(failed);
    } catch (error) {
      failed(error);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new McpmError('EUSAGE', `Cannot listen on ${host}:${port} (${error.code ?? error.message})`, { hint: error.code === 'EADDRINUSE' ? 'Choose another --port (0 picks a free one).' : 'Check --host and --port.' })),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  const publishing = tokens.length > 0 ? `, publishing for ${tokens.length} token(s)${tokens.some((t) => t.namespaces.length > 0) ? ' (namespaces limited)' : ''}` : '';
  ctx.out.remind(`Serving ${data.entries.length} versions of ${data.servers} servers from ${file} at ${url} (v0.1 API${token ? ', bearer token required' : ''}${publishing}); Ctrl-C stops`);

  const reload = () => {
    load(ctx, file).then(
      (next) => {
        data = next;
        ctx.out.remind(`Reloaded: ${data.entries.length} versions of ${data.servers} servers`);
      },
      (error: unknown) => ctx.out.warn(`Reload failed, still serving the previous data: ${(error as Error).message}`),
    );
  };
  process.on('SIGHUP', reload);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  process.off('SIGHUP', reload);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { url, source: file, servers: data.servers, versions: data.entries.length, requests, stoppedBy: signal };
}

/** The publish tokens from their environment variables; each may be limited to namespaces. */
function publishTokens(ctx: Context, options: ServeOptions): PublishToken[] {
  const shared = (options.namespace ?? []).map(checkNamespace);
  if (shared.length > 0 && !options.publishTokenEnv?.length) throw new McpmError('EUSAGE', '--namespace limits publish tokens: give one with --publish-token-env', { hint: 'mcpm registry serve <dir> --publish-token-env VAR --namespace io.github.acme' });
  return (options.publishTokenEnv ?? []).map((spec) => {
    const [variable, list] = spec.split(':', 2) as [string, string | undefined];
    const token = ctx.env[checkTokenEnv(variable)];
    if (!token) throw new McpmError('EUSAGE', `${variable} is not set`, { hint: 'Set it to the token publishers must send, or drop --publish-token-env to serve read-only.' });
    const own = list === undefined ? shared : list.split(',').filter(Boolean).map(checkNamespace);
    return { token, namespaces: own };
  });
}

function checkNamespace(namespace: string): string {
  if (!/^[a-zA-Z0-9.-]+$/.test(namespace) || namespace.startsWith('.') || namespace.endsWith('.')) {
    throw new McpmError('EUSAGE', `"${namespace}" is not a namespace`, { hint: 'A namespace is the part of server names before the slash, e.g. io.github.acme.' });
  }
  return namespace;
}

async function load(ctx: Context, file: string): Promise<ServedData> {
  const data = await loadServed(file);
  for (const reason of data.skipped) ctx.out.warn(`Skipped ${reason}`);
  return data;
}
