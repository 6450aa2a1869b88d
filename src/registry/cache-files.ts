import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { McpmError } from '../errors.js';

/**
 * Cache files are written to a temporary file and renamed into place, so a reader sees the old file or the new
 * one. Unlike settings and state they are not fsynced: after a crash the worst case is a cache file that does not
 * parse, which mcpm treats as no cache and rebuilds from the registry; skipping the fsyncs keeps a full sync of
 * hundreds of files fast.
 */
export async function writeCacheFile(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(temp, text);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new McpmError('EFS', `Cannot write the cache file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'Check the disk space and the permissions of mcpm\'s cache folder, or run `mcpm cache clean`.',
      cause: error,
    });
  }
}
