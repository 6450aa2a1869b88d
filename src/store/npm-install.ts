import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { ensureDir } from '../fs/files.js';
import { failpoint } from '../failpoints.js';
import type { LockedTree } from '../plan/store-action.js';
import { chooseBin } from './bin.js';
import { buildVersion } from './build-version.js';
import { casFile } from './cas.js';
import { ensurePackages } from './fetch.js';
import type { NpmOptions } from './npm-config.js';
import { INSTALL_RECORD, versionDir } from './layout.js';
import { assertRegistryPackage, checkEngines, checkOwnership, npmOptions } from './npm-checks.js';
import { lockMismatch, npmCall } from './npm-errors.js';
import { newPackumentCache } from './prefetch.js';
import { readRecord } from './record.js';
import { createStaging } from './staging.js';
import { pinVersion, withStoreLock } from './store-lock.js';
import { completeTree, readTreeRecord, resolveTree, selectPackages, treeKey, type LockPackages } from './tree.js';
import type { PackageIndex } from './unpack.js';
import { acceptSupply, minAgeOf, supplyOfTree } from '../supply/npm-supply.js';
import { keepsDevFiles } from './dev-files.js';
import { registryKeys, registryOf } from '../supply/registry-keys.js';
import type { SupplyRecord } from '../supply/record.js';

export { assertRegistryPackage } from './npm-checks.js';

export interface NpmInstallRequest {
  serverName: string;
  identifier: string;
  version: string;
  registryBaseUrl?: string;
  allowScripts: boolean;
  engineStrict: boolean;
  /** From a lock file: the package's integrity and the whole dependency tree to install exactly. */
  lock?: LockedTree;
  /** server.json's repository.url, compared with the provenance's source repository. */
  repositoryUrl?: string;
}

export interface InstalledVersion {
  storePath: string;
  bin: string;
  integrity?: string;
  /** True when this install added the folder (false: the same version was already in the store). */
  added: boolean;
  /** Signatures, provenance and publish time (src/supply/). */
  supply?: SupplyRecord;
}

/**
 * Puts an npm package and its production dependencies into the store: a version folder of hard links into the
 * content store (cas.ts), built in a staging folder and renamed into place, so it exists whole or not at all.
 *
 * The tree comes from the lock (a project's, or the state's record of the same version), else from the store's
 * record of this package version, else it is resolved as npm resolves it. Packages already unpacked in the content
 * store cost reading their index; others are fetched (npm cache first), checked against their integrity and
 * unpacked. So a version whose files are all in the store costs only linking, with no network at all.
 *
 * The checks stay as strict on every path: the lock's integrity, the package's mcpName (in the registry's metadata
 * before anything is fetched, and in the tarball's package.json that will run), engines, no install scripts unless
 * allowed, registry packages only.
 */
export async function installNpmPackage(ctx: Context, request: NpmInstallRequest): Promise<InstalledVersion> {
  assertRegistryPackage(request);
  const store = ctx.paths.store;
  const target = versionDir(store, request.serverName, request.version);
  // mcpm's own folders first: a read-only folder or a file in their place is an EFS naming it, not an npm error.
  await ensureDir(path.dirname(target));
  await ensureDir(ctx.paths.cache);
  const options = npmOptions(ctx, request);
  const spec = `${request.identifier}@${request.version}`;
  // A version already in the store is complete (it was renamed into place whole) and was checked when it came:
  // reinstalling or rolling back to it needs no network.
  if (existsSync(path.join(target, INSTALL_RECORD))) {
    // Pinned with the check, under the store lock: a prune running now cannot remove it before the state names it.
    const record = await withStoreLock(ctx, async () => {
      const found = await readRecord(target);
      if (found) await pinVersion(store, target);
      return found;
    });
    if (record) {
      if (request.lock?.integrity && record.integrity && record.integrity !== request.lock.integrity) throw lockMismatch(spec);
      // Checked when the version came; a version stored before mcpm checked signatures has no facts ("unknown").
      acceptSupply(ctx, request.serverName, spec, record.supply, request.lock?.supply);
      return { storePath: target, bin: path.join(target, record.bin), integrity: record.integrity, added: false, ...(record.supply ? { supply: record.supply } : {}) };
    }
  }

  const key = treeKey(options, request.identifier, request.version);
  const topLocation = `node_modules/${request.identifier}`;
  let tree: LockPackages | undefined = completeTree(request.lock?.packages, request.identifier);
  let fromRecord = false;
  let prior = request.lock?.ownRecord ? request.lock.supply : undefined;
  if (!tree) {
    const treeRecord = await readTreeRecord(store, key);
    tree = treeRecord?.packages;
    prior = treeRecord?.supply;
    // A tree record from before the supply check is written again with the facts found now.
    fromRecord = tree !== undefined && prior !== undefined;
  }
  let checkedManifest = false;
  // A tree to resolve: the metadata reads (the resolve, the signature check after it) share one packument cache, so
  // each document is fetched once.
  let metadata: NpmOptions = options;
  if (!tree) {
    metadata = { ...options, packumentCache: await newPackumentCache() };
    // Nothing known: the registry's metadata is checked before any package is downloaded. The tree is resolved
    // meanwhile (that reads metadata only), and the registry's signing keys asked for, as the check below needs them.
    const { default: pacote } = await import('pacote');
    const { before } = minAgeOf(ctx);
    const resolving = withScratch(ctx, (dir) => npmCall(spec, () => resolveTree(dir, metadata, request.identifier, request.version, before)));
    resolving.catch(() => undefined); // awaited below, unless the metadata check refuses first
    registryKeys(registryOf(request.identifier, options), options).catch(() => undefined);
    const manifest = await npmCall(spec, () => pacote.manifest(spec, { ...metadata, fullMetadata: true }));
    if (request.lock?.integrity && manifest._integrity !== request.lock.integrity) throw lockMismatch(spec);
    checkOwnership(ctx, request.serverName, manifest.mcpName, spec);
    checkEngines(ctx, request, manifest.engines?.node);
    checkedManifest = true;
    failpoint('after-manifest');
    ctx.out.progress(`Resolving the dependencies of ${spec}`);
    tree = await resolving;
  }
  const top = tree[topLocation];
  if (!top || top.version !== request.version) {
    throw new McpmError('EPACKAGE', `The dependency tree for ${spec} does not contain it`, { hint: 'The lock file is damaged; restore it, or install without it.' });
  }
  if (request.lock?.integrity && top.integrity !== request.lock.integrity) throw lockMismatch(spec);

  const packages = selectPackages(tree, spec);
  // Signatures, release age and provenance, before a single tarball is fetched.
  const supply = await supplyOfTree(ctx, metadata, {
    serverName: request.serverName,
    spec,
    top: { name: request.identifier, version: request.version, integrity: top.integrity! },
    packages,
    ...(request.repositoryUrl ? { repositoryUrl: request.repositoryUrl } : {}),
    ...(prior ? { prior } : {}),
    ...(request.lock?.supply ? { locked: request.lock.supply } : {}),
  });
  acceptSupply(ctx, request.serverName, spec, supply, request.lock?.supply);
  // The packument cache goes with the metadata phase: kept through the unpacking below, its documents (tens of MB
  // for a tree like memory's) would add to the install's peak memory.
  metadata = options;
  // Says how the download goes: each package fetched and unpacked into the store.
  const devFiles = keepsDevFiles(ctx.settings());
  const have = await ensurePackages(store, options, packages, spec, undefined, (done, total) => ctx.out.progress(`Installing ${spec}: ${done} of ${total} packages fetched`), devFiles);
  if (have.fetched > 0) ctx.out.progress(`Fetched ${have.fetched} package${have.fetched === 1 ? '' : 's'} of ${spec} into the store`);
  failpoint('after-fetch');
  const installable = packages.filter((p) => !have.skipped.includes(p));
  const topIndex = have.indexes.get(top.integrity!)!;
  const manifest = packageJsonOf(store, topIndex, spec);
  // The tarball's package.json is what runs: its mcpName and engines are checked whatever the path taken.
  checkOwnership(ctx, request.serverName, manifest.mcpName, spec, checkedManifest);
  if (!checkedManifest) checkEngines(ctx, request, manifest.engines?.node);
  const binRelative = chooseBin(manifest, request.serverName, spec);
  if (!topIndex.files[binRelative]) {
    throw new McpmError('EPACKAGE', `${spec} declares the bin ${binRelative}, but the package does not contain it`, {
      hint: 'The package is broken; try another version.',
    });
  }
  const bin = path.join('node_modules', ...request.identifier.split('/'), binRelative);
  const added = await buildVersion(ctx, {
    target,
    options,
    spec,
    identifier: request.identifier,
    version: request.version,
    tree,
    treeKey: key,
    writeTree: !fromRecord,
    packages: installable,
    indexes: have.indexes,
    allowScripts: request.allowScripts,
    devFiles,
    record: { identifier: request.identifier, version: request.version, integrity: top.integrity, resolved: top.resolved, bin, installedAt: new Date(ctx.now()).toISOString(), supply },
  });
  return { storePath: target, bin: path.join(target, bin), integrity: top.integrity, added, supply };
}

function packageJsonOf(store: string, index: PackageIndex, spec: string): { name: string; bin?: unknown; mcpName?: string; engines?: { node?: string } } {
  const file = index.files['package.json'];
  try {
    if (!file) throw new Error('no package.json');
    return JSON.parse(readFileSync(casFile(store, file.h, file.x), 'utf8'));
  } catch (error) {
    throw new McpmError('EPACKAGE', `${spec} has no readable package.json`, { hint: 'The package is broken; try another version.', cause: error });
  }
}

/** A scratch folder in the store's staging area (same filesystem; removed after, or by the next run if killed). */
async function withScratch<T>(ctx: Context, fn: (dir: string) => Promise<T>): Promise<T> {
  const { dir, done } = await createStaging(ctx.paths.store);
  try {
    return await fn(dir);
  } finally {
    await done();
  }
}
