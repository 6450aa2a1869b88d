import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import satisfies from 'semver/functions/satisfies.js';
import validRange from 'semver/ranges/valid.js';
import { McpmError } from '../errors.js';
import { keyedJson } from './cas.js';
import { writeJsonAtomic } from '../fs/files.js';
import type { NpmOptions } from './npm-config.js';
import { newPackumentCache, prefetchPackuments } from './prefetch.js';
import type { SupplyRecord } from '../supply/record.js';

/** One package-lock.json `packages` entry, as far as installing it needs. */
export interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  inBundle?: boolean;
  link?: boolean;
  hasInstallScript?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  engines?: Record<string, string> | string[];
}

export type LockPackages = Record<string, LockEntry>;

/** A package of the tree that goes on disk, where it goes, and how to fetch it. */
export interface TreePackage {
  location: string;
  name: string;
  version: string;
  resolved: string;
  integrity: string;
  optional: boolean;
  hasInstallScript: boolean;
}

/** What the store remembers of an npm package version it installed: the tree, so a reinstall resolves nothing. */
export interface TreeRecord {
  key: string;
  identifier: string;
  version: string;
  integrity: string;
  packages: LockPackages;
  /** What the supply check found for this tree, so a reinstall from the record needs no network. */
  supply?: SupplyRecord;
}

/** The registry a package is fetched from decides what its name means: it is part of the key. */
export function treeKey(options: NpmOptions, identifier: string, version: string): string {
  const scope = identifier.startsWith('@') ? identifier.slice(0, identifier.indexOf('/')) : undefined;
  const registry = (scope && options[`${scope}:registry`]) || options.registry || 'https://registry.npmjs.org/';
  return `${String(registry).replace(/\/?$/, '/')}${identifier}@${version}`;
}

export async function readTreeRecord(store: string, key: string): Promise<TreeRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(keyedJson(store, 'trees', key), 'utf8')) as TreeRecord;
    return record.key === key && record.packages && typeof record.packages === 'object' ? record : undefined;
  } catch {
    return undefined;
  }
}

export const writeTreeRecord = (store: string, record: TreeRecord) => writeJsonAtomic(keyedJson(store, 'trees', record.key), record);

/**
 * A lock's tree is used as it is only when it is complete: every package that goes on disk has a registry URL and
 * an integrity. Otherwise the tree is resolved again (and the lock's integrity still checked).
 */
export function completeTree(packages: Record<string, unknown> | undefined, identifier: string): LockPackages | undefined {
  if (!packages || typeof packages !== 'object') return undefined;
  const tree = packages as LockPackages;
  if (!tree[`node_modules/${identifier}`]) return undefined;
  const complete = Object.values(tree).every((entry) => entry && typeof entry === 'object' && (entry.inBundle || entry.dev || (typeof entry.resolved === 'string' && typeof entry.integrity === 'string' && typeof entry.version === 'string')));
  return complete ? tree : undefined;
}

const SEGMENT = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9._~-]+$/i;

/**
 * The packages of a tree that go on disk here, as arborist's reify would choose them: dev-only packages omitted,
 * bundled ones left to the tarball that bundles them, optional ones for another platform or node left out. Every
 * location must be a plain `node_modules/<name>` path and every package a registry tarball with an integrity.
 */
export function selectPackages(tree: LockPackages, spec: string): TreePackage[] {
  const out: TreePackage[] = [];
  for (const [location, entry] of Object.entries(tree)) {
    if (location === '') continue;
    const names = location.split(/(?:^|\/)node_modules\//).slice(1);
    if (!location.startsWith('node_modules/') || names.length === 0 || names.some((n) => !SEGMENT.test(n) || n.split('/').some((p) => p === '.' || p === '..'))) {
      throw refusal(spec, `a dependency at ${JSON.stringify(location.slice(0, 120))}`);
    }
    if (entry.dev || entry.inBundle) continue;
    if (entry.link) throw refusal(spec, `${location}, a linked folder`);
    const optional = Boolean(entry.optional || entry.devOptional);
    if (optional && !fitsHere(entry)) continue;
    const { resolved, integrity, version } = entry;
    if (typeof resolved !== 'string' || !/^https?:\/\//i.test(resolved) || typeof integrity !== 'string' || typeof version !== 'string') {
      throw refusal(spec, `${location}${typeof resolved === 'string' ? ` (${resolved.slice(0, 120)})` : ''}, which is not a registry package with an integrity`);
    }
    out.push({ location, name: entry.name ?? names.at(-1)!, version, resolved, integrity, optional, hasInstallScript: Boolean(entry.hasInstallScript) });
  }
  return out.sort((a, b) => (a.location < b.location ? -1 : 1));
}

function refusal(spec: string, what: string): McpmError {
  return new McpmError('EPACKAGE', `${spec} depends on ${what}; mcpm installs only packages from an npm registry`, {
    hint: 'Nothing was installed. Ask the package to depend on published packages.',
  });
}

/** os, cpu and libc lists as npm reads them ('!x' excludes x), and the node the package wants. */
export function fitsHere(entry: LockEntry, platform = process.platform, arch = process.arch): boolean {
  const allows = (list: unknown, value: string | undefined) => {
    if (!Array.isArray(list) || list.length === 0 || value === undefined) return true;
    if (list.includes(`!${value}`)) return false;
    const positive = list.filter((v) => typeof v === 'string' && !v.startsWith('!'));
    return positive.length === 0 || positive.includes(value);
  };
  const node = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
  if (node && validRange(node) && !satisfies(process.version, node)) return false;
  return allows(entry.os, platform) && allows(entry.cpu, arch) && (platform !== 'linux' || allows(entry.libc, libc()));
}

let libcFamily: string | undefined | null = null;
function libc(): string | undefined {
  if (libcFamily === null) {
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
    libcFamily = header?.glibcVersionRuntime ? 'glibc' : 'musl';
  }
  return libcFamily;
}

/**
 * Resolves the dependency tree of `identifier@version` as `npm install` would (arborist's ideal tree: the same
 * hoisting, peers and optional rules, the registry's integrity for every tarball), without writing node_modules.
 * `dir` is an empty folder the tree is computed for. `before`: the release-age cut-off (arborist skips younger versions).
 * `options.packumentCache`, when given, is the install's (newPackumentCache). Returns the package-lock `packages`, root removed.
 */
export async function resolveTree(dir: string, options: NpmOptions, identifier: string, version: string, before?: Date): Promise<LockPackages> {
  await writeFile(path.join(dir, 'package.json'), `${JSON.stringify(storeVersionPackage(identifier, version), null, 2)}\n`);
  const [{ default: Arborist }, packumentCache] = await Promise.all([import('@npmcli/arborist'), options.packumentCache ?? newPackumentCache()]);
  const withCache = { ...options, packumentCache };
  await prefetchPackuments(identifier, version, withCache, before);
  const arborist = new Arborist({ ...withCache, path: dir, omit: ['dev'], ignoreScripts: true, audit: false, fund: false, ...(before ? { before } : {}) });
  const tree = await arborist.buildIdealTree({});
  const { packages = {} } = JSON.parse(tree.meta.toString()) as { packages?: LockPackages };
  const { '': _root, ...rest } = packages;
  return rest;
}

/** The package.json of a store version folder, as it has always been. */
export function storeVersionPackage(identifier: string, version: string) {
  return { name: 'mcpm-store-version', private: true, dependencies: { [identifier]: version } };
}

/** The package-lock.json of a store version folder: the tree it was installed from. */
export function storeVersionLock(identifier: string, version: string, packages: LockPackages) {
  return { name: 'mcpm-store-version', lockfileVersion: 3, requires: true, packages: { '': { name: 'mcpm-store-version', dependencies: { [identifier]: version } }, ...packages } };
}
