/**
 * Pure: what a registry's attestations say about a package, and the checks on a statement that need no
 * cryptography: is it about this package's bytes (subject), and did the build that signed it run in the
 * repository it names (the certificate's identity). The bundle's signature, certificate chain and transparency-log
 * entries are verified in sigstore.ts; a repository read here counts as proven only once that passed.
 */

const SLSA_V1 = 'https://slsa.dev/provenance/v1';
const SLSA_V02 = 'https://slsa.dev/provenance/v0.2';

/** An in-toto statement as the checks read it. */
export interface Statement {
  subject?: Array<{ name?: string; digest?: Record<string, string> }>;
  predicateType?: string;
  predicate?: Record<string, any>;
}

/** One entry of a registry's attestations answer: its predicate type, the raw bundle and the statement inside. */
export interface Attestation {
  predicateType: string;
  bundle: unknown;
  /** undefined: the DSSE payload is missing or not a JSON statement. */
  statement?: Statement;
  /** A publish attestation is signed with a registry key (the DSSE signature's keyid); provenance by a certificate. */
  keyid?: string;
}

/** The entries of a registry's `/-/npm/v1/attestations/<name>@<version>` answer. */
export function listAttestations(answer: unknown): Attestation[] {
  const list = (answer as { attestations?: unknown })?.attestations;
  if (!Array.isArray(list)) return [];
  return list.map((item) => {
    const { predicateType, bundle } = (item ?? {}) as { predicateType?: unknown; bundle?: { dsseEnvelope?: { payload?: unknown; signatures?: Array<{ keyid?: unknown }> } } };
    const payload = bundle?.dsseEnvelope?.payload;
    let statement: Statement | undefined;
    try {
      statement = typeof payload === 'string' ? JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) : undefined;
    } catch {
      statement = undefined;
    }
    const keyid = bundle?.dsseEnvelope?.signatures?.[0]?.keyid;
    return { predicateType: typeof predicateType === 'string' ? predicateType : '(none)', bundle, ...(statement && typeof statement === 'object' ? { statement } : {}), ...(typeof keyid === 'string' && keyid !== '' ? { keyid } : {}) };
  });
}

export function isProvenance(predicateType: string): boolean {
  return predicateType === SLSA_V1 || predicateType === SLSA_V02;
}

/** The source repository a SLSA statement names, normalised. */
export function attestedRepository(statement: Statement, predicateType: string): string | undefined {
  const predicate = statement.predicate ?? {};
  const raw = predicateType === SLSA_V1 ? predicate.buildDefinition?.externalParameters?.workflow?.repository : predicate.invocation?.configSource?.uri;
  return typeof raw === 'string' ? normalizeRepository(raw) : undefined;
}

/** pkg:npm/%40scope/name@1.0.0 (the PURL npm signs) and the unescaped spelling. */
function purlsOf(name: string, version: string): string[] {
  return [`pkg:npm/${name.replace(/^@/, '%40')}@${version}`, `pkg:npm/${name}@${version}`];
}

/**
 * Why a statement is not about these bytes (undefined: it is): a subject must name `name@version` and carry the
 * sha512 of the tarball, the hex form of the integrity mcpm installs (as pacote checks it).
 */
export function subjectProblem(statement: Statement | undefined, name: string, version: string, integrity: string): string | undefined {
  if (!statement || !Array.isArray(statement.subject)) return 'its payload is not an in-toto statement';
  const subject = statement.subject.find((s) => purlsOf(name, version).includes(s?.name ?? ''));
  if (!subject) return `it is about ${statement.subject.map((s) => s?.name).join(', ') || 'nothing'}, not ${purlsOf(name, version)[0]}`;
  const expected = sha512Hex(integrity);
  if (!expected) return `the package's integrity (${integrity}) has no sha512 to compare`;
  if (subject.digest?.sha512 !== expected) return `it is about a tarball with sha512 ${subject.digest?.sha512 ?? '(none)'}, not this one (${expected})`;
  return undefined;
}

/** The hex sha512 of an SRI integrity string ("sha512-<base64>", possibly among other hashes). */
export function sha512Hex(integrity: string): string | undefined {
  const token = integrity.split(/\s+/).find((t) => t.startsWith('sha512-'));
  return token ? Buffer.from(token.slice('sha512-'.length).replace(/\?.*$/, ''), 'base64').toString('hex') : undefined;
}

/** Who signed a bundle, as its Fulcio certificate says. */
export interface SignerIdentity {
  /** The SAN: for CI, the workflow that ran (which may be a reusable workflow of another repository). */
  san?: string;
  /** Fulcio's Source Repository URI extension (1.3.6.1.4.1.57264.1.12): the repository the build ran for. */
  sourceRepository?: string;
}

/**
 * Why the signing certificate's identity does not vouch for the attested repository (undefined: it does).
 * Without this, any build anywhere could sign a statement naming someone else's repository. Fulcio's Source
 * Repository URI names the repository the build ran for, also when the workflow is a reusable one from elsewhere;
 * certificates from before that extension (2023) name only the workflow, inside its repository (GitHub:
 * https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1; GitLab: https://gitlab.com/o/r//.gitlab-ci.yml@...).
 */
export function identityProblem(signer: SignerIdentity, repository: string | undefined): string | undefined {
  if (!repository) return undefined;
  if (signer.sourceRepository) {
    return normalizeRepository(signer.sourceRepository) === repository ? undefined : `it was signed by a build of ${signer.sourceRepository}, not of ${repository}`;
  }
  if (!signer.san) return `the signing certificate names no identity, so nothing ties it to ${repository}`;
  return signer.san.toLowerCase().startsWith(`${repository}/`) ? undefined : `it was signed by ${signer.san}, which is not a build of ${repository}`;
}

/**
 * https://host/owner/repo for the ways people write a repository: git+https://...git, git@host:o/r, a v0.2
 * configSource uri with "@refs/...". undefined when it is not a URL of a host and a path.
 */
export function normalizeRepository(value: string): string | undefined {
  let text = value.trim().replace(/^git\+/, '');
  const ssh = /^(?:ssh:\/\/)?git@([^:/]+)[:/](.+)$/.exec(text);
  if (ssh) text = `https://${ssh[1]}/${ssh[2]}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (!/^(https?|git):$/.test(url.protocol)) return undefined;
  const pathname = url.pathname.replace(/@refs\/.*$/, '').replace(/\.git$/, '').replace(/\/+$/, '');
  if (pathname === '') return undefined;
  return `https://${url.host.toLowerCase()}${pathname.toLowerCase()}`;
}

/** true / false when both sides are readable repositories; undefined when they cannot be compared. */
export function sameRepository(attested: string | undefined, declared: string | undefined): boolean | undefined {
  const a = attested ? normalizeRepository(attested) : undefined;
  const b = declared ? normalizeRepository(declared) : undefined;
  return a && b ? a === b : undefined;
}
