import type http from 'node:http';

/**
 * Answers of `mcpm registry serve`. Errors are problem+json (RFC 9457, as the official registry answers) and also
 * carry `error`, the one field the v0.1 OpenAPI declares for error bodies, so clients written from either find
 * their message.
 */
export function send(res: http.ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  sendText(res, status, JSON.stringify(body), type);
}

/**
 * Any origin may read (browser-based clients, and IDEs that fetch a registry as a web page would, need CORS); a
 * registry with a token still checks it, and no cookies are involved.
 */
export function sendText(res: http.ServerResponse, status: number, text: string, type = 'application/json'): void {
  const data = Buffer.from(text);
  res.writeHead(status, { 'content-type': type, 'content-length': data.length, 'access-control-allow-origin': '*' });
  res.end(res.req.method === 'HEAD' ? undefined : data);
}

/** The answer to a CORS preflight (OPTIONS): what a browser may send. */
export function preflight(res: http.ServerResponse): void {
  res.writeHead(204, {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET, HEAD, POST, PATCH, OPTIONS',
    'access-control-allow-headers': 'authorization, content-type',
    'access-control-max-age': '86400',
  });
  res.end();
}

export function problem(res: http.ServerResponse, status: number, title: string, detail: string, extra: Record<string, unknown> = {}): void {
  send(res, status, { title, status, detail, error: detail, ...extra }, 'application/problem+json');
}
