import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { compareKeys, meta, type ServedData, type ServedEntry } from './serve-data.js';

/**
 * The read side of the MCP Registry API v0.1 over ServedData:
 *
 *   GET /v0.1/servers?search=&cursor=&limit=&version=&updated_since=&include_deleted=
 *   GET /v0.1/servers/{name}/versions[?include_deleted=true]
 *   GET /v0.1/servers/{name}/versions/{version|latest}[?include_deleted=true]
 *
 * As the official registry: search is a case-insensitive substring of the name; deleted versions are hidden unless
 * include_deleted=true or updated_since is given; limit defaults to 30, at most 100; errors are problem+json.
 * Cursors name the last entry returned, so paging stays right across a reload.
 */
const DEFAULT_LIMIT = 30;
const MAX_LIMIT = 100;

export function createRegistryHandler(data: () => ServedData, options: { token?: string } = {}): http.RequestListener {
  const expected = options.token ? Buffer.from(`Bearer ${options.token}`) : undefined;
  return (req, res) => {
    if (expected) {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return problem(res, 401, 'Unauthorized', 'A bearer token is required');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return problem(res, 405, 'Method Not Allowed', 'This registry is read-only');
    const url = requestUrl(req.url);
    if (!url) return problem(res, 400, 'Bad Request', 'The request target is not a valid URL path');
    // Split the raw path and decode per segment: a name arrives as "io.github.acme%2Fweather".
    const parts = url.pathname.split('/').slice(1);
    if (parts[parts.length - 1] === '') parts.pop();
    if ((parts[0] !== 'v0.1' && parts[0] !== 'v0') || parts[1] !== 'servers') return problem(res, 404, 'Not Found', 'Not found');
    if (parts.length === 2) return list(data(), url.searchParams, res);
    if (parts[3] !== 'versions' || parts.length > 5) return problem(res, 404, 'Not Found', 'Not found');
    let name: string;
    let version: string | undefined;
    try {
      name = decodeURIComponent(parts[2] ?? '');
      version = parts[4] === undefined ? undefined : decodeURIComponent(parts[4]);
    } catch {
      return problem(res, 400, 'Bad Request', 'Malformed URL encoding');
    }
    const includeDeleted = url.searchParams.get('include_deleted') === 'true';
    const versions = data().entries.filter((e) => e.server.name === name && (includeDeleted || meta(e).status !== 'deleted'));
    if (version === undefined) {
      if (versions.length === 0) return problem(res, 404, 'Not Found', 'Server not found');
      const sorted = [...versions].sort((a, b) => meta(b).publishedAt.localeCompare(meta(a).publishedAt));
      return send(res, 200, { servers: sorted, metadata: { count: sorted.length } });
    }
    const hit = version === 'latest' ? versions.find((e) => meta(e).isLatest) : versions.find((e) => e.server.version === version);
    if (!hit) return problem(res, 404, 'Not Found', 'Server not found');
    send(res, 200, hit);
  };
}

function list(data: ServedData, q: URLSearchParams, res: http.ServerResponse): void {
  const search = q.get('search')?.toLowerCase();
  const version = q.get('version');
  const since = q.get('updated_since');
  const sinceMs = since === null ? undefined : Date.parse(since);
  if (sinceMs !== undefined && Number.isNaN(sinceMs)) return problem(res, 400, 'Bad Request', 'Invalid updated_since (RFC 3339 expected)');
  // updated_since always includes deleted entries: that is how a client's cache learns about deletions.
  const includeDeleted = q.get('include_deleted') === 'true' || sinceMs !== undefined;
  const rawLimit = q.get('limit');
  const limit = rawLimit === null ? DEFAULT_LIMIT : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1) return problem(res, 400, 'Bad Request', 'Invalid limit');
  const after = decodeCursor(q.get('cursor'));
  if (after === null) return problem(res, 400, 'Bad Request', 'Invalid cursor');

  const matches = (e: ServedEntry) =>
    (includeDeleted || meta(e).status !== 'deleted') &&
    (!search || e.server.name.toLowerCase().includes(search)) &&
    (!version || (version === 'latest' ? meta(e).isLatest : e.server.version === version)) &&
    (sinceMs === undefined || Date.parse(meta(e).updatedAt) > sinceMs);
  const page: ServedEntry[] = [];
  let more = false;
  for (let i = after ? firstAfter(data.entries, after) : 0; i < data.entries.length; i++) {
    const entry = data.entries[i]!;
    if (!matches(entry)) continue;
    if (page.length === Math.min(limit, MAX_LIMIT)) {
      more = true;
      break;
    }
    page.push(entry);
  }
  const last = page[page.length - 1];
  const metadata: { count: number; nextCursor?: string } = { count: page.length };
  if (more && last) metadata.nextCursor = Buffer.from(JSON.stringify([last.server.name, last.server.version])).toString('base64url');
  send(res, 200, { servers: page, metadata });
}

/** The index of the first entry after the cursor's key (binary search: entries are sorted by key). */
function firstAfter(entries: ServedEntry[], key: [string, string]): number {
  let [low, high] = [0, entries.length];
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareKeys([entries[mid]!.server.name, entries[mid]!.server.version], key) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** undefined: no cursor (first page); null: a cursor this server did not make. */
function decodeCursor(cursor: string | null): [string, string] | undefined | null {
  if (cursor === null || cursor === '') return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    return Array.isArray(key) && key.length === 2 && key.every((part) => typeof part === 'string') ? (key as [string, string]) : null;
  } catch {
    return null;
  }
}

/**
 * The request target as a URL, or undefined when it is not one: `//[` reads as an authority with an invalid host,
 * and the URL parser throws. One such request gets a 400; it must never end the server.
 */
export function requestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target || '/', 'http://registry.invalid');
  } catch {
    return undefined;
  }
}

function send(res: http.ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': type, 'content-length': data.length });
  res.end(res.req.method === 'HEAD' ? undefined : data);
}

function problem(res: http.ServerResponse, status: number, title: string, detail: string): void {
  send(res, status, { title, status, detail }, 'application/problem+json');
}
