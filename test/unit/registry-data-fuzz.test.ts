// Registry data with the wrong types in any field (a list that is an object, null items, numbers for strings,
// 100-character junk) must never crash the planning code: everything install and info do with an entry either
// works or throws a one-line McpmError. Seeded; a failure names its case.
import { describe, expect, it } from 'vitest';
import { McpmError } from '../../src/errors.js';
import { inputRequests, packageEnvironment, renderPackageArguments } from '../../src/plan/inputs.js';
import { remoteInputRequests, renderRemote, secretHeaderNames } from '../../src/plan/remote.js';
import { selectVersion } from '../../src/plan/version.js';
import { latestOfEach } from '../../src/registry/latest.js';
import { readServerResponse } from '../../src/registry/types.js';
import { rng, type Rng } from '../helpers/gen-config.js';

const VALID = {
  server: {
    name: 'io.github.acme/github-posts',
    version: '1.0.0',
    description: 'Posts',
    packages: [
      {
        registryType: 'npm',
        identifier: 'github-posts',
        version: '1.0.0',
        transport: { type: 'stdio' },
        environmentVariables: [{ name: 'POSTS_API_URL', isRequired: true }, { name: 'FIXED', value: 'x' }],
        packageArguments: [{ type: 'named', name: '--port', value: '1' }, { type: 'positional', valueHint: 'dir', isRequired: true }],
        runtimeArguments: [{ type: 'named', name: '--x' }],
      },
    ],
    remotes: [{ type: 'streamable-http', url: 'https://x/{tenant}', variables: { tenant: { isRequired: true } }, headers: [{ name: 'X-Key', isSecret: true }, { name: 'X-T', value: '{tenant}', variables: { tenant: {} } }] }],
  },
  _meta: { 'io.modelcontextprotocol.registry/official': { status: 'active', isLatest: true, publishedAt: '2025-01-01T00:00:00Z' } },
};

const JUNK = [null, 0, -1, 1.5, '', 'x', 'a'.repeat(100), true, false, {}, [], [null], [1], ['x'], [{}], { name: 1 }, { a: null }, [[[]]]];

/** Paths inside VALID to damage: every object key, array index and one level past the leaves. */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((key) => paths((value as any)[key], [...prefix, key]))];
}
const PATHS = paths(VALID).filter((p) => p.length > 0);

function damaged(r: Rng): unknown {
  const copy = structuredClone(VALID) as any;
  for (let n = 1 + r.int(3); n > 0; n--) {
    const path = r.pick(PATHS);
    let node = copy;
    for (const step of path.slice(0, -1)) {
      if (node === null || typeof node !== 'object') break;
      node = node[step];
    }
    if (node !== null && typeof node === 'object') node[path[path.length - 1]!] = structuredClone(r.pick(JUNK));
  }
  return copy;
}

/** What install, info and search do with an entry, short of the network. */
function exercise(raw: unknown) {
  const version = readServerResponse(raw, 'r');
  if (!version) return;
  latestOfEach([version]);
  selectVersion(version.server.name, [version], undefined);
  selectVersion(version.server.name, [version], '^1');
  const { server } = version;
  JSON.stringify(server);
  for (const field of [server.name, server.version, server.description, server.title]) void `${field ?? ''}`;
  for (const pkg of server.packages ?? []) {
    inputRequests(pkg);
    packageEnvironment(pkg.environmentVariables ?? [], { dir: '/tmp' }, () => false);
    renderPackageArguments(pkg, { dir: '/tmp', '--x': 'y' });
    void (pkg.registryType === 'npm' && typeof pkg.identifier === 'string' && (pkg.transport?.type ?? 'stdio') === 'stdio');
  }
  for (const remote of server.remotes ?? []) {
    const requests = remoteInputRequests(remote);
    renderRemote(remote, 'streamable-http', Object.fromEntries(requests.map((r) => [r.name, 'v'])));
    secretHeaderNames(remote, new Set(['X-Key']));
  }
}

describe('registry data of the wrong types', () => {
  it('2000 damaged entries: the planning code works or throws a McpmError, never a TypeError', () => {
    const seed = Number(process.env.FUZZ_SEED ?? 7);
    for (let n = 0; n < 2000; n++) {
      const raw = damaged(rng(seed * 100_003 + n));
      try {
        exercise(raw);
      } catch (error) {
        if (error instanceof McpmError) continue;
        throw new Error(`case ${n}: ${String(error)}\n${JSON.stringify(raw)}`, { cause: error });
      }
    }
  });
});
