import path from 'node:path';
import { imageString, parseImage, type ImageRef } from './oci.js';
import type { PreparedSource } from './prepared-source.js';
import type { SupplyRecord } from '../supply/record.js';

/** From a lock file: an npm package's integrity and its whole dependency tree, to install exactly. */
export interface LockedTree {
  integrity?: string;
  /** The `packages` of the store version's package-lock.json, without the root. */
  packages?: Record<string, unknown>;
  /** Signatures and provenance as the lock recorded them: installing refuses when they are weaker now. */
  supply?: SupplyRecord;
  /**
   * The lock is mcpm's own (the state's), not a project file anyone can edit: its supply record may stand in for a
   * check when nothing is downloaded. A project lock's record is only compared with what the registry says.
   */
  ownRecord?: boolean;
}

/**
 * "Put this package version in the store", as a plain value: what an install's store step does, for every
 * package type (store/put.ts carries it out). A remote server puts nothing in the store.
 */
export type StoreAction =
  | { kind: 'npm'; server: string; identifier: string; version: string; registryBaseUrl?: string; lock?: LockedTree; allowScripts: boolean; engineStrict: boolean; repositoryUrl?: string }
  | { kind: 'pypi'; server: string; identifier: string; version: string; uvx: string }
  | { kind: 'oci'; server: string; engine: string; image: ImageRef }
  | { kind: 'nuget'; server: string }
  | { kind: 'mcpb'; server: string; version: string; file: string; sha256: string; url: string }
  | { kind: 'none' };

/** What the store step reports back: where the version is and what the entries need to start it. */
export interface StoredPackage {
  /** True when this install created the store folder (removed again if a later step fails). */
  added: boolean;
  /** The store version folder (npm, pypi's uv cache, a bundle's files); none for oci, nuget and remotes. */
  storePath?: string;
  /** npm: the absolute path of the bin the entry starts. */
  bin?: string;
  /** npm: the package's integrity, as the registry gave it. */
  integrity?: string;
  /** npm: signatures, provenance and publish time (src/supply/). */
  supply?: SupplyRecord;
  /** pypi: the uv cache inside the store, and the package's console scripts. */
  cacheDir?: string;
  scripts?: string[];
  /** oci: the image pinned by digest (or by tag when the registry gave no digest). */
  image?: string;
}

export function storeAction(
  server: string,
  version: string,
  source: PreparedSource,
  options: { lock?: LockedTree; allowScripts: boolean; engineStrict: boolean; repositoryUrl?: string },
): StoreAction {
  switch (source.kind) {
    case 'remote':
      return { kind: 'none' };
    case 'npm': {
      const { identifier, registryBaseUrl } = source.pkg;
      return { kind: 'npm', server, identifier, version: source.pkg.version ?? version, ...(registryBaseUrl ? { registryBaseUrl } : {}), ...(options.lock ? { lock: options.lock } : {}), allowScripts: options.allowScripts, engineStrict: options.engineStrict, ...(options.repositoryUrl ? { repositoryUrl: options.repositoryUrl } : {}) };
    }
    case 'pypi':
      return { kind: 'pypi', server, identifier: source.pkg.identifier, version: source.pkg.version!, uvx: source.uvx };
    case 'oci':
      return { kind: 'oci', server, engine: source.engine, image: parseImage(source.pkg.identifier, source.pkg.version) };
    case 'nuget':
      return { kind: 'nuget', server };
    case 'mcpb':
      return { kind: 'mcpb', server, version: source.pkg.version!, file: source.bundle, sha256: source.pkg.fileSha256!, url: source.pkg.identifier };
  }
}

/**
 * What the store step will report, as far as it can be known before it runs: `--dry-run` renders entries with it
 * (the bin is named by the package's own package.json, pypi's scripts and an image's digest are learnt by fetching).
 */
export function previewStored(action: StoreAction, storeDir: string | undefined): StoredPackage {
  switch (action.kind) {
    case 'npm':
      return { added: false, storePath: storeDir, bin: path.join(storeDir ?? '', 'node_modules', ...action.identifier.split('/'), '<bin>') };
    case 'pypi':
      return { added: false, storePath: storeDir, cacheDir: path.join(storeDir ?? '', 'uv-cache'), scripts: [] };
    case 'oci':
      return { added: false, image: action.image.digest ? imageString(action.image) : `${imageString(action.image)}@<digest>` };
    case 'mcpb':
      return { added: false, storePath: storeDir };
    default:
      return { added: false };
  }
}
