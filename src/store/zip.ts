import { createWriteStream } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { McpmError } from '../errors.js';

/**
 * Reading and unpacking zip files (.mcpb bundles) with yauzl. A bundle comes from the network, so every entry's
 * name is checked before anything is written: no absolute paths, no `..`, no backslashes or drive letters, no
 * symlinks (they could point anywhere once unpacked), no entry written twice; sizes and counts are bounded (a zip
 * bomb stops at the limit). Unix executable bits are kept: a binary bundle's server must stay executable.
 */
export interface ZipLimits {
  maxEntries: number;
  maxBytes: number;
}

const DEFAULT_LIMITS: ZipLimits = { maxEntries: 50_000, maxBytes: 2 * 1024 ** 3 };
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const UNIX = 3;

function refuse(reason: string): McpmError {
  return new McpmError('EPACKAGE', `Refusing the bundle: ${reason}`, { hint: 'The bundle is malformed or hostile; nothing was unpacked. Report it to the server\'s author.' });
}

async function open(file: string) {
  const { default: yauzl } = await import('yauzl');
  try {
    return await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, decodeStrings: true, strictFileNames: true, validateEntrySizes: true });
  } catch (error) {
    throw refuse(`it is not a readable zip file (${(error as Error).message})`);
  }
}

/** The entry's path relative to the bundle root, or a refusal. Directory entries end with "/". */
export function checkEntryName(name: string): string {
  if (name.includes('\0') || name.includes('\\')) throw refuse(`the entry ${JSON.stringify(name)} has a forbidden character`);
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw refuse(`the entry ${JSON.stringify(name)} is an absolute path`);
  if (name.split('/').some((part) => part === '..')) throw refuse(`the entry ${JSON.stringify(name)} points outside the bundle`);
  return name;
}

/** One file's content, or undefined when the zip has no such entry. */
export async function readZipEntry(file: string, wanted: string, maxBytes = 4 * 1024 * 1024): Promise<Buffer | undefined> {
  const zip = await open(file);
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName !== wanted) continue;
      if (entry.uncompressedSize > maxBytes) throw refuse(`${wanted} is larger than ${maxBytes} bytes`);
      const chunks: Buffer[] = [];
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    }
    return undefined;
  } catch (error) {
    throw error instanceof McpmError ? error : refuse((error as Error).message);
  } finally {
    zip.close();
  }
}

/** Unpacks every entry under `dest` (a fresh, empty folder). */
export async function extractZip(file: string, dest: string, limits: ZipLimits = DEFAULT_LIMITS): Promise<void> {
  const zip = await open(file);
  const root = path.resolve(dest);
  let entries = 0;
  let bytes = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      if (++entries > limits.maxEntries) throw refuse(`it has more than ${limits.maxEntries} entries`);
      const name = checkEntryName(entry.fileName);
      const mode = (entry.versionMadeBy >> 8) === UNIX ? (entry.externalFileAttributes >>> 16) & 0xffff : 0;
      if ((mode & S_IFMT) === S_IFLNK) throw refuse(`the entry ${JSON.stringify(name)} is a symbolic link`);
      const target = path.resolve(root, name);
      if (target !== root && !target.startsWith(root + path.sep)) throw refuse(`the entry ${JSON.stringify(name)} points outside the bundle`);
      if (name.endsWith('/')) {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(path.dirname(target), { recursive: true });
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          done(bytes > limits.maxBytes ? refuse(`it unpacks to more than ${Math.round(limits.maxBytes / 1024 ** 2)} MiB`) : null, chunk);
        },
      });
      // "wx": an entry that names a file already written is refused, not allowed to replace it.
      await pipeline(await zip.openReadStreamPromise(entry), counter, createWriteStream(target, { flags: 'wx', mode: 0o644 })).catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'EEXIST' ? refuse(`the entry ${JSON.stringify(name)} appears twice`) : error;
      });
      if (mode & 0o111) await chmod(target, 0o755);
    }
  } catch (error) {
    throw error instanceof McpmError ? error : refuse((error as Error).message);
  } finally {
    zip.close();
  }
}
