import type http from 'node:http';

/**
 * Answers of `mcpm registry serve`. Errors are problem+json (RFC 9457, as the official registry answers) and also
 * carry `error`, the one field the v0.1 OpenAPI declares for error bodies, so clients written from either find
 * their message.
 */
export function send(res: http.ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': type, 'content-length': data.length });
  res.end(res.req.method === 'HEAD' ? undefined : data);
}

export function problem(res: http.ServerResponse, status: number, title: string, detail: string, extra: Record<string, unknown> = {}): void {
  send(res, status, { title, status, detail, error: detail, ...extra }, 'application/problem+json');
}
