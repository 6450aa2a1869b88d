// The registry rows of `npm run bench` (alone: BENCH_ONLY=registry): `mcpm registry serve` over a folder of 100,000
// server versions (20,000 servers x 5 versions, one server.json file each), loaded by autocannon on loopback for a
// bounded time with a bounded number of connections, and `mcpm registry build` of the same folder into a static site.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';

const SERVERS = 20_000;
const VERSIONS = 5;
const DURATION = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const CONNECTIONS = 10;

/** Writes the folder: <dir>/io.github.userN/tool-N/<version>.json, as publish and mirror lay it out. */
function writeFolder(dir) {
  const stamp = new Date(Date.UTC(2025, 0, 1)).toISOString();
  for (let i = 0; i < SERVERS; i++) {
    const name = `io.github.user${i}/tool-${i}`;
    const folder = path.join(dir, ...name.split('/'));
    mkdirSync(folder, { recursive: true });
    for (let v = 0; v < VERSIONS; v++) {
      const version = `1.${v}.0`;
      const server = {
        $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
        name, description: `Tool number ${i} of the benchmark, version ${version}`, version,
        repository: { url: `https://github.com/user${i}/tool`, source: 'github' },
        packages: [{ registryType: 'npm', identifier: `@user${i}/tool`, version, transport: { type: 'stdio' } }],
      };
      writeFileSync(path.join(folder, `${version}.json`), JSON.stringify({ server, _meta: { 'io.modelcontextprotocol.registry/official': { status: 'active', publishedAt: stamp, updatedAt: stamp } } }));
    }
  }
}

function serve(bin, env, dir) {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [bin, 'registry', 'serve', dir, '--port', '0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
      const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (match) resolve({ url: match[1], loadMs: Number(process.hrtime.bigint() - started) / 1e6, stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => reject(new Error(`registry serve exited ${code}: ${stderr}`)));
  });
}

function load(url, requests) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: DURATION, requests }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

function sizeOf(dir) {
  let bytes = 0;
  let files = 0;
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        files++;
        bytes += statSync(full).size;
      }
    }
  };
  walk(dir);
  return { bytes, files };
}

/** Returns rows: [what, result text, goal]. */
export async function benchRegistry({ bin, env, home }) {
  const rows = [];
  const dir = path.join(home, 'registry-100k');
  const started = Date.now();
  writeFolder(dir);
  console.error(`wrote ${SERVERS * VERSIONS} server.json files in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const served = await serve(bin, env, dir);
  rows.push([`mcpm registry serve: start over a folder of ${(SERVERS * VERSIONS).toLocaleString('en-US')} versions (${SERVERS.toLocaleString('en-US')} servers)`, `${(served.loadMs / 1000).toFixed(2)} s (once)`, '']);
  try {
    // Cursors of pages spread over the listing, gathered by paging once (a client follows them the same way).
    const cursors = [];
    let cursor;
    for (let page = 0; page < 200; page++) {
      const body = await (await fetch(`${served.url}/v0.1/servers?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json();
      cursor = body.metadata.nextCursor;
      if (!cursor) break;
      if (page % 4 === 0) cursors.push(cursor);
    }
    const pick = (list) => list[Math.floor(Math.random() * list.length)];
    const lists = await load(served.url, [{ setupRequest: (req) => ({ ...req, path: `/v0.1/servers?limit=100&cursor=${encodeURIComponent(pick(cursors))}` }) }]);
    const latest = await load(served.url, [{ setupRequest: (req) => {
      const i = Math.floor(Math.random() * SERVERS);
      return { ...req, path: `/v0.1/servers/${encodeURIComponent(`io.github.user${i}/tool-${i}`)}/versions/latest` };
    } }]);
    for (const [what, r] of [['list pages of 100 (random cursors)', lists], ['latest-version lookups (random servers)', latest]]) {
      const failed = r.errors + r.timeouts + r.non2xx;
      rows.push([`mcpm registry serve, ${what}: requests per second, ${CONNECTIONS} connections for ${DURATION} s on loopback`, `${Math.round(r.requests.average).toLocaleString('en-US')} req/s (p50 latency ${r.latency.p50} ms, p99 ${r.latency.p99} ms${failed ? `, ${failed} failed` : ''})`, '']);
    }
  } finally {
    served.stop();
  }

  const site = path.join(home, 'site-100k');
  const buildStart = process.hrtime.bigint();
  const build = spawnSync(process.execPath, [bin, 'registry', 'build', dir, '--out', site, '--json'], { env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (build.status !== 0) throw new Error(`registry build failed: ${build.stdout}${build.stderr}`);
  const buildMs = Number(process.hrtime.bigint() - buildStart) / 1e6;
  const { bytes, files } = sizeOf(site);
  rows.push([`mcpm registry build of the same folder into a static site`, `${(buildMs / 1000).toFixed(2)} s (once); ${files.toLocaleString('en-US')} files, ${(bytes / 1048576).toFixed(0)} MiB (listing ${(statSync(path.join(site, 'v0.1', 'servers', 'index.html')).size / 1048576).toFixed(0)} MiB)`, '']);
  return rows;
}
