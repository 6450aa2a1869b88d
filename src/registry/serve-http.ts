import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { compareKeys, entryJson, meta, versionsOf, type ServedData, type ServedEntry } from './serve-data.js';
import { preflight, problem, sendText } from './serve-reply.js';
import type { WriteTarget } from './serve-write.js';

/**
 * The MCP Registry API v0.1 over ServedData. Read side:
 *
 *   GET /v0.1/servers?search=&cursor=&limit=&version=&updated_since=&include_deleted=
 *   GET /v0.1/servers/{name}/versions[?include_deleted=true]
 *   GET /v0.1/servers/{name}/versions/{version|latest}[?include_deleted=true]
 *
 * As the official registry: search is a case-insensitive substring of the name; deleted versions are hidden unless
 * include_deleted=true or updated_since is given; limit defaults to 30, at most 100; errors are problem+json.
 * Cursors name the last entry returned, so paging stays right across a reload. With a write target (a folder and
 * publish tokens), the publish and status endpoints of serve-write.ts; without one they answer 501, as the OpenAPI
 * says a registry that does not publish should. PUT and DELETE of a version (optional, not offered by the official
 * registry either) answer 501: a version is deleted through its status.
 */
const DEFAULT_LIMIT = 30;
const MAX_LIMIT = 100;

export function createRegistryHandler(data: () => ServedData, options: { token?: string; write?: WriteTarget } = {}): (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void> {
  const expected = options.token ? Buffer.from(`Bearer ${options.token}`) : undefined;
  return (req, res) => {
    const url = requestUrl(req.url);
    if (!url) return problem(res, 400, 'Bad Request', 'The request target is not a valid URL');
    if (req.method === 'OPTIONS') return preflight(res);
    // Split the raw path and decode per segment: a name arrives as "io.github.acme%2Fweather".
    const parts = url.pathname.split('/').slice(1);
    if (parts[parts.length - 1] === '') parts.pop();
    if ((parts[0] !== 'v0.1' && parts[0] !== 'v0') || (parts[1] !== 'servers' && parts[1] !== 'publish')) return problem(res, 404, 'Not Found', 'Not found');
    const writing = req.method !== 'GET' && req.method !== 'HEAD';
    // A read token guards reads; writes are checked against the publish tokens (which also let their holders read).
    if (expected && !writing) {
      const given = Buffer.from(req.headers.authorization ?? '');
      const publisher = options.write && given.length > 0 && options.write.tokens.some(({ token }) => given.equals(Buffer.from(`Bearer ${token}`)));
      if (!publisher && (given.length !== expected.length || !timingSafeEqual(given, expected))) return problem(res, 401, 'Unauthorized', 'A bearer token is required');
    }
    if (parts[1] === 'publish') {
      if (parts.length !== 2) return problem(res, 404, 'Not Found', 'Not found');
      if (req.method !== 'POST') return problem(res, 405, 'Method Not Allowed', 'Publish with POST');
      if (!options.write) return problem(res, 501, 'Not Implemented', 'Publishing is not supported by this registry');
      return import('./serve-write.js').then((m) => m.handlePublish(req, res, options.write!));
    }
    if (parts.length === 2) return writing ? problem(res, 405, 'Method Not Allowed', 'The listing is read-only') : list(data(), url.searchParams, res);
    const isStatus = parts[parts.length - 1] === 'status' && req.method === 'PATCH';
    const route = isStatus ? parts.slice(0, -1) : parts;
    if (route[3] !== 'versions' && !(isStatus && route.length === 3)) return problem(res, 404, 'Not Found', 'Not found');
    if (route.length > 5) return problem(res, 404, 'Not Found', 'Not found');
    let name: string;
    let version: string | undefined;
    try {
      name = decodeURIComponent(route[2] ?? '');
      version = route[4] === undefined ? undefined : decodeURIComponent(route[4]);
    } catch {
      return problem(res, 400, 'Bad Request', 'Malformed URL encoding');
    }
    if (isStatus) {
      if (route.length === 4) return problem(res, 404, 'Not Found', 'Not found');
      if (!options.write) return problem(res, 501, 'Not Implemented', 'Status changes are not supported by this registry');
      return import('./serve-write.js').then((m) => m.handleStatus(req, res, options.write!, name, version));
    }
    if (writing) {
      if ((req.method === 'PUT' || req.method === 'DELETE') && version !== undefined) {
        return problem(res, 501, 'Not Implemented', req.method === 'PUT' ? 'Updates are not supported by this registry: published versions never change' : 'Deletion is not supported by this registry: set the status to deleted');
      }
      return problem(res, 405, 'Method Not Allowed', 'Not allowed here');
    }
    const includeDeleted = url.searchParams.get('include_deleted') === 'true';
    const versions = versionsOf(data(), name).filter((e) => includeDeleted || meta(e).status !== 'deleted');
    if (version === undefined) {
      if (versions.length === 0) return problem(res, 404, 'Not Found', 'Server not found');
      const sorted = [...versions].sort((a, b) => meta(b).publishedAt.localeCompare(meta(a).publishedAt));
      return sendText(res, 200, `{"servers":[${sorted.map(entryJson).join(',')}],"metadata":${JSON.stringify({ count: sorted.length })}}`);
    }
    const hit = version === 'latest' ? versions.find((e) => meta(e).isLatest) : versions.find((e) => e.server.version === version);
    if (!hit) return problem(res, 404, 'Not Found', 'Server not found');
    sendText(res, 200, entryJson(hit));
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
  sendText(res, 200, `{"servers":[${page.map(entryJson).join(',')}],"metadata":${JSON.stringify(metadata)}}`);
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
