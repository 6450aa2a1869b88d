// An MCP registry that misbehaves in one chosen way, for proving that mcpm fails in bounded time with a clear error
// (or falls back to the next registry) instead of hanging or crashing: it stalls, trickles, drops the connection
// half way, answers 500 or HTML, sends more than mcpm's cap, nests JSON 100k levels deep, or pages forever.
import type http from 'node:http';
import { listenLocal } from './http.js';
import { serverEntry, type RegistryEntry } from './mcp-registry.js';

export type Misbehaviour =
  | 'stall' // headers never come
  | 'stall-body' // headers, then nothing
  | 'slow' // the real answer, trickled over about a second
  | 'trickle' // a byte now and then, forever
  | 'drop' // half the body, then the connection is destroyed
  | 'reset' // the connection is destroyed before any answer
  | 'http-500'
  | 'html' // 200 with an HTML page (a captive portal, a proxy's login page)
  | 'huge-declared' // content-length of 100 GB
  | 'huge' // an endless body without content-length
  | 'deep' // { "servers": [[[[ ... 100k levels ... ]]]] }
  | 'deep-field' // a real-looking server whose description nests 100k levels
  | 'cursor-cycle' // nextCursor a, b, a, ...
  | 'cursor-endless' // a new nextCursor on every page
  | 'cursor-endless-slow' // the same, each page taking 150 ms (500 pages would take 75 s)
  | 'redirect-loop'
  | 'pages-heavy' // endless pages of 60 MB each (under the per-response cap), a new cursor every time
  | 'pages-crowded'; // endless pages of 50,000 tiny server versions each

export interface BadRegistry {
  url: string;
  /** Requests received so far. */
  requests(): number;
  close(): Promise<void>;
}

const DEPTH = 100_000;

function page(entries: RegistryEntry[], nextCursor?: string): string {
  return JSON.stringify({ servers: entries, metadata: { count: entries.length, ...(nextCursor ? { nextCursor } : {}) } });
}

export async function startBadRegistry(mode: Misbehaviour): Promise<BadRegistry> {
  let requests = 0;
  const one = serverEntry('io.github.bad/posts', '1.0.0', { identifier: 'posts', version: '1.0.0' });
  const timers = new Set<NodeJS.Timeout>();
  let bulk: Buffer | undefined;
  const server = await listenLocal((req: http.IncomingMessage, res: http.ServerResponse) => {
    requests++;
    const json = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    switch (mode) {
      case 'stall':
        return; // never answered; close() destroys the socket
      case 'stall-body':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        return;
      case 'slow':
      case 'trickle': {
        const body = page([one]);
        res.writeHead(200, { 'content-type': 'application/json' });
        let at = 0;
        const step = mode === 'slow' ? Math.ceil(body.length / 10) : 1;
        const timer = setInterval(() => {
          if (res.destroyed) return clearInterval(timer);
          if (mode === 'trickle') return void res.write(' '); // whitespace: valid JSON never completes
          res.write(body.slice(at, at + step));
          at += step;
          if (at >= body.length) {
            clearInterval(timer);
            res.end();
          }
        }, 100);
        timers.add(timer);
        return;
      }
      case 'drop': {
        const body = page([one, one, one]);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
        res.write(body.slice(0, body.length >> 1), () => res.socket?.destroy());
        return;
      }
      case 'reset':
        req.socket.destroy();
        return;
      case 'http-500':
        return json(500, '{"title":"Internal Server Error","status":500}');
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><html><body><h1>Please sign in to the Wi-Fi</h1></body></html>');
        return;
      case 'huge-declared':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(100 * 1024 ** 3) });
        res.write('{"servers": [');
        return;
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"servers": [');
        const chunk = Buffer.alloc(1 << 20, 0x20); // 1 MiB of spaces, forever
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
        return;
      }
      case 'deep':
        return json(200, `{"servers": [${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}]}`);
      case 'deep-field': {
        const text = page([one]).replace('"description":', `"description":${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)},"was":`);
        return json(200, text);
      }
      case 'cursor-cycle':
      case 'cursor-endless':
      case 'cursor-endless-slow': {
        const cursor = new URL(req.url ?? '/', 'http://x').searchParams.get('cursor');
        const next = mode === 'cursor-cycle' ? (cursor === 'a' ? 'b' : 'a') : `page-${requests}`;
        const body = page([serverEntry(`io.github.bad/posts-${requests}`, '1.0.0', { identifier: 'posts', version: '1.0.0' })], next);
        if (mode !== 'cursor-endless-slow') return json(200, body);
        const timer = setTimeout(() => json(200, body), 150);
        timers.add(timer);
        return;
      }
      case 'pages-heavy':
      case 'pages-crowded': {
        // The bulk is built once; only the cursor differs from page to page.
        bulk ??= mode === 'pages-heavy'
          ? Buffer.from(`{"servers": [],${' '.repeat(60 * 1024 * 1024)}`)
          : Buffer.from(`{"servers":[${Array.from({ length: 50_000 }, (_, i) => `{"server":{"name":"io.github.bad/p-${i}","version":"1.0.0"}}`).join(',')}],`);
        const tail = Buffer.from(`"metadata": {"nextCursor": "page-${requests}"}}`);
        // No keep-alive: on a busy machine the client may take longer than the server's idle timeout between pages.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': bulk.length + tail.length, connection: 'close' });
        res.write(bulk);
        res.end(tail);
        return;
      }
      case 'redirect-loop':
        res.writeHead(302, { location: req.url ?? '/' });
        res.end();
        return;
    }
  });
  return {
    url: server.url,
    requests: () => requests,
    close: async () => {
      for (const timer of timers) clearInterval(timer); // clears timeouts too
      await server.close();
    },
  };
}
