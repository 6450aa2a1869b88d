import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256, type FileEntry } from './cas.js';

/**
 * With --allow-scripts, packages that have install scripts are laid out as real, writable copies (a script that
 * builds into its folder must not write through a link into files other versions share), and what is in their
 * folders once the scripts ran is what mcpm installed there. Nested packages at their own locations are not theirs.
 */
export async function scriptedFiles(root: string, scripted: string[], locations: string[]): Promise<Record<string, Record<string, FileEntry>>> {
  const out: Record<string, Record<string, FileEntry>> = {};
  const others = new Set(locations);
  for (const location of scripted) {
    const files: Record<string, FileEntry> = {};
    const walk = async (relative: string) => {
      const dir = path.join(root, ...location.split('/'), ...(relative ? relative.split('/') : []));
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        const rel = relative ? `${relative}/${name}` : name;
        if (others.has(`${location}/${rel}`)) continue;
        const full = path.join(dir, name);
        const info = await lstat(full);
        if (info.isDirectory()) await walk(rel);
        else if (info.isFile()) {
          const data = await readFile(full);
          files[rel] = { h: sha256(data), s: data.length, ...((info.mode & 0o111) !== 0 ? { x: 1 as const } : {}) };
        }
      }
    };
    await walk('');
    out[location] = files;
  }
  return out;
}
