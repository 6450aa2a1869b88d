import { timingSafeEqual } from 'node:crypto';
import { access } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { withFileLock, writeFileAtomicSafe } from '../fs/files.js';
import { assertShallow } from './http.js';
import { meta, versionsOf, withEntry, type ServedData, type ServedEntry, type ServedMeta } from './serve-data.js';
import { problem, send } from './serve-reply.js';
import { OFFICIAL_META_KEY } from './types.js';
import { serverJsonValidator } from './validate.js';

/**
 * The write side of `mcpm registry serve <dir> --publish-token-env VAR`: the publish and status endpoints of the
 * v0.1 OpenAPI, for holders of a publish token.
 *
 *   POST  /v0.1/publish                                       a new version (server.json body)
 *   PATCH /v0.1/servers/{name}/versions/{version}/status      { status, statusMessage? } for one version
 *   PATCH /v0.1/servers/{name}/status                         the same for every version of a server
 *
 * Each version is one file, `<dir>/<namespace>/<name>/<version>.json`, holding `{ server, _meta }` with the
 * registry's metadata, written atomically under a lock on the folder: the folder stays a reviewable git tree and
 * `registry serve` reads it back as it wrote it. A published version never changes (409); a status change rewrites
 * only its metadata. A token may be limited to namespaces (`io.github.acme` also covers `io.github.acme.tools`).
 */
export interface PublishToken {
  token: string;
  /** Namespaces this token may publish under; empty: any. */
  namespaces: string[];
}

export interface WriteTarget {
  dir: string;
  tokens: PublishToken[];
  get(): ServedData;
  set(data: ServedData): void;
  /** Said on stderr for each change (who can see what was published, from the server's log). */
  log(line: string): void;
}

const MAX_BODY = 1024 * 1024;
const STATUSES = new Set(['active', 'deprecated', 'deleted']);

/** Changes are made one at a time in this process; the file lock orders them with other processes on the folder. */
let queue: Promise<unknown> = Promise.resolve();
function serially<T>(fn: () => Promise<T>): Promise<T> {
  const next = queue.then(fn, fn);
  queue = next.catch(() => undefined);
  return next;
}

/** The publish token a request carries, if it carries one of them. */
export function publishTokenOf(req: http.IncomingMessage, tokens: PublishToken[]): PublishToken | undefined {
  const given = Buffer.from(req.headers.authorization ?? '');
  return tokens.find(({ token }) => {
    const expected = Buffer.from(`Bearer ${token}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

function allowed(holder: PublishToken, name: string): boolean {
  const namespace = name.slice(0, name.indexOf('/'));
  return holder.namespaces.length === 0 || holder.namespaces.some((ns) => namespace === ns || namespace.startsWith(`${ns}.`));
}

export async function handlePublish(req: http.IncomingMessage, res: http.ServerResponse, target: WriteTarget): Promise<void> {
  const holder = publishTokenOf(req, target.tokens);
  if (!holder) return problem(res, 401, 'Unauthorized', 'A valid publish token is required (Authorization: Bearer <token>)');
  const body = await readBody(req, res);
  if (body === undefined) return;
  const server = body as ServedEntry['server'];
  const problems = (await serverJsonValidator())(server);
  if (problems.length > 0) return problem(res, 422, 'Unprocessable Entity', 'The server.json is invalid', { errors: problems });
  if (!allowed(holder, server.name)) return problem(res, 403, 'Forbidden', `This token may not publish under ${server.name.slice(0, server.name.indexOf('/'))} (allowed: ${holder.namespaces.join(', ')})`);
  const key = `${server.name}@${server.version}`;
  await serially(() =>
    withFileLock(path.join(target.dir, '.mcpm-registry'), async () => {
      const file = path.join(target.dir, ...server.name.split('/'), `${server.version}.json`);
      const exists = versionsOf(target.get(), server.name).some((e) => e.server.version === server.version) || (await access(file).then(() => true, () => false));
      if (exists) return problem(res, 409, 'Conflict', `${key} is already published; published versions never change (publish a new version)`);
      const now = new Date().toISOString();
      const official: ServedMeta = { status: 'active', publishedAt: now, updatedAt: now, isLatest: false };
      const entry: ServedEntry = { server, _meta: { [OFFICIAL_META_KEY]: official } };
      await writeEntry(file, entry);
      target.set(withEntry(target.get(), entry, file));
      target.log(`Published ${key} (${path.relative(target.dir, file)})`);
      send(res, 200, findEntry(target.get(), server.name, server.version));
    }),
  );
}

/** PATCH .../versions/{version}/status (version given) or .../status (every version of the server). */
export async function handleStatus(req: http.IncomingMessage, res: http.ServerResponse, target: WriteTarget, name: string, version: string | undefined): Promise<void> {
  const holder = publishTokenOf(req, target.tokens);
  if (!holder) return problem(res, 401, 'Unauthorized', 'A valid publish token is required (Authorization: Bearer <token>)');
  const body = (await readBody(req, res)) as { status?: unknown; statusMessage?: unknown } | undefined;
  if (body === undefined) return;
  if (typeof body !== 'object' || body === null || typeof body.status !== 'string' || !STATUSES.has(body.status)) {
    return problem(res, 400, 'Bad Request', 'Invalid status value (active, deprecated or deleted)');
  }
  if (body.statusMessage !== undefined && (typeof body.statusMessage !== 'string' || body.statusMessage.length > 500)) {
    return problem(res, 400, 'Bad Request', 'statusMessage must be a string of at most 500 characters');
  }
  if (!allowed(holder, name)) return problem(res, 403, 'Forbidden', `This token may not change servers under ${name.slice(0, name.indexOf('/'))}`);
  const { status, statusMessage } = body as { status: string; statusMessage?: string };
  await serially(() =>
    withFileLock(path.join(target.dir, '.mcpm-registry'), async () => {
      const versions = versionsOf(target.get(), name).filter((e) => version === undefined || e.server.version === version);
      if (versions.length === 0) return problem(res, 404, 'Not Found', version === undefined ? 'Server not found' : 'Server version not found');
      const changing = versions.filter((e) => meta(e).status !== status || (statusMessage !== undefined && meta(e).statusMessage !== statusMessage));
      if (version !== undefined && changing.length === 0) return problem(res, 400, 'Bad Request', `No changes to apply: status is already ${status}`);
      const now = new Date().toISOString();
      for (const entry of changing) {
        const key = `${entry.server.name}@${entry.server.version}`;
        const file = target.get().files.get(key) ?? path.join(target.dir, ...entry.server.name.split('/'), `${entry.server.version}.json`);
        const { isLatest: _computed, ...kept } = meta(entry);
        const official: ServedMeta = { ...kept, status, ...(statusMessage !== undefined ? { statusMessage } : {}), statusChangedAt: now, updatedAt: now, isLatest: false };
        if (statusMessage === undefined) delete official.statusMessage;
        const next: ServedEntry = { server: entry.server, _meta: { ...entry._meta, [OFFICIAL_META_KEY]: official } };
        await writeEntry(file, next);
        target.set(withEntry(target.get(), next, file));
        target.log(`Status of ${key}: ${status}${statusMessage ? ` (${statusMessage})` : ''}`);
      }
      if (version !== undefined) return send(res, 200, findEntry(target.get(), name, version));
      const all = versionsOf(target.get(), name);
      send(res, 200, { updatedCount: changing.length, servers: all });
    }),
  );
}

/** The file keeps the server.json as published and the registry's metadata, without `isLatest` (computed on load). */
async function writeEntry(file: string, entry: ServedEntry): Promise<void> {
  const { isLatest: _computed, ...official } = meta(entry);
  await writeFileAtomicSafe(file, `${JSON.stringify({ server: entry.server, _meta: { ...entry._meta, [OFFICIAL_META_KEY]: official } }, null, 2)}\n`);
}

function findEntry(data: ServedData, name: string, version: string): ServedEntry | undefined {
  return versionsOf(data, name).find((e) => e.server.version === version);
}

/** The request's JSON body (at most 1 MiB), or undefined once a 400/413 has been answered. */
async function readBody(req: http.IncomingMessage, res: http.ServerResponse): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) {
      problem(res, 413, 'Payload Too Large', 'The body is larger than 1 MiB');
      return undefined;
    }
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    problem(res, 400, 'Bad Request', 'The body is not valid JSON');
    return undefined;
  }
  try {
    assertShallow(value, 'The body'); // writing it back would overflow the stack
  } catch (error) {
    problem(res, 400, 'Bad Request', (error as Error).message);
    return undefined;
  }
  return value;
}
