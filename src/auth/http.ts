import { McpmError } from '../errors.js';

/**
 * The fetch mcpm uses for every request that carries credentials or a server's installed headers (the MCP
 * server's own requests, login's probe, the authorization server's token, registration and revocation
 * endpoints): a redirect is followed only when it stays on the same origin (scheme, host and port) and keeps the
 * method, at most five times. Any other redirect is returned as it is, unfollowed, so the caller reports it and
 * nothing reaches the other origin: fetch's default would resend the headers (an API key) to wherever a 307 says.
 */
export type Fetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

export const sameOriginFetch: Fetch = async (url, init) => {
  let current = new URL(String(url));
  const method = (init?.method ?? 'GET').toUpperCase();
  for (let followed = 0; ; followed++) {
    const response = await fetch(current, { ...init, redirect: 'manual' });
    const target = redirectTarget(current, response);
    if (!target || followed === MAX_REDIRECTS) return response;
    const keepsMethod = method === 'GET' || method === 'HEAD' || response.status === 307 || response.status === 308;
    if (!keepsMethod || target.origin !== current.origin || target.username || target.password) return response;
    await response.body?.cancel().catch(() => undefined);
    current = target;
  }
};

/** Where a 3xx answer points, when it does. */
export function redirectTarget(from: URL, response: Response): URL | undefined {
  if (!REDIRECTS.has(response.status)) return undefined;
  const location = response.headers.get('location');
  if (!location) return undefined;
  try {
    return new URL(location, from);
  } catch {
    return undefined;
  }
}

/** A one-line description of an unfollowed redirect, for errors (the target without query or credentials). */
export function describeRedirect(from: URL, response: Response): string | undefined {
  const target = redirectTarget(from, response);
  if (!target) return undefined;
  return `it redirects to ${target.origin}${target.pathname}, another origin, and mcpm does not send its credentials or headers there`;
}

/** RFC 8252: loopback hosts, where plain http is as private as https. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Whether a URL may be handed to a browser: https, or http on a loopback host. Never file:, smb:, ms-msdt: ... */
export function browsable(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/**
 * The answers of authorization servers are data from the network: metadata, registration and token answers are
 * read up to `limit` bytes (a token answer of hundreds of megabytes would otherwise be stored and then sent with
 * every request). Over the limit the request fails with EAUTH; under it the caller gets an ordinary Response.
 */
export function cappedFetch(base: Fetch, limit: number, what: (url: URL) => string): Fetch {
  return async (url, init) => {
    const response = await base(url, init);
    const declared = Number(response.headers.get('content-length'));
    const tooLarge = () =>
      new McpmError('EAUTH', `${what(new URL(String(url)))} sent an answer larger than ${Math.round(limit / 1024)} KiB; mcpm refuses it`, {
        hint: 'This is not what an authorization server sends; check the server\'s URL, or tell its operators.',
      });
    if (Number.isFinite(declared) && declared > limit) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge();
    }
    if (!response.body) return response;
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
    const nullBody = [101, 204, 205, 304].includes(response.status);
    return new Response(nullBody ? null : Buffer.concat(chunks), { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** How long one request to an authorization server may take. */
const AUTH_REQUEST_MS = 30_000;
/** Metadata, registration and token answers are small JSON documents. */
const AUTH_ANSWER_LIMIT = 256 * 1024;

/**
 * A request to an authorization server: plain fetch (no MCP headers), same-origin redirects only (the token,
 * registration and revocation requests carry credentials), bounded in time and in size.
 */
export const authFetch: Fetch = cappedFetch(
  (url, init) => sameOriginFetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(AUTH_REQUEST_MS) }),
  AUTH_ANSWER_LIMIT,
  (url) => `The authorization server at ${url.origin}`,
);
