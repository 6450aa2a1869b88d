import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { inParallel } from '../store/fetch.js';
import type { NpmOptions } from '../store/npm-config.js';
import { npmCall } from '../store/npm-errors.js';
import { describeAge, eligibleAt, type Setting } from './policy.js';
import { sameRepository } from './provenance.js';
import type { SupplyRecord } from './record.js';
import { keysOption, registryKeys, registryOf, type RegistryKey } from './registry-keys.js';
import { verifyAttestations, type AttestationOutcome } from './sigstore.js';

/** A package of the tree as the check needs it. */
export interface CheckedPackage {
  name: string;
  version: string;
  integrity: string;
}

export interface SupplyCheck {
  /** `identifier@version`, for messages. */
  spec: string;
  top: CheckedPackage;
  /** Every package that goes on disk, the top one included or not. */
  packages: CheckedPackage[];
  /** server.json's repository.url, compared with the attested source. */
  repositoryUrl?: string;
  /** The release-age cut-off, when one is set. */
  minAge?: Setting<number>;
}

const SIGNATURE_CODES = new Set(['EINTEGRITYSIGNATURE', 'EMISSINGSIGNATUREKEY', 'EEXPIREDSIGNATUREKEY', 'EMANIFESTMISMATCH']);
const PARALLEL = 16;

/**
 * Where the bytes of an npm install come from, checked before any tarball is fetched: for every package of the
 * tree whose registry publishes signing keys, pacote verifies the registry's ECDSA signature over
 * `name@version:integrity` (the integrity the tree installs, so the signature covers the bytes that land), and a
 * package without a signature is refused too (pacote alone lets that pass). Each package's publish time is held
 * against the release-age cut-off. The top package's attestations are verified (sigstore.ts) and the provenance's
 * repository compared with server.json's.
 */
export async function checkSupply(ctx: Context, options: NpmOptions, check: SupplyCheck): Promise<SupplyRecord> {
  const all = dedupe([check.top, ...check.packages]);
  const registries = [...new Set(all.map((pkg) => registryOf(pkg.name, options)))];
  const keys = new Map<string, RegistryKey[] | undefined>();
  await Promise.all(registries.map(async (registry) => keys.set(registry, await registryKeys(registry, options))));
  const keyids = new Set<string>();
  let verified = 0;
  let unsigned = 0;
  let top: { time?: string; attestations?: { url?: string } } = {};
  await inParallel(all, PARALLEL, async (pkg) => {
    const registry = registryOf(pkg.name, options);
    const registryKeys = keys.get(registry);
    const isTop = pkg === all[0];
    if (!registryKeys) unsigned++;
    // Nothing to learn from a dependency's document when its registry does not sign and no age is set.
    if (!registryKeys && !check.minAge && !isTop) return;
    const id = `${pkg.name}@${pkg.version}`;
    const what = isTop ? check.spec : `${id} (a dependency of ${check.spec})`;
    const manifest = await signedManifest(id, what, options, pkg.integrity, registry, registryKeys);
    if (registryKeys) {
      const signatures = Array.isArray(manifest._signatures) ? (manifest._signatures as Array<{ keyid?: string }>) : [];
      if (signatures.length === 0) {
        throw new McpmError('ESIGNATURE', `${what} has no registry signature, and ${registry} signs its packages`, {
          hint: 'Nothing was installed. A package without the registry\'s signature may not be what the registry published (a mirror or proxy in between?). Report it to the registry.',
        });
      }
      for (const signature of signatures) if (signature.keyid) keyids.add(signature.keyid);
      verified++;
    }
    const time = typeof manifest._time === 'string' ? manifest._time : undefined;
    if (check.minAge && time) assertOldEnough(ctx, what, time, check.minAge);
    if (isTop) top = { time, attestations: (manifest.dist as { attestations?: { url?: string } } | undefined)?.attestations };
  });
  const attested = top.attestations?.url ? await readAttestations(ctx, top.attestations.url, options, check.top, keys.get(registryOf(check.top.name, options))) : undefined;
  return {
    signatures: { status: unsigned === 0 ? 'verified' : 'unsigned', ...(keyids.size ? { keyids: [...keyids].sort() } : {}), verified, unsigned },
    provenance: provenanceRecord(attested, check.repositoryUrl),
    ...(top.time ? { publishedAt: top.time } : {}),
  };
}

/**
 * Only a SLSA provenance statement says where a package was built: attestations without one (a publish
 * attestation alone) are verified all the same, and record no provenance.
 */
function provenanceRecord(attested: AttestationOutcome | undefined, repositoryUrl: string | undefined): SupplyRecord['provenance'] {
  if (!attested?.provenance) return { status: 'none' };
  const { repository, predicateType } = attested.provenance;
  return {
    status: attested.status,
    predicateType,
    ...(repository ? { repository } : {}),
    ...withMatch(sameRepository(repository, repositoryUrl)),
    ...(attested.trustRoot ? { trustRoot: attested.trustRoot } : {}),
    ...(attested.note ? { note: attested.note } : {}),
  };
}

function withMatch(match: boolean | undefined): { repositoryMatch?: boolean } {
  return match === undefined ? {} : { repositoryMatch: match };
}

async function signedManifest(id: string, what: string, options: NpmOptions, integrity: string, registry: string, keys: RegistryKey[] | undefined) {
  const { default: pacote } = await import('pacote');
  try {
    return await pacote.manifest(id, { ...options, fullMetadata: true, integrity, ...(keys ? { verifySignatures: true, ...Object.fromEntries(keysOption(registry).map((option) => [option, keys])) } : {}) });
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (SIGNATURE_CODES.has(code)) {
      throw new McpmError('ESIGNATURE', `${what} fails the registry signature check (${code})`, {
        hint: 'Nothing was installed. The package\'s metadata or tarball checksum is not what the registry signed: it may have been tampered with. Report it to the registry.',
        detail: (error as Error).message,
      });
    }
    return npmCall(what, () => Promise.reject(error));
  }
}

export function assertOldEnough(ctx: Context, what: string, publishedAt: string, minAge: Setting<number>): void {
  const eligible = eligibleAt(publishedAt, minAge.value);
  if (eligible === undefined || eligible <= ctx.now()) return;
  throw tooYoung(what, publishedAt, eligible, minAge);
}

export function tooYoung(what: string, publishedAt: string, eligible: number, minAge: Setting<number>): McpmError {
  return new McpmError('ETOOYOUNG', `${what} was published ${publishedAt}, less than ${describeAge(minAge.value)} ago: it becomes eligible ${new Date(eligible).toISOString()}`, {
    hint: `Nothing was installed. Wait until then, choose an older version, or change the release age (${minAge.from}).`,
  });
}

async function readAttestations(ctx: Context, url: string, options: NpmOptions, top: CheckedPackage, keys: RegistryKey[] | undefined) {
  const { default: fetch } = await import('npm-registry-fetch');
  // The registry's own attestations endpoint (the path of the URL it names, on the host it is fetched from, as
  // pacote does), so a manifest cannot point mcpm at another host.
  const registry = registryOf(top.name, options);
  const where = `${registry.replace(/\/+$/, '')}${new URL(url).pathname}`;
  const answer = await npmCall(`the attestations of ${top.name}@${top.version}`, () => fetch.json(where, { ...options, registry }));
  return verifyAttestations(ctx.env, answer, top, keys);
}

function dedupe(packages: CheckedPackage[]): CheckedPackage[] {
  const seen = new Set<string>();
  return packages.filter((pkg) => {
    const key = `${pkg.name}@${pkg.version}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
