import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { readManifest, type BundleManifest } from '../plan/mcpb.js';
import { INSTALL_RECORD, versionDir } from './layout.js';
import { createStaging } from './staging.js';
import { extractZip, readZipEntry } from './zip.js';

const MAX_BUNDLE_BYTES = 1024 ** 3;

/**
 * MCP Bundles (.mcpb): a zip downloaded from the registry entry's URL, accepted only when its SHA-256 equals the
 * entry's `fileSha256` (an entry without one is refused before anything is downloaded), kept in mcpm's cache under
 * that hash, and unpacked into the store through a staging folder and a rename, like npm packages.
 */
export async function fetchBundle(ctx: Context, url: string, sha256: string | undefined): Promise<string> {
  if (!sha256) {
    throw new McpmError('EINTEGRITY', `The registry entry gives no fileSha256 for ${url}, so the bundle cannot be verified`, {
      hint: 'mcpm installs MCP bundles only with a checksum; ask the server\'s author to publish fileSha256, or choose another package type.',
    });
  }
  const expected = sha256.toLowerCase();
  if (!/^[a-f0-9]{64}$/.test(expected)) {
    throw new McpmError('EINTEGRITY', `The registry entry's fileSha256 for ${url} is not a SHA-256 hex digest`, { hint: 'The registry entry is malformed; try another version.' });
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = new URL('invalid:');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new McpmError('EPACKAGE', `Refusing to download the bundle from ${JSON.stringify(url.slice(0, 200))}: only http(s) URLs are fetched`, { hint: 'The registry entry is malformed.' });
  }
  const folder = path.join(ctx.paths.cache, 'mcpb');
  const cached = path.join(folder, `${expected}.mcpb`);
  if (existsSync(cached) && (await hashFile(cached)) === expected) return cached;

  await mkdir(folder, { recursive: true });
  const partial = path.join(folder, `.${expected}-${randomBytes(4).toString('hex')}.part`);
  try {
    ctx.out.progress(`Downloading ${url}`);
    const actual = await download(url, ctx.timeoutMs, partial, (bytes, total) => ctx.out.progress(`Downloading ${path.basename(new URL(url).pathname)}: ${mib(bytes)}${total ? ` of ${mib(total)}` : ''}`));
    if (actual !== expected) {
      throw new McpmError('EINTEGRITY', `The bundle downloaded from ${url} does not match the registry's fileSha256 (got ${actual.slice(0, 12)}…, expected ${expected.slice(0, 12)}…)`, {
        hint: 'Nothing was installed. The download or the bundle may have been tampered with; try again later or report it.',
      });
    }
    await rename(partial, cached);
    return cached;
  } finally {
    await rm(partial, { force: true }).catch(() => undefined);
  }
}

/**
 * GET into `file`, returning the SHA-256 of what arrived. The deadline restarts whenever data arrives, so a slow
 * but moving download is not cut off.
 */
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

async function download(url: string, idleMs: number, file: string, onProgress: (bytes: number, total?: number) => void): Promise<string> {
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), idleMs);
  const origin = new URL(url).origin;
  try {
    const response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    if (!response.ok) {
      throw new McpmError('ENETWORK', `Downloading the bundle from ${origin} failed: HTTP ${response.status}`, { hint: 'The bundle may have been moved or removed; try another version.' });
    }
    if (Number(response.headers.get('content-length')) > MAX_BUNDLE_BYTES) throw tooLarge();
    const hash = createHash('sha256');
    const out = await open(file, 'w');
    try {
      let size = 0;
      for await (const chunk of (response.body ?? []) as AsyncIterable<Uint8Array>) {
        clearTimeout(timer);
        timer = setTimeout(() => controller.abort(), idleMs);
        size += chunk.byteLength;
        onProgress(size, Number(response.headers.get('content-length')) || undefined);
        if (size > MAX_BUNDLE_BYTES) throw tooLarge();
        hash.update(chunk);
        await out.write(chunk);
      }
    } finally {
      await out.close();
    }
    return hash.digest('hex');
  } catch (error) {
    if (error instanceof McpmError) throw error;
    const reason = controller.signal.aborted ? `no data for ${idleMs} ms` : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
    throw new McpmError('ENETWORK', `Downloading the bundle from ${origin} failed (${reason})`, { hint: 'Check your network (or raise --timeout) and try again.', cause: error });
  } finally {
    clearTimeout(timer);
  }
}

function tooLarge(): McpmError {
  return new McpmError('EPACKAGE', `The bundle is larger than ${MAX_BUNDLE_BYTES / 1024 ** 2} MiB`, { hint: 'Refusing to download it.' });
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function readBundleManifest(file: string): Promise<BundleManifest> {
  const text = await readZipEntry(file, 'manifest.json');
  if (text === undefined) throw new McpmError('EPACKAGE', 'The bundle has no manifest.json at its root', { hint: 'It is not an MCP bundle; try another version.' });
  return readManifest(text.toString('utf8'));
}

/** Unpacks a verified bundle into `<store>/<namespace>/<name>/<version>/`, whole or not at all. */
export async function installBundle(ctx: Context, request: { serverName: string; version: string; file: string; sha256: string; url: string }): Promise<{ storePath: string; added: boolean }> {
  const target = versionDir(ctx.paths.store, request.serverName, request.version);
  const recordFile = path.join(target, INSTALL_RECORD);
  if (existsSync(recordFile)) {
    const record = JSON.parse(await readFile(recordFile, 'utf8')) as { sha256?: string };
    if (record.sha256 === request.sha256.toLowerCase()) return { storePath: target, added: false };
    throw new McpmError('EINTEGRITY', `The store already holds ${request.serverName}@${request.version} from a different bundle`, {
      hint: 'The registry changed the bundle of a published version. Run `mcpm uninstall` first if you trust the new one.',
    });
  }
  const { dir: staging, done } = await createStaging(ctx.paths.store);
  try {
    ctx.out.progress(`Unpacking ${path.basename(request.url)}`);
    await extractZip(request.file, staging);
    const record = { registryType: 'mcpb', identifier: request.url, sha256: request.sha256.toLowerCase(), installedAt: new Date(ctx.now()).toISOString() };
    await writeFile(path.join(staging, INSTALL_RECORD), `${JSON.stringify(record, null, 2)}\n`);
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await rename(staging, target);
    } catch (error) {
      // Another mcpm finished the same version first: theirs is whole, use it.
      if (!existsSync(recordFile)) throw error;
      return { storePath: target, added: false };
    }
    return { storePath: target, added: true };
  } finally {
    await done();
  }
}
