// `mcpm ui` from a test's side: starts it (no browser), reads the one-time link from stderr, and talks to it with
// node:http, which lets a test send any Host or Origin header (fetch would not).
import http from 'node:http';
import { serverEntry } from './mcp-registry.js';
import { spawnMcpm, type LiveMcpm } from './spawn.js';
import { startWorld, type World } from './world.js';

export interface UiReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Ui {
  live: LiveMcpm;
  origin: string;
  /** The printed link (with its one-time token). */
  link: string;
  port: number;
  /** Sends a request with the session cookie (once traded) and this page's Host; `headers` override. */
  request(method: string, path: string, options?: { headers?: Record<string, string>; form?: Record<string, string | string[]>; cookie?: boolean }): Promise<UiReply>;
  /** Trades the link's token for the cookie, as a browser's first load does. */
  signIn(): Promise<UiReply>;
  /** Posts a form from the page's own origin. */
  post(path: string, form: Record<string, string | string[]>): Promise<UiReply>;
  get(path: string): Promise<UiReply>;
  /** Follows an action's 303 to its job page and waits until the job has ended; returns the final page. */
  finish(reply: UiReply): Promise<UiReply>;
}

export async function startUi(home: string, args: string[], env: Record<string, string> = {}): Promise<Ui> {
  const live = spawnMcpm(['ui', '--no-open', '--port', '0', ...args], { home, env });
  const [link, origin, port] = (await live.waitFor(/(http:\/\/127\.0\.0\.1:(\d+))\/\?token=[\w-]+/)) as unknown as [string, string, string];
  let cookie: string | undefined;
  const request: Ui['request'] = (method, path, options = {}) =>
    new Promise((resolve, reject) => {
      const body = options.form ? encode(options.form) : undefined;
      const headers: Record<string, string> = {
        host: `127.0.0.1:${port}`,
        ...(cookie && options.cookie !== false ? { cookie } : {}),
        ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } : {}),
        ...options.headers,
      };
      const req = http.request({ host: '127.0.0.1', port: Number(port), method, path, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const ui: Ui = {
    live,
    origin,
    link,
    port: Number(port),
    request,
    signIn: async () => {
      const reply = await request('GET', link.slice(origin.length));
      const set = reply.headers['set-cookie']?.[0];
      if (set) cookie = set.split(';')[0];
      return reply;
    },
    post: (path, form) => request('POST', path, { form, headers: { origin } }),
    get: (path) => request('GET', path),
    finish: async (reply) => {
      if (reply.status !== 303) throw new Error(`expected a redirect to the action's page, got ${reply.status}\n${reply.body}`);
      const location = String(reply.headers.location);
      for (;;) {
        const page = await request('GET', location);
        if (!page.body.includes('data-events=')) return page;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
  return ui;
}

function encode(form: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  return params.toString();
}

/** The text a person reads in a page: tags dropped, entities decoded, whitespace collapsed. */
export function readable(page: string): string {
  return decode(page.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ');
}

/** HTML text as it reads: the page's five entities decoded. */
export function decode(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** A registry description that must render as text, never as markup or script. */
export const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>';

/** The seed's world plus a server whose registry description is HOSTILE (what the ui's tests search and escape). */
export function startUiWorld(): Promise<World> {
  return startWorld({
    extraEntries: (npmUrl) => {
      const entry = serverEntry('io.github.mallory/scripty', '1.0.0', { identifier: 'github-posts', version: '2.0.0', registryBaseUrl: npmUrl });
      (entry.server as { description: string }).description = HOSTILE;
      return [entry];
    },
  });
}
