import type { NpmOptions } from './npm-config.js';
import { npmCall } from './npm-errors.js';
import { registryOf } from '../supply/registry-keys.js';
import type { TreePackage } from './tree.js';
import { assertSamePackage, readIndex, unpackTarball, writeIndex, type PackageIndex } from './unpack.js';

/** Tarballs fetched at once: npm's own default socket count (maxsockets) is about this. */
const PARALLEL = 16;

/**
 * Makes sure every package's files are in the content store and returns their indexes. A package already unpacked
 * costs reading its index; any other is fetched with pacote (from the npm cache by its integrity when it is there,
 * else from the registry), checked against its integrity, unpacked into the store, and only then indexed.
 * A failed optional package is left out, as npm leaves it out.
 */
export async function ensurePackages(
  store: string,
  options: NpmOptions,
  packages: TreePackage[],
  spec: string,
  known = new Map<string, PackageIndex>(),
  onFetched?: (done: number, total: number) => void,
  devFiles = true,
): Promise<{ indexes: Map<string, PackageIndex>; skipped: TreePackage[]; fetched: number }> {
  const indexes = new Map(known);
  const wanted: TreePackage[] = [];
  for (const pkg of packages) {
    if (indexes.has(pkg.integrity)) continue;
    const index = await readIndex(store, pkg.integrity);
    // Unpacked without its dev files, and they are wanted now: unpacked again (from the npm cache) with them.
    if (index && (index.devFiles !== false || !devFiles)) indexes.set(pkg.integrity, index);
    else if (!wanted.some((w) => w.integrity === pkg.integrity)) wanted.push(pkg);
  }
  const skipped: TreePackage[] = [];
  if (wanted.length > 0) {
    let done = 0;
    const fetched = await inParallel(wanted, PARALLEL, async (pkg) => {
      try {
        const index = await fetchPackage(store, options, pkg, spec, devFiles);
        onFetched?.(++done, wanted.length);
        return index;
      } catch (error) {
        if (pkg.optional) {
          skipped.push(pkg);
          return undefined;
        }
        throw error;
      }
    });
    for (const index of fetched) if (index) indexes.set(index.integrity, index);
  }
  // One integrity is one tarball: two packages of the tree with the same integrity, or an index unpacked for
  // another name, mean the lock names the wrong tarball for one of them (see assertSamePackage).
  for (const pkg of packages) {
    const index = indexes.get(pkg.integrity);
    if (index && !skipped.includes(pkg)) assertSamePackage(pkg, index);
  }
  return { indexes, skipped, fetched: wanted.length - skipped.length };
}

/** One package: tarball (verified by pacote against the integrity) -> content store -> index. */
export async function fetchPackage(store: string, options: NpmOptions, pkg: Pick<TreePackage, 'name' | 'version' | 'resolved' | 'integrity'>, spec: string, devFiles = true): Promise<PackageIndex> {
  const { default: pacote } = await import('pacote');
  const what = pkg.name === spec.slice(0, spec.lastIndexOf('@')) ? spec : `${pkg.name}@${pkg.version} (for ${spec})`;
  const tarball = await npmCall(what, () => pacote.tarball(...tarballRequest(options, pkg)));
  const index = await unpackTarball(store, tarball, { name: pkg.name, version: pkg.version, integrity: pkg.integrity }, { devFiles });
  await writeIndex(store, index);
  return index;
}

/**
 * What pacote is asked for. Asked for `name@version`, pacote first fetches the packument again (to learn the URL,
 * and check the integrity against it): one more round trip for every package not in npm's cache. When the tree's
 * URL is the registry's own URL of exactly that name and version, the tarball is fetched from it directly: only the
 * registry's tarball of that version can come from there, and pacote checks its bytes against the integrity. A URL
 * of any other shape (a lock file could name any) goes through the packument, as before.
 */
function tarballRequest(options: NpmOptions, pkg: Pick<TreePackage, 'name' | 'version' | 'resolved' | 'integrity'>): [string, NpmOptions] {
  const checked = { ...options, integrity: pkg.integrity, resolved: pkg.resolved };
  const basename = pkg.name.slice(pkg.name.lastIndexOf('/') + 1);
  const own = `${registryOf(pkg.name, options)}${pkg.name}/-/${basename}-${pkg.version}.tgz`;
  // allowRemote: mcpm refuses URL dependencies while resolving (npm-checks.ts); this URL is the registry's own.
  return pkg.resolved === own ? [own, { ...checked, allowRemote: 'all' }] : [`${pkg.name}@${pkg.version}`, checked];
}

export async function inParallel<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next++;
      results[at] = await fn(items[at]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
