import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SupplyRecord } from '../supply/record.js';
import type { FileEntry } from './cas.js';
import { INSTALL_RECORD } from './layout.js';

/**
 * `mcpm-install.json` of an npm store version: what was installed there. Written last, before the folder is renamed
 * into place, so a version folder that has it is whole.
 */
export interface NpmInstallRecord {
  identifier: string;
  version: string;
  integrity?: string;
  resolved?: string;
  /** The bin the entries start, relative to the folder. */
  bin: string;
  installedAt: string;
  /** 'cas': the package files are hard links into the content store, as `packages` says. Absent: mcpm before the store (plain files). */
  layout?: 'cas';
  /** The content store's key of the tree this version was installed from (see tree.ts). */
  tree?: string;
  /** Location (node_modules/...) -> the integrity of the package unpacked there. */
  packages?: Record<string, string>;
  /** The files mcpm wrote itself (package.json, package-lock.json), by path. */
  own?: Record<string, FileEntry>;
  /** With --allow-scripts: packages laid out as writable copies for their scripts, and their files after the scripts ran. */
  scripted?: Record<string, Record<string, FileEntry>>;
  /** false: the packages' source maps and type declarations were left out (see dev-files.ts). */
  devFiles?: false;
  /** Packages of a migrated version whose tarball was not at hand: their files stayed as they were. */
  unindexed?: string[];
  scripts?: boolean;
  /** Signatures, provenance and publish time, as checked when the version came (src/supply/verify.ts). */
  supply?: SupplyRecord;
}

export async function readRecord(dir: string): Promise<NpmInstallRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(path.join(dir, INSTALL_RECORD), 'utf8')) as NpmInstallRecord;
    return record && typeof record === 'object' ? record : undefined;
  } catch {
    return undefined;
  }
}
