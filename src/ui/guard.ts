import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Who may use the page: the security model of `mcpm ui` in one place, as decisions on a request's method, URL and
 * headers, so each rule is unit-tested without a server.
 *
 * - The server listens on 127.0.0.1 only (server.ts); a web page elsewhere can still make the browser send requests
 *   to it, so:
 * - `Host` must be this loopback address and port: a DNS-rebinding page (evil.example resolving to 127.0.0.1)
 *   sends its own host name and is refused.
 * - The URL printed on stderr carries a one-time token; the first load trades it for a session cookie (HttpOnly,
 *   SameSite=Strict) and the token is spent. Every request needs the cookie.
 * - A request that changes something (POST) must carry an `Origin` of this page (CSRF); without one it is refused.
 * - Only GET, HEAD and POST; no CORS headers are ever sent, so other origins cannot read answers.
 */
/** Cookies are shared by every port of a host: each `mcpm ui` names its own, so two running ones do not collide. */
export const cookieName = (port: number) => `mcpm_ui_${port}`;

export interface Keys {
  port: number;
  /** The token in the printed URL; undefined once it has been traded for the cookie. */
  urlToken: string | undefined;
  /** The cookie's value for this run. */
  session: string;
}

export function newKeys(port: number): Keys {
  return { port, urlToken: secret(), session: secret() };
}

function secret(): string {
  return randomBytes(24).toString('base64url');
}

export type Admission =
  | { kind: 'ok' }
  | { kind: 'refuse'; status: number; message: string; hint: string }
  /** The first load: set the cookie and send the browser to the same page without the token. */
  | { kind: 'trade'; location: string; cookie: string };

export interface RequestFacts {
  method: string;
  url: string;
  host?: string;
  origin?: string;
  cookie?: string;
}

const NEW_LINK = 'Open the link `mcpm ui` printed in your terminal (run `mcpm ui` again for a new one).';

export function admit(request: RequestFacts, keys: Keys): Admission {
  if (!hostAllowed(request.host, keys.port)) {
    return { kind: 'refuse', status: 421, message: `This page answers only at http://127.0.0.1:${keys.port}`, hint: NEW_LINK };
  }
  if (!['GET', 'HEAD', 'POST'].includes(request.method)) return { kind: 'refuse', status: 405, message: `${request.method} is not allowed`, hint: NEW_LINK };
  if (request.method === 'POST' && !originAllowed(request.origin, keys.port)) {
    return { kind: 'refuse', status: 403, message: 'Refused a change sent from another site', hint: 'Use the page itself to make changes.' };
  }
  const url = new URL(request.url, `http://127.0.0.1:${keys.port}`);
  const token = url.searchParams.get('token');
  if (token !== null && request.method === 'GET') {
    if (keys.urlToken === undefined || !same(token, keys.urlToken)) {
      return { kind: 'refuse', status: 403, message: 'This link has already been used or is not the one printed', hint: NEW_LINK };
    }
    keys.urlToken = undefined;
    url.searchParams.delete('token');
    return { kind: 'trade', location: url.pathname + url.search, cookie: `${cookieName(keys.port)}=${keys.session}; HttpOnly; SameSite=Strict; Path=/` };
  }
  const cookie = cookieValue(request.cookie, cookieName(keys.port));
  if (cookie === undefined || !same(cookie, keys.session)) return { kind: 'refuse', status: 403, message: 'Not signed in to this mcpm ui', hint: NEW_LINK };
  return { kind: 'ok' };
}

export function hostAllowed(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

export function originAllowed(origin: string | undefined, port: number): boolean {
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Sent with every answer. The policy allows the page's own stylesheet and script file only: no inline script or
 * style, no other origin, no framing, forms posting only here.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // Not no-referrer: under it Chromium sends `Origin: null` with the page's own form posts, which the CSRF check
  // must refuse. same-origin sends nothing to other sites.
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};
