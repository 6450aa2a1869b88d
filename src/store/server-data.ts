import { copyFile, lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { installedFiles, userFiles, type UserFile } from './contents.js';

/**
 * What a server wrote into its own store version folder (a memory graph, a cache, its settings) is the user's data,
 * not mcpm's: contents.ts tells it apart from what mcpm installed there. This file is the one place that decides
 * what happens to it when a version folder changes hands:
 * - moving to another version (update, rollback, install of another version) carries it into the new folder;
 * - removing a version folder (prune, uninstall) keeps it in mcpm's data folder, `kept/<namespace>/<name>/<version>`,
 *   unless the user asked for --purge.
 * Version folders whose contents mcpm cannot tell (pypi, mcpb, versions installed before the content store) are
 * left to the old rule: the folder is the server's, and nothing is carried.
 */

/** The marker a kept folder carries, so doctor can list kept data with what it came from. */
const KEPT_MARKER = '.mcpm-kept.json';

export interface KeptData {
  /** The folder the files were copied to. */
  folder: string;
  server: string;
  version: string;
  files: string[];
  keptAt: string;
}

export interface CarriedData {
  files: string[];
  /** Files the server changed among mcpm's own files: the new version keeps its own, the old copy is kept aside. */
  kept?: KeptData;
}

/**
 * Copies what a server wrote into `from` into the same places in `to`. A file of the new version that mcpm
 * installed there is never overwritten (the server's changed copy of an installed file is kept aside instead); a
 * data file `to` already holds (from before an update, say) is replaced by the newer one from `from`.
 */
export async function carryServerData(from: string, to: string, where: { keptRoot: string; store: string; server: string; version: string; now: number }): Promise<CarriedData> {
  if (path.resolve(from) === path.resolve(to)) return { files: [] };
  const written = await userFiles(from);
  if (!written || written.length === 0) return { files: [] };
  const target = new Set((await installedFiles(to))?.map((f) => f.path) ?? []);
  const carried: string[] = [];
  const aside: UserFile[] = [];
  for (const file of written) {
    if (target.has(file.path) || file.reason === 'changed') {
      aside.push(file);
      continue;
    }
    const dest = path.join(to, ...file.path.split('/'));
    await mkdir(path.dirname(dest), { recursive: true });
    await rm(dest, { force: true });
    await copyFile(path.join(from, ...file.path.split('/')), dest);
    carried.push(file.path);
  }
  const kept = aside.length ? await keepFiles(from, aside, where) : undefined;
  return { files: carried, ...(kept ? { kept } : {}) };
}

/** Before a version folder is deleted: copies what the server wrote there into the kept folder. */
export async function keepServerData(versionFolder: string, where: { keptRoot: string; store: string; server: string; version: string; now: number }): Promise<KeptData | undefined> {
  const written = await userFiles(versionFolder);
  if (!written || written.length === 0) return undefined;
  return keepFiles(versionFolder, written, where);
}

async function keepFiles(versionFolder: string, files: UserFile[], where: { keptRoot: string; store: string; server: string; version: string; now: number }): Promise<KeptData> {
  const folder = path.join(where.keptRoot, path.relative(where.store, versionFolder));
  for (const file of files) {
    const dest = path.join(folder, ...file.path.split('/'));
    await mkdir(path.dirname(dest), { recursive: true });
    await copyFile(path.join(versionFolder, ...file.path.split('/')), dest);
  }
  const kept: KeptData = { folder, server: where.server, version: where.version, files: files.map((f) => f.path), keptAt: new Date(where.now).toISOString() };
  await writeFile(path.join(folder, KEPT_MARKER), `${JSON.stringify(kept, null, 2)}\n`);
  return kept;
}

/** Every kept folder under the kept root, with what it came from (doctor lists them). */
export async function listKeptData(keptRoot: string): Promise<KeptData[]> {
  const out: KeptData[] = [];
  const walk = async (dir: string, depth: number) => {
    const names = await readdir(dir).catch(() => [] as string[]);
    if (names.includes(KEPT_MARKER)) {
      try {
        out.push({ ...(JSON.parse(await readFile(path.join(dir, KEPT_MARKER), 'utf8')) as KeptData), folder: dir });
      } catch {
        // A marker that does not parse: the folder is still the user's; doctor cannot say more about it.
      }
      return;
    }
    // <namespace>/<name>/<version>: a marker is at most three levels down (names may nest one more level).
    if (depth >= 4) return;
    for (const name of names) {
      const child = path.join(dir, name);
      if ((await lstat(child).catch(() => undefined))?.isDirectory()) await walk(child, depth + 1);
    }
  };
  await walk(keptRoot, 0);
  return out.sort((a, b) => (a.folder < b.folder ? -1 : 1));
}

/** `--purge`: the kept data of one server (every version), gone. */
export async function purgeKeptData(keptRoot: string, server: string): Promise<string[]> {
  const removed: string[] = [];
  for (const kept of await listKeptData(keptRoot)) {
    if (kept.server !== server) continue;
    await rm(kept.folder, { recursive: true, force: true });
    removed.push(kept.folder);
  }
  return removed;
}

/** Where the data servers wrote in removed versions went (prune and uninstall say it the same way). */
export function keptLines(kept: KeptData[] | undefined): string[] {
  return (kept ?? []).map((k) => `Kept ${k.files.length} file${k.files.length === 1 ? '' : 's'} ${k.server} ${k.version} wrote beside itself in ${k.folder} (yours: delete that folder when you no longer need it)`);
}
