import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { McpmError } from '../errors.js';
import { entryJson, meta, type ServedData, type ServedEntry } from './serve-data.js';

/**
 * `mcpm registry build <dir> --out <site>`: the read side of the v0.1 API as static files, for any static host, object
 * store or CDN. On a file system `v0.1/servers` cannot be a file and a folder at once, so a path that has paths below
 * it is a folder whose `index.html` holds the JSON: every static server maps `/v0.1/servers` to it by itself (with a
 * redirect to the trailing slash, which clients follow), so the URLs clients ask for are the API's own:
 *
 *   v0.1/servers/index.html                          the complete listing, deleted versions included, no nextCursor
 *   v0.1/servers/<namespace>/<name>/versions/index.html   the versions of one server, newest published first
 *   v0.1/servers/<namespace>/<name>/versions/<version>    one version (a plain file)
 *   v0.1/servers/<namespace>/<name>/versions/latest       its latest version
 *
 * A name's `/` arrives as `%2F`; hosts that decode it before mapping the path (python's http.server, nginx, Caddy)
 * find these files as they are; hosts that do not need one rewrite (`%2F` to `/`, documented in the README).
 * Query parameters are ignored by static hosts: clients filter (mcpm searches its cache; deleted versions carry
 * their status). `_headers` asks hosts that read it (Netlify, Cloudflare Pages) to say application/json.
 * The site is built beside the target and swapped in, so a host never serves half a build.
 */
export interface BuildSummary {
  out: string;
  servers: number;
  versions: number;
  files: number;
  bytes: number;
  skipped: string[];
}

const PARALLEL = 64;

export async function buildStaticSite(data: ServedData, out: string): Promise<BuildSummary> {
  const staging = `${out}.building-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  const writes: Array<[string, string]> = [];
  const skipped: string[] = [];
  const list = (entries: ServedEntry[]) => `{"servers":[${entries.map(entryJson).join(',')}],"metadata":{"count":${entries.length}}}`;
  writes.push([path.join('v0.1', 'servers', 'index.html'), list(data.entries)]);
  writes.push(['_headers', '/v0.1/*\n  Content-Type: application/json\n  Access-Control-Allow-Origin: *\n']);

  const byName = new Map<string, ServedEntry[]>();
  for (const entry of data.entries) byName.set(entry.server.name, [...(byName.get(entry.server.name) ?? []), entry]);
  for (const [name, all] of byName) {
    const live = all.filter((e) => meta(e).status !== 'deleted');
    if (live.length === 0) continue; // like the API without include_deleted: a deleted server is not found
    const folder = path.join('v0.1', 'servers', ...name.split('/'), 'versions');
    const newestFirst = [...live].sort((a, b) => meta(b).publishedAt.localeCompare(meta(a).publishedAt));
    writes.push([path.join(folder, 'index.html'), list(newestFirst)]);
    for (const entry of live) {
      const version = entry.server.version;
      // These names are taken by the folder's own files.
      if (version === 'latest' || version === 'index.html') {
        skipped.push(`${name}@${version}: a version cannot be named "${version}" in a static site`);
        continue;
      }
      writes.push([path.join(folder, version), entryJson(entry)]);
    }
    const latest = live.find((e) => meta(e).isLatest);
    if (latest) writes.push([path.join(folder, 'latest'), entryJson(latest)]);
  }

  let bytes = 0;
  try {
    const folders = new Set(writes.map(([file]) => path.dirname(path.join(staging, file))));
    const sorted = [...folders].sort();
    for (let i = 0; i < sorted.length; i += PARALLEL) await Promise.all(sorted.slice(i, i + PARALLEL).map((folder) => mkdir(folder, { recursive: true })));
    for (let i = 0; i < writes.length; i += PARALLEL) {
      await Promise.all(writes.slice(i, i + PARALLEL).map(async ([file, text]) => {
        bytes += Buffer.byteLength(text);
        await writeFile(path.join(staging, file), text);
      }));
    }
    // Swap: the previous site (if any) stays whole until the new one is complete.
    const previous = `${out}.previous-${process.pid}`;
    const hadPrevious = await rename(out, previous).then(() => true, (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    });
    await rename(staging, out);
    if (hadPrevious) await rm(previous, { recursive: true, force: true });
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw new McpmError('EFS', `Cannot write the site into ${out} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {
      hint: 'Check the disk space and that the folder above it is writable.',
      cause: error,
    });
  }
  return { out, servers: data.servers, versions: data.entries.length, files: writes.length, bytes, skipped };
}
