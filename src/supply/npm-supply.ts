import { existsSync } from 'node:fs';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import type { NpmOptions } from '../store/npm-config.js';
import type { TreePackage } from '../store/tree.js';
import { indexFile } from '../store/unpack.js';
import { evaluatePolicy } from './policy.js';
import { loadPolicy, minReleaseAge, policyError } from './policy-load.js';
import { lockDifferences, type SupplyRecord } from './record.js';
import { checkSupply } from './verify.js';

export interface TreeSupply {
  serverName: string;
  spec: string;
  top: { name: string; version: string; integrity: string };
  packages: TreePackage[];
  repositoryUrl?: string;
  /** What mcpm's own records (the state's lock, the store's tree record) say was found when these packages came. */
  prior?: SupplyRecord;
  /** What a project's lock says: used only when the registry cannot be reached and nothing needs downloading. */
  locked?: SupplyRecord;
}

/**
 * The supply facts of an npm tree. Packages already in the content store were checked when they were fetched, so
 * a tree whose every package is there and whose facts are on record (the lock's, the store's tree record) costs
 * no network: that is how a reinstall stays offline. Anything to download, or no record: the registry is asked.
 */
export async function supplyOfTree(ctx: Context, options: NpmOptions, tree: TreeSupply): Promise<SupplyRecord> {
  const stored = allInStore(ctx.paths.store, tree.packages);
  if (tree.prior && stored) return tree.prior;
  ctx.out.progress(`Checking the registry signatures of ${tree.spec}`);
  try {
    return await checkSupply(ctx, options, { spec: tree.spec, top: tree.top, packages: tree.packages, ...(tree.repositoryUrl ? { repositoryUrl: tree.repositoryUrl } : {}), ...minAgeOf(ctx) });
  } catch (error) {
    // Offline with every package already stored (each checked when it was fetched): a project's lock still
    // installs, on its own record, and says so. Anything to download never gets here without the check.
    if (!(error instanceof McpmError) || error.code !== 'ENETWORK' || !stored || !tree.locked) throw error;
    ctx.out.warn(`Could not reach the registry to check ${tree.spec} again (${error.message}); its packages are all in the store, and the lock's record of signatures and provenance is kept`);
    return tree.locked;
  }
}

/** The release-age cut-off as arborist's `before`, and as the check's setting. */
export function minAgeOf(ctx: Context) {
  const minAge = minReleaseAge(ctx);
  return minAge ? { minAge, before: new Date(ctx.now() - minAge.value) } : {};
}

/**
 * Whether this install may go on with these facts: not weaker than the lock recorded (EINTEGRITY), and within
 * the policy's require-signatures / require-provenance (EPOLICY). A provenance whose repository is not the
 * server's is warned about when no policy requires provenance.
 */
export function acceptSupply(ctx: Context, serverName: string, spec: string, supply: SupplyRecord | undefined, locked: SupplyRecord | undefined): void {
  const differences = supply ? lockDifferences(locked, supply) : [];
  if (differences.length > 0) {
    throw new McpmError('EINTEGRITY', `${spec} no longer matches the lock file: ${differences.join('; ')}`, {
      hint: 'Nothing was installed. The registry now vouches less for this package than when the lock was made; find out why before you update the lock deliberately with `mcpm update`.',
    });
  }
  const policy = loadPolicy(ctx);
  const violations = evaluatePolicy(policy, {
    server: serverName,
    signatures: supply?.signatures.status ?? 'unknown',
    provenance: supply?.provenance.status ?? 'unknown',
    ...(supply?.provenance.repositoryMatch !== undefined ? { repositoryMatch: supply.provenance.repositoryMatch } : {}),
    ...(supply?.provenance.note ? { provenanceNote: supply.provenance.note } : {}),
  });
  if (violations.length > 0) throw policyError(serverName, violations);
  if (supply?.provenance.repositoryMatch === false) {
    ctx.out.warn(`${spec}'s provenance says it was built from ${supply.provenance.repository}, which is not ${serverName}'s repository in its registry entry (${supply.provenance.status === 'verified' ? 'the attestation is verified: that build signed it' : 'the attestation was not verified'})`);
  }
  if (supply?.provenance.status === 'attested' && supply.provenance.note) ctx.out.warn(`${spec}'s provenance attestation is ${supply.provenance.note}`);
}

/** A package's index is written once its files are in place, so its presence says the package is stored. */
function allInStore(store: string, packages: TreePackage[]): boolean {
  return packages.every((pkg) => existsSync(indexFile(store, pkg.integrity)));
}
