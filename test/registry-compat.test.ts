// Other tools must be able to read what mcpm serves and builds: every response of `mcpm registry serve` (each
// endpoint of the v0.1 OpenAPI, each error it answers) and every file of `mcpm registry build` is checked against
// the response schema the OpenAPI declares for it (errors it does not declare: the OpenAPI's generic `{ error }`
// shape), and every server.json in them against the server.json schema. Extension points pass through untouched:
// `_meta` namespaces of publishers and registries, and `x-` header definitions of remotes.
// Reads ../shared/registry/openapi.yaml; skipped with a message where ../shared is absent.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { OFFICIAL_META, SERVER_SCHEMA } from './helpers/mcp-registry.js';
import { startServe, type ServedRegistry } from './helpers/serve-registry.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OPENAPI = path.join(ROOT, '..', 'shared', 'registry', 'openapi.yaml');
const PRESENT = existsSync(OPENAPI);
const TOKEN = 'compat-token';
const NAME = 'io.github.acme/weather';
const enc = encodeURIComponent;

// The server.json as a publisher wrote it: publisher-provided _meta, an x- header on a remote, icons.
const weather = (version: string) => ({
  $schema: SERVER_SCHEMA,
  name: NAME,
  title: 'Weather',
  description: 'Forecasts',
  version,
  repository: { url: 'https://github.com/acme/weather', source: 'github' },
  icons: [{ src: 'https://acme.example/icon.png', mimeType: 'image/png', sizes: ['48x48'] }],
  remotes: [{ type: 'streamable-http', url: 'https://weather.acme.example/mcp', headers: [{ name: 'x-api-key', isSecret: true, isRequired: true, description: 'Key' }] }],
  _meta: { 'io.modelcontextprotocol.registry/publisher-provided': { tool: 'ci', build: { commit: 'abc' } } },
});
// A registry's extension of its own beside the official metadata (kept by serve, build and mirror).
const REGISTRY_EXTENSION = { 'com.acme.catalog/v1': { approvedBy: 'security', tier: 1 } };

let served: ServedRegistry;
let readOnly: ServedRegistry;
let dir: string;
let site: string;
let responseSchema: (method: string, pathname: string, status: number) => ((value: unknown) => boolean) & { errors?: unknown };
let serverSchema: ((value: unknown) => boolean) & { errors?: unknown };
const checked: string[] = [];

beforeAll(async () => {
  if (!PRESENT) return;
  const spec = YAML.parse(readFileSync(OPENAPI, 'utf8'));
  const ajv2020 = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv2020);
  ajv2020.addSchema({ $id: 'openapi.json', components: spec.components });
  const operations = Object.entries(spec.paths as Record<string, Record<string, any>>).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`), op })),
  );
  const generic = ajv2020.compile({ type: 'object', required: ['error'], properties: { error: { type: 'string' } } });
  responseSchema = (method, pathname, status) => {
    const match = operations.find((o) => o.method === method && o.pattern.test(pathname));
    const declared = match?.op.responses?.[String(status)]?.content?.['application/json']?.schema;
    if (!declared) return generic; // an answer the OpenAPI does not list for this operation: its error shape
    // Local references point into the components added above.
    return ajv2020.compile(JSON.parse(JSON.stringify(declared).replaceAll('"#/components/', '"openapi.json#/components/')));
  };
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  serverSchema = ajv.compile(JSON.parse(readFileSync(path.join(ROOT, 'src', 'registry', 'server.schema.json'), 'utf8')));

  dir = await makeTmpDir('mcpm-compat-');
  mkdirSync(path.join(dir, 'servers'), { recursive: true });
  writeFileSync(path.join(dir, 'servers', '1.0.0.json'), JSON.stringify({ server: weather('1.0.0'), _meta: { ...REGISTRY_EXTENSION, [OFFICIAL_META]: { status: 'deprecated', statusMessage: 'Use 2.x', publishedAt: '2025-10-01T00:00:00Z' } } }));
  writeFileSync(path.join(dir, 'servers', '2.0.0.json'), JSON.stringify({ server: weather('2.0.0'), _meta: REGISTRY_EXTENSION }));
  writeFileSync(path.join(dir, 'servers', 'gone.json'), JSON.stringify({ server: { ...weather('1.0.0'), name: 'io.github.acme/gone' }, _meta: { [OFFICIAL_META]: { status: 'deleted' } } }));
  served = await startServe(dir, { home: dir, args: ['--publish-token-env', 'PUB:io.github.acme'], env: { PUB: TOKEN } });
  readOnly = await startServe(dir, { home: dir });
});
afterAll(async () => {
  await Promise.all([served?.stop(), readOnly?.stop()]);
  await cleanupTmpDirs();
});

/** One request; its answer must match what the OpenAPI says of it, and every server.json in it the schema. */
async function call(base: string, method: string, target: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}${target}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await response.json();
  const pathname = new URL(target, 'http://x').pathname;
  const validate = responseSchema(method, pathname, response.status);
  expect(validate(json), `${method} ${target} -> ${response.status}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(json).slice(0, 500)}`).toBe(true);
  if (response.status >= 400) {
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(json).toMatchObject({ status: response.status, title: expect.any(String), detail: expect.any(String), error: expect.any(String) });
  }
  for (const server of serversIn(json)) expect(serverSchema(server), `${method} ${target}: ${JSON.stringify(serverSchema.errors)}`).toBe(true);
  checked.push(`${method} ${pathname} ${response.status}`);
  return { status: response.status, body: json };
}

function serversIn(json: any): unknown[] {
  if (Array.isArray(json?.servers)) return json.servers.map((e: any) => e.server);
  return json?.server ? [json.server] : [];
}

describe.skipIf(!PRESENT)(PRESENT ? 'v0.1 compatibility' : 'v0.1 compatibility (skipped: ../shared/registry/openapi.yaml is absent)', () => {
  it('every endpoint and error of registry serve matches the OpenAPI; extension points pass through untouched', async () => {
    // The checker bites: wrong types, and a field the official metadata does not allow, are refused.
    expect(responseSchema('GET', '/v0.1/servers', 200)({ servers: [{ server: { name: 1, description: 'd', version: '1' } }] })).toBe(false);
    expect(responseSchema('GET', '/v0.1/servers', 200)({ servers: [{ server: weather('1.0.0'), _meta: { [OFFICIAL_META]: { status: 'active', mirroredAt: 'x' } } }] })).toBe(false);
    expect(responseSchema('GET', '/v0.1/servers', 200)({ servers: [{ server: weather('1.0.0'), _meta: { [OFFICIAL_META]: { status: 'active' } } }] })).toBe(true);
    expect(responseSchema('GET', '/v0.1/servers/x/versions', 404)({ error: 7 })).toBe(false);
    const u = served.url;
    const list = await call(u, 'GET', '/v0.1/servers');
    expect(list.body.servers.map((e: any) => `${e.server.name}@${e.server.version}`)).toEqual([`${NAME}@1.0.0`, `${NAME}@2.0.0`]);
    const v2 = list.body.servers[1];
    expect(v2.server).toEqual(weather('2.0.0'));
    expect(v2._meta['com.acme.catalog/v1']).toEqual(REGISTRY_EXTENSION['com.acme.catalog/v1']);
    expect(Object.keys(v2._meta[OFFICIAL_META]).sort()).toEqual(['isLatest', 'publishedAt', 'status', 'updatedAt']);
    await call(u, 'GET', '/v0.1/servers?limit=1');
    await call(u, 'GET', `/v0.1/servers?limit=1&cursor=${enc(list.body.metadata.nextCursor ?? (await call(u, 'GET', '/v0.1/servers?limit=1')).body.metadata.nextCursor)}`);
    await call(u, 'GET', '/v0.1/servers?include_deleted=true&search=GONE&version=latest');
    await call(u, 'GET', '/v0.1/servers?updated_since=2025-01-01T00:00:00Z');
    for (const bad of ['?cursor=nope', '?limit=0', '?updated_since=yesterday']) expect((await call(u, 'GET', `/v0.1/servers${bad}`)).status).toBe(400);
    expect((await call(u, 'GET', `/v0.1/servers/${enc(NAME)}/versions`)).body.servers.map((e: any) => e.server.version)).toEqual(['2.0.0', '1.0.0']);
    expect((await call(u, 'GET', `/v0.1/servers/${enc(NAME)}/versions/latest`)).body.server).toEqual(weather('2.0.0'));
    expect((await call(u, 'GET', `/v0.1/servers/${enc(NAME)}/versions/1.0.0`)).body._meta[OFFICIAL_META]).toMatchObject({ status: 'deprecated', statusMessage: 'Use 2.x' });
    await call(u, 'GET', `/v0.1/servers/${enc('io.github.acme/gone')}/versions/1.0.0?include_deleted=true`);
    expect((await call(u, 'GET', `/v0.1/servers/${enc('io.github.acme/gone')}/versions`)).status).toBe(404);
    expect((await call(u, 'GET', `/v0.1/servers/${enc(NAME)}/versions/9.9.9`)).status).toBe(404);
    expect((await call(u, 'GET', '/v0.1/nothing')).status).toBe(404);
    expect((await call(u, 'GET', '/v0.1/servers/%E0%A4%A/versions')).status).toBe(400);
    expect((await call(u, 'PUT', `/v0.1/servers/${enc(NAME)}/versions/2.0.0`, weather('2.0.0'), TOKEN)).status).toBe(501);
    expect((await call(u, 'DELETE', `/v0.1/servers/${enc(NAME)}/versions/2.0.0`, undefined, TOKEN)).status).toBe(501);

    // Publish: 200, 401, 403, 409, 422, 400, and 501 from a registry that does not publish.
    const published = await call(u, 'POST', '/v0.1/publish', weather('3.0.0'), TOKEN);
    expect(published.status).toBe(200);
    expect(published.body.server).toEqual(weather('3.0.0'));
    expect((await call(u, 'POST', '/v0.1/publish', weather('3.1.0'))).status).toBe(401);
    expect((await call(u, 'POST', '/v0.1/publish', { ...weather('1.0.0'), name: 'com.other/weather' }, TOKEN)).status).toBe(403);
    expect((await call(u, 'POST', '/v0.1/publish', weather('3.0.0'), TOKEN)).status).toBe(409);
    expect((await call(u, 'POST', '/v0.1/publish', { name: NAME, version: '4.0.0' }, TOKEN)).status).toBe(422);
    const notJson = await fetch(`${u}/v0.1/publish`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{' });
    expect([notJson.status, (await notJson.json()).error]).toEqual([400, 'The body is not valid JSON']);
    expect((await call(readOnly.url, 'POST', '/v0.1/publish', weather('3.2.0'), TOKEN)).status).toBe(501);

    // Status: one version and all versions, and their errors.
    const one = await call(u, 'PATCH', `/v0.1/servers/${enc(NAME)}/versions/3.0.0/status`, { status: 'deprecated', statusMessage: 'Use 2.0.0' }, TOKEN);
    expect(one.body._meta[OFFICIAL_META]).toMatchObject({ status: 'deprecated', statusMessage: 'Use 2.0.0', statusChangedAt: expect.any(String) });
    expect((await call(u, 'PATCH', `/v0.1/servers/${enc(NAME)}/versions/3.0.0/status`, { status: 'deprecated', statusMessage: 'Use 2.0.0' }, TOKEN)).status).toBe(400);
    expect((await call(u, 'PATCH', `/v0.1/servers/${enc(NAME)}/versions/3.0.0/status`, { status: 'gone' }, TOKEN)).status).toBe(400);
    expect((await call(u, 'PATCH', `/v0.1/servers/${enc(NAME)}/versions/3.0.0/status`, { status: 'active' })).status).toBe(401);
    expect((await call(u, 'PATCH', `/v0.1/servers/${enc(NAME)}/versions/7.0.0/status`, { status: 'active' }, TOKEN)).status).toBe(404);
    const all = await call(u, 'PATCH', `/v0.1/servers/${enc(NAME)}/status`, { status: 'active' }, TOKEN);
    expect(all.body).toMatchObject({ updatedCount: 2, servers: expect.any(Array) });
    expect((await call(u, 'PATCH', `/v0.1/servers/${enc('io.github.acme/none')}/status`, { status: 'active' }, TOKEN)).status).toBe(404);
    expect((await call(readOnly.url, 'PATCH', `/v0.1/servers/${enc(NAME)}/status`, { status: 'active' }, TOKEN)).status).toBe(501);
    const other = await runMcpm(['status', 'set', `${NAME}@2.0.0`, 'deleted', '--registry', u, '--json'], { home: dir, env: { MCPM_PUBLISH_TOKEN: 'wrong' } });
    expect(other.json.error.code).toBe('EAUTH');

    // Every operation of the OpenAPI was exercised.
    for (const op of ['GET /v0.1/servers 200', 'GET /v0.1/servers/x/versions 200', 'GET /v0.1/servers/x/versions/x 200', 'PUT /v0.1/servers/x/versions/x 501', 'DELETE /v0.1/servers/x/versions/x 501', 'PATCH /v0.1/servers/x/versions/x/status 200', 'PATCH /v0.1/servers/x/status 200', 'POST /v0.1/publish 200']) {
      const [method, shape, status] = op.split(' ');
      const pattern = new RegExp(`^${method} ${shape!.replaceAll('/x', '/[^/]+')} ${status}$`);
      expect(checked.some((c) => pattern.test(c)), op).toBe(true);
    }
  });

  it('every file of a static build matches the OpenAPI response it stands for, extension points untouched', async () => {
    site = path.join(await makeTmpDir('mcpm-compat-site-'), 'site');
    const build = await runMcpm(['registry', 'build', dir, '--out', site, '--json'], { home: dir });
    expect(build.json?.ok, build.stderr).toBe(true);
    const files: string[] = [];
    const walk = (folder: string) => {
      for (const name of readdirSync(folder)) {
        const full = path.join(folder, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (name !== '_headers') files.push(full);
      }
    };
    walk(path.join(site, 'v0.1'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const relative = path.relative(site, file).split(path.sep);
      const isList = relative.at(-1) === 'index.html';
      const apiPath = `/${relative.slice(0, isList ? -1 : undefined).join('/')}`.replace(/^\/v0\.1\/servers\/([^/]+)\/([^/]+)\//, (_, ns, name) => `/v0.1/servers/${enc(`${ns}/${name}`)}/`);
      const json = JSON.parse(readFileSync(file, 'utf8'));
      const validate = responseSchema('GET', apiPath, 200);
      expect(validate(json), `${apiPath}: ${JSON.stringify(validate.errors)}`).toBe(true);
      for (const server of serversIn(json)) expect(serverSchema(server), apiPath).toBe(true);
    }
    const latest = JSON.parse(readFileSync(path.join(site, 'v0.1', 'servers', 'io.github.acme', 'weather', 'versions', 'latest'), 'utf8'));
    expect(latest.server).toEqual(weather(latest.server.version));
    expect(latest.server.remotes[0].headers[0].name).toBe('x-api-key');
  });
});
