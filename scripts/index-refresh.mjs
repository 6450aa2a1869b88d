// `npm run index:refresh -- <registry-url | dump.json>`: regenerates the index embedded in mcpm
// (src/registry/embedded-index.jsonl, and its search index embedded-search.jsonl.gz) from any v0.1 registry or a dump in the v0.1 list envelope.
//
// Each server gets its latest active version that passes the server.json schema mcpm ships (2025-12-11). Two
// spellings of "absent" that real entries use are read as absent first (`"repository": {}`, `"$schema": ""`);
// anything else invalid is skipped and counted, never shipped. The hand-checked entries of scripts/index/curated.json
// (each version verified with `npm view`) are merged in: a curated entry wins unless the source has a higher version,
// and their names are the "well-known" ones that look-alike warnings compare against.
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import semver from 'semver';

const OFFICIAL = 'io.modelcontextprotocol.registry/official';
const root = new URL('..', import.meta.url);
// --out <dir>: write the two files there instead of src/registry/ (the test does, to leave the shipped index alone).
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const outDir = outAt >= 0 ? new URL(`${args.splice(outAt, 2)[1].replace(/\/+$/, '')}/`, `file://${process.cwd()}/`) : new URL('src/registry/', root);
const source = args[0];
if (!source) {
  console.error('usage: npm run index:refresh -- <registry-url | dump.json> [--out <dir>]');
  process.exit(2);
}

const listing = /^https?:\/\//.test(source) ? await fetchAll(source) : JSON.parse(readFileSync(source, 'utf8')).servers;
if (!Array.isArray(listing)) throw new Error(`${source} is not in the v0.1 list envelope ({ "servers": [...] })`);
const curated = JSON.parse(readFileSync(new URL('scripts/index/curated.json', root), 'utf8')).servers;

const ajv = new Ajv({ allErrors: false, strict: false });
addFormats(ajv);
const valid = ajv.compile(JSON.parse(readFileSync(new URL('src/registry/server.schema.json', root), 'utf8')));

const counts = { versions: listing.length, notActive: 0, invalid: 0, serversWithoutValidVersion: 0, olderVersionUsed: 0 };
const byName = new Map();
for (const raw of listing) {
  const meta = raw?._meta?.[OFFICIAL] ?? {};
  if ((meta.status ?? 'active') !== 'active') {
    counts.notActive++;
    continue;
  }
  const server = normalize(raw.server);
  const name = typeof server?.name === 'string' ? server.name : undefined;
  if (!name) {
    counts.invalid++;
    continue;
  }
  const list = byName.get(name) ?? [];
  list.push({ entry: { server, _meta: raw._meta }, ok: valid(server), isLatest: meta.isLatest === true });
  byName.set(name, list);
}

const chosen = new Map();
for (const [name, list] of byName) {
  counts.invalid += list.filter((c) => !c.ok).length;
  const usable = list.filter((c) => c.ok);
  if (usable.length === 0) {
    counts.serversWithoutValidVersion++;
    continue;
  }
  const pick = usable.find((c) => c.isLatest) ?? newest(usable);
  if (!pick.isLatest) counts.olderVersionUsed++;
  chosen.set(name, markLatest(pick.entry));
}
let curatedUsed = 0;
for (const entry of curated) {
  if (!valid(entry.server)) throw new Error(`curated entry ${entry.server.name} fails the schema: ${ajv.errorsText(valid.errors)}`);
  const upstream = chosen.get(entry.server.name);
  if (upstream && higher(upstream.server.version, entry.server.version)) continue;
  chosen.set(entry.server.name, markLatest(entry));
  curatedUsed++;
}

const servers = [...chosen.values()].sort((a, b) => (a.server.name < b.server.name ? -1 : 1));
const generatedAt = new Date().toISOString();
// What date the data is of: the newest change the source lists (never later than now), not when this script ran.
const stamps = listing.map((raw) => Date.parse(raw?._meta?.[OFFICIAL]?.updatedAt ?? raw?._meta?.[OFFICIAL]?.publishedAt ?? '')).filter((ms) => ms <= Date.now());
const asOf = stamps.length > 0 ? new Date(Math.max(...stamps)).toISOString() : generatedAt;
const snapshot = {
  servers,
  metadata: {
    count: servers.length,
    generatedAt,
    asOf,
    source: /^https?:\/\//.test(source) ? source : source.split('/').pop(),
    wellKnown: curated.map((e) => e.server.name),
  },
};
// One line of metadata, then one server per line, sorted by name: `install` and `info` parse only the line of the
// server they name. Not gzipped: unzipping and parsing the whole snapshot cost every offline install some 25 ms (the
// npm tarball compresses it anyway).
const json = `${[JSON.stringify(snapshot.metadata), ...servers.map((entry) => JSON.stringify(entry))].join('\n')}\n`;
writeFileSync(new URL('embedded-index.jsonl', outDir), json);
// The search index beside it, in the shape of a registry cache's index.jsonl (see IndexRow in src/registry/cache.ts):
// `mcpm search` reads this small file and parses only the lines containing the query, never the whole snapshot.
const header = { formatVersion: 1, servers: servers.length, generatedAt, asOf, source: snapshot.metadata.source, wellKnown: snapshot.metadata.wellKnown };
const rows = servers.map(({ server }) => JSON.stringify([
  server.name,
  server.title ?? '',
  server.description ?? '',
  server.version,
  'active',
  (server.packages ?? []).map((p) => [String(p.registryType ?? 'unknown'), String(p.identifier ?? '')]),
  (server.remotes ?? []).map((r) => String(r.type ?? 'unknown')),
]));
const searchGz = gzipSync(`${JSON.stringify(header)}\n${rows.join('\n')}\n`, { level: 9 });
writeFileSync(new URL('embedded-search.jsonl.gz', outDir), searchGz);
console.log(
  `${servers.length} servers (${curatedUsed} from curated.json) from ${counts.versions} versions: ` +
    `${counts.invalid} invalid versions skipped, ${counts.notActive} not active, ${counts.serversWithoutValidVersion} servers without a valid version left out, ` +
    `${counts.olderVersionUsed} servers whose latest is invalid shipped at their newest valid version; ` +
    `${(json.length / 1024).toFixed(0)} KB of JSON lines -> ${new URL('embedded-index.jsonl', outDir).pathname}; ` +
    `search index ${(searchGz.length / 1024).toFixed(0)} KB gzipped`,
);

/** `"repository": {}` and `"$schema": ""` say "none" in real entries; read them so before validating. */
function normalize(server) {
  if (!server || typeof server !== 'object') return server;
  const copy = { ...server };
  if (copy.repository && typeof copy.repository === 'object' && Object.keys(copy.repository).length === 0) delete copy.repository;
  if (copy.$schema === '') delete copy.$schema;
  return copy;
}

function markLatest(entry) {
  const meta = entry._meta?.[OFFICIAL] ?? {};
  return { ...entry, _meta: { ...entry._meta, [OFFICIAL]: { ...meta, status: 'active', isLatest: true } } };
}

function newest(candidates) {
  return candidates.reduce((a, b) => (higher(b.entry.server.version, a.entry.server.version) ? b : a));
}

function higher(a, b) {
  const [va, vb] = [semver.valid(a), semver.valid(b)];
  return va && vb ? semver.gt(va, vb) : false;
}

/** Every page of a v0.1 registry's listing (active versions only: deleted ones are not shipped anyway). */
async function fetchAll(base) {
  const all = [];
  let cursor;
  for (let page = 0; page < 10_000; page++) {
    const url = new URL(`${base.replace(/\/+$/, '')}/v0.1/servers`);
    url.searchParams.set('limit', '100');
    if (cursor) url.searchParams.set('cursor', cursor);
    const response = await fetch(url, { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
    const body = await response.json();
    all.push(...(body.servers ?? []));
    cursor = body.metadata?.nextCursor;
    if (!cursor) return all;
  }
  throw new Error(`${base} kept paging past 10,000 pages`);
}
