import { createPublicKey } from 'node:crypto';
import { McpmError } from '../errors.js';
import { attestedRepository, identityProblem, isProvenance, listAttestations, subjectProblem, type Attestation, type SignerIdentity } from './provenance.js';
import type { RegistryKey } from './registry-keys.js';
import { loadTrustRoot, type TrustRoot } from './sigstore-root.js';

/** The package whose attestations are checked, with the integrity mcpm installs. */
export interface AttestedPackage {
  name: string;
  version: string;
  integrity: string;
}

/** What the attestations prove; a bad one never gets here (EPROVENANCE). */
export interface AttestationOutcome {
  /** verified: every bundle verified against the trust root; attested: read, but could not be verified (note). */
  status: 'verified' | 'attested';
  note?: string;
  trustRoot?: string;
  /** The SLSA provenance statement's type and source repository, when the answer has one. */
  provenance?: { predicateType: string; repository?: string };
}

/**
 * Verifies every attestation bundle a registry serves for a package, as pacote's verifyAttestations does, with the
 * trust root of sigstore-root.ts:
 * - the statement is about these bytes (subject `pkg:npm/name@version`, sha512 = the integrity installed);
 * - the bundle verifies with @sigstore/verify: the DSSE signature by the certificate's key (provenance) or the
 *   registry key its keyid names (`/-/npm/v1/keys`, publish attestations), the certificate chain to a trusted CA
 *   at the time the transparency log (or a timestamp authority) recorded, the log entry's signed promise or
 *   inclusion proof against the root's log keys, and Fulcio's CT log SCT;
 * - a SLSA statement's repository is the one the certificate's identity builds in.
 * Anything that fails is EPROVENANCE: the registry serves a signature that does not hold. What cannot be checked
 * here (no trust root, a registry key the registry does not publish) is `attested` with a note, never a crash.
 *
 * Thresholds: the public-good root keeps @sigstore/verify's defaults (1 transparency-log entry, 1 SCT, 1
 * timestamp). A root of one's own (MCPM_SIGSTORE_TRUSTED_ROOT) requires a log entry or SCT only when it configures
 * logs of that kind; a timestamp is always required, because without one the certificate chain is not checked.
 */
export async function verifyAttestations(env: NodeJS.ProcessEnv, answer: unknown, pkg: AttestedPackage, registryKeys: RegistryKey[] | undefined): Promise<AttestationOutcome | undefined> {
  const attestations = listAttestations(answer);
  if (attestations.length === 0) return undefined;
  const id = `${pkg.name}@${pkg.version}`;
  let provenance: AttestationOutcome['provenance'];
  for (const attestation of attestations) {
    const problem = subjectProblem(attestation.statement, pkg.name, pkg.version, pkg.integrity);
    if (problem) throw refused(id, attestation, problem);
    if (!provenance && isProvenance(attestation.predicateType)) {
      const repository = attestedRepository(attestation.statement!, attestation.predicateType);
      provenance = { predicateType: attestation.predicateType, ...(repository ? { repository } : {}) };
    }
  }
  const loaded = await loadTrustRoot(env);
  if (!loaded.ok) return { status: 'attested', note: `not verified: ${loaded.note}`, ...withProvenance(provenance) };
  let verify: Awaited<ReturnType<typeof verifierFor>>;
  try {
    verify = await verifierFor(loaded.trust);
  } catch (error) {
    return { status: 'attested', note: `not verified: sigstore's verifier cannot be loaded (${(error as Error).message})`, ...withProvenance(provenance) };
  }
  for (const attestation of attestations) {
    let key: RegistryKey | undefined;
    if (attestation.keyid) {
      key = registryKeys?.find((k) => k.keyid === attestation.keyid);
      // A registry that publishes no keys cannot vouch for its own publish attestation: unverifiable, not bad.
      if (!registryKeys) return { status: 'attested', note: `not verified: the ${attestation.predicateType} attestation is signed with registry key ${attestation.keyid}, and the registry publishes no keys`, ...withProvenance(provenance) };
      if (!key) throw refused(id, attestation, `it is signed with key ${attestation.keyid}, which the registry does not publish`);
    }
    let signer: SignerIdentity;
    try {
      signer = verify(attestation.bundle, key);
    } catch (error) {
      throw refused(id, attestation, describeFailure(error));
    }
    if (isProvenance(attestation.predicateType) && !key) {
      const problem = identityProblem(signer, attestedRepository(attestation.statement!, attestation.predicateType));
      if (problem) throw refused(id, attestation, problem);
    }
  }
  return { status: 'verified', trustRoot: loaded.trust.name, ...withProvenance(provenance) };
}

function withProvenance(provenance: AttestationOutcome['provenance']): Pick<AttestationOutcome, 'provenance'> {
  return provenance ? { provenance } : {};
}

const SOURCE_REPOSITORY_OID = '1.3.6.1.4.1.57264.1.12';

/** A function that verifies one bundle JSON (with the registry key for a keyid) and returns who signed it. */
async function verifierFor(trust: TrustRoot): Promise<(bundle: unknown, key?: RegistryKey) => SignerIdentity> {
  const [{ Verifier, toSignedEntity, toTrustMaterial }, { bundleFromJSON }] = await Promise.all([import('@sigstore/verify'), import('@sigstore/bundle')]);
  const thresholds = trust.custom
    ? { tlogThreshold: trust.root.tlogs.length > 0 ? 1 : 0, ctlogThreshold: trust.root.ctlogs.length > 0 ? 1 : 0, timestampThreshold: 1 }
    : {};
  return (bundleJson, key) => {
    // The registry key the DSSE signature's keyid chose (the bundle's own key hint is not trusted to pick one),
    // valid for signatures the log recorded before the key expired.
    const keyFinder = (hint: string) => {
      if (!key) throw new Error(`the bundle names key ${hint}, and its signature names no registry key`);
      const expires = key.expires ? Date.parse(key.expires) : undefined;
      return { publicKey: createPublicKey(key.pemkey), validFor: (date: Date) => expires === undefined || date.getTime() < expires };
    };
    const verifier = new Verifier(toTrustMaterial(trust.root, keyFinder), thresholds);
    const { identity } = verifier.verify(toSignedEntity(bundleFromJSON(bundleJson)));
    const source = identity?.oids?.find((o) => o.oid?.id.join('.') === SOURCE_REPOSITORY_OID);
    const sourceRepository = source ? derUtf8(Buffer.from(source.value)) : undefined;
    return { ...(identity?.subjectAlternativeName ? { san: identity.subjectAlternativeName } : {}), ...(sourceRepository ? { sourceRepository } : {}) };
  };
}

/** The text of a DER UTF8String (how Fulcio's newer extensions hold their values); undefined if it is not one. */
function derUtf8(der: Buffer): string | undefined {
  if (der[0] !== 0x0c || der.length < 2) return undefined;
  const first = der[1]!;
  const lengthBytes = first & 0x80 ? first & 0x7f : 0;
  const length = lengthBytes ? der.subarray(2, 2 + lengthBytes).reduce((n, b) => n * 256 + b, 0) : first;
  const start = 2 + lengthBytes;
  return start + length === der.length ? der.subarray(start).toString('utf8') : undefined;
}

/** "certificate chain: no trusted certificate path found": sigstore's error code and message, and its cause. */
function describeFailure(error: unknown): string {
  const { code, message, cause } = error as { code?: string; message?: string; cause?: { message?: string } };
  const what = code ? `${code.toLowerCase().replace(/_error$/, '').replace(/_/g, ' ')}: ${message}` : String(message ?? error);
  return cause?.message && cause.message !== message ? `${what} (${cause.message})` : what;
}

function refused(id: string, attestation: Attestation, reason: string): McpmError {
  return new McpmError('EPROVENANCE', `${id}'s ${attestation.predicateType} attestation does not verify: ${reason}`, {
    hint: 'Nothing was installed. The registry serves a signed statement about this package that does not hold (tampered with, signed by someone the trust root does not know, or about other bytes). Report it to the registry and the package\'s maintainers.',
  });
}
