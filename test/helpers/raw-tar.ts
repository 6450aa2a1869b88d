// Hand-made tar archives for hostile-package tests. The `tar` package sanitises what it writes (no `..`, no absolute
// paths), so hostile entries are encoded here byte by byte: ustar headers, pax headers, any type and link target.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { PackedPackage } from './pack.js';

export interface TarEntry {
  path: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink' | 'fifo' | 'chardev';
  body?: Buffer | string;
  /** A file of this many zero bytes (body ignored): a huge file that compresses to almost nothing. */
  zeros?: number;
  linkpath?: string;
  mode?: number;
  /** Extra pax records for this entry (e.g. { path: '../x' } overriding the header's path). */
  pax?: Record<string, string>;
}

const TYPE_FLAG = { file: '0', hardlink: '1', symlink: '2', chardev: '3', dir: '5', fifo: '6' } as const;
const MTIME = Math.floor(Date.UTC(1985, 9, 26, 8, 15) / 1000);

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(path: string, type: string, size: number, options: { linkpath?: string; mode?: number }): Buffer {
  const block = Buffer.alloc(512);
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    // ustar: split at a slash into prefix (155) + name (100); the caller uses pax for anything longer.
    const cut = name.lastIndexOf('/', name.length - 1 - 0);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
  }
  block.write(name, 0, 100, 'utf8');
  block.write(octal(options.mode ?? (type === '5' ? 0o755 : 0o644), 8), 100, 8, 'ascii');
  block.write(octal(0, 8), 108, 8, 'ascii');
  block.write(octal(0, 8), 116, 8, 'ascii');
  block.write(octal(size, 12), 124, 12, 'ascii');
  block.write(octal(MTIME, 12), 136, 12, 'ascii');
  block.write('        ', 148, 8, 'ascii');
  block.write(type, 156, 1, 'ascii');
  if (options.linkpath) block.write(options.linkpath, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'ascii');
  block.write('root', 265, 32, 'ascii');
  block.write('root', 297, 32, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return block;
}

function padded(body: Buffer): Buffer[] {
  const rest = body.length % 512;
  return rest === 0 ? [body] : [body, Buffer.alloc(512 - rest)];
}

function paxBody(records: Record<string, string>): Buffer {
  const lines = Object.entries(records).map(([key, value]) => {
    const text = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(text) + 1;
    while (String(length).length + Buffer.byteLength(text) !== length) length = String(length).length + Buffer.byteLength(text);
    return `${length}${text}`;
  });
  return Buffer.from(lines.join(''), 'utf8');
}

/** An uncompressed tar archive of exactly these entries, in order. */
export function rawTar(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const type = TYPE_FLAG[entry.type ?? 'file'];
    if (entry.pax) {
      const body = paxBody(entry.pax);
      blocks.push(header('PaxHeader', 'x', body.length, {}), ...padded(body));
    }
    if (entry.zeros !== undefined) {
      blocks.push(header(entry.path, type, entry.zeros, entry));
      blocks.push(Buffer.alloc(Math.ceil(entry.zeros / 512) * 512));
      continue;
    }
    const body = type === '0' ? Buffer.from(entry.body ?? '') : Buffer.alloc(0);
    blocks.push(header(entry.path, type, body.length, entry), ...padded(body));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** A package an npm registry can serve: package/package.json from `manifest`, then the given entries. */
export function packRaw(manifest: Record<string, unknown> & { name: string; version: string }, entries: TarEntry[]): PackedPackage {
  const tarball = gzipSync(rawTar([{ path: 'package/package.json', body: `${JSON.stringify(manifest, null, 2)}\n` }, ...entries]), { level: 1 });
  return {
    name: manifest.name,
    version: manifest.version,
    manifest,
    tarball,
    integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
    shasum: createHash('sha1').update(tarball).digest('hex'),
  };
}
