import { setFlagsFromString } from 'node:v8';
import validRange from 'semver/ranges/valid.js';
import { isNpmName } from './npm-checks.js';
import type { NpmOptions } from './npm-config.js';

/**
 * Arborist resolves a tree one package at a time: it asks the registry for the packuments of one package's
 * dependencies, waits for them, and only then goes on to the next package. npm's cache answers for a packument only
 * within the lifetime the registry gave it (five minutes at registry.npmjs.org, none from the registry this project
 * was measured against), so a tree of a hundred packages spends seconds waiting, one round trip after another (6.5 s
 * of a 12 s cold install of the memory server there; npm install waits the same way).
 *
 * This walks the same dependencies first, many at a time, into the in-memory packument cache that arborist is then
 * given, so that its own walk finds them there (2 s instead of 6.5 s). It only warms a cache: which versions make up
 * the tree is still arborist's decision, made from the same documents it would have fetched; a packument this walk
 * did not fetch, or one too large for the cache, arborist fetches itself. A failure here is left for arborist to meet
 * and report.
 */

/** As many requests at once as npm's default maxsockets. */
const CONCURRENCY = 16;

/**
 * The walk parses a whole tree's packuments within a second or two (32 MB of JSON for the memory server's, from
 * ~100 documents), where arborist alone spread them over several seconds of waiting. V8 lets a small heap grow
 * several times over before it collects, which took an install's peak memory from 167 to about 210 MiB; growing
 * it by 30% at a time keeps the peak at about 160 MiB, with no difference in time measured. It is a setting of the
 * process's garbage collector, and stays set: a command ends with its install, and in `mcpm serve` or `mcpm ui`,
 * which install in their own process, a heap that grows more slowly is no loss for a long-running server.
 */
const HEAP_GROWING = '--heap-growing-percent=30';

/**
 * Arborist's own in-memory packument cache (bounded by the heap's size; documents of a megabyte or more are not
 * kept). Given to every pacote call of one install's metadata phase, as `packumentCache`, it lets the resolve and the
 * signature check after it read each packument from the registry once.
 */
export async function newPackumentCache(): Promise<unknown> {
  setFlagsFromString(HEAP_GROWING); // before pacote and arborist are loaded: see HEAP_GROWING
  const { default: PackumentCache } = await import('@npmcli/arborist/lib/packument-cache.js');
  return new PackumentCache();
}

/** `options` are arborist's (registry, scopes, auth, agent, packumentCache); `before` its release-age cut-off. */
export async function prefetchPackuments(identifier: string, version: string, options: NpmOptions, before?: Date): Promise<void> {
  const { default: pacote } = await import('pacote');
  // Arborist fetches every manifest with fullMetadata (pacote's cache keys tell full documents from abbreviated ones).
  const asked = { ...options, fullMetadata: true, ...(before ? { before } : {}) };
  const seen = new Set<string>();
  const queue: string[] = [];
  const want = (name: string, spec: unknown) => {
    const target = registrySpec(name, spec);
    if (target && !seen.has(target)) {
      seen.add(target);
      queue.push(target);
    }
  };
  want(identifier, version);
  if (queue.length === 0) return; // nothing the walk can ask for: arborist meets it

  let active = 0;
  await new Promise<void>((done) => {
    const next = () => {
      while (active < CONCURRENCY && queue.length > 0) {
        const spec = queue.shift()!;
        active++;
        // pacote throws some refusals (a folder or URL spec) at once rather than rejecting: both are caught.
        Promise.resolve()
          .then(() => pacote.manifest(spec, asked))
          .then((manifest) => {
            for (const [name, range] of Object.entries(dependenciesOf(manifest))) want(name, range);
          })
          .catch(() => undefined)
          .finally(() => {
            active--;
            next();
            if (active === 0 && queue.length === 0) done();
          });
      }
    };
    next();
  });
}

/** What arborist installs from a manifest: dependencies, optional ones, and peers that are not optional. */
function dependenciesOf(manifest: Record<string, unknown>): Record<string, unknown> {
  const optionalPeers = (manifest.peerDependenciesMeta ?? {}) as Record<string, { optional?: boolean } | undefined>;
  const peers = Object.entries((manifest.peerDependencies ?? {}) as Record<string, unknown>).filter(([name]) => !optionalPeers[name]?.optional);
  return { ...(manifest.dependencies as object), ...(manifest.optionalDependencies as object), ...Object.fromEntries(peers) };
}

/**
 * `name@range` for a registry dependency (an `npm:` alias followed to its package); undefined for git, files, URLs
 * and names that are not package names (`../x` would be a folder to pacote): arborist meets those and refuses them.
 */
function registrySpec(name: string, spec: unknown): string | undefined {
  if (typeof spec !== 'string') return undefined;
  const alias = /^npm:((?:@[^/@]+\/)?[^@]+)(?:@(.*))?$/.exec(spec);
  const [target, range] = alias ? [alias[1]!, alias[2] ?? '*'] : [name, spec || '*'];
  return isNpmName(target) && validRange(range) ? `${target}@${range}` : undefined;
}
