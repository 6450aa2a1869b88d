/**
 * Pure: what a registry's provenance attestations say about where a package was built. mcpm reads the in-toto
 * statement inside the registry's sigstore bundle; it does NOT verify the bundle (no Fulcio certificate chain, no
 * Rekor inclusion proof, no DSSE signature check: that needs sigstore's trust root over the network). So a
 * repository read here is a claim the registry serves, compared with server.json, not a proven fact.
 */

export interface AttestedSource {
  predicateType: string;
  /** The source repository the build says it came from, normalised (https://host/owner/repo). */
  repository?: string;
}

const SLSA_V1 = 'https://slsa.dev/provenance/v1';
const SLSA_V02 = 'https://slsa.dev/provenance/v0.2';

/** The provenance statement about `name@version` in a registry's attestations answer, if there is one. */
export function readProvenance(answer: unknown, name: string, version: string): AttestedSource | undefined {
  const list = (answer as { attestations?: unknown })?.attestations;
  if (!Array.isArray(list)) return undefined;
  for (const item of list) {
    const { predicateType, bundle } = (item ?? {}) as { predicateType?: unknown; bundle?: { dsseEnvelope?: { payload?: unknown } } };
    if (predicateType !== SLSA_V1 && predicateType !== SLSA_V02) continue;
    const payload = bundle?.dsseEnvelope?.payload;
    if (typeof payload !== 'string') continue;
    let statement: { subject?: Array<{ name?: string }>; predicate?: Record<string, any> };
    try {
      statement = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
    } catch {
      continue;
    }
    // A statement about another package is not this package's provenance.
    const subject = `pkg:npm/${name.replace(/^@/, '%40')}@${version}`;
    if (!statement.subject?.some((s) => s?.name === subject || s?.name === `pkg:npm/${name}@${version}`)) continue;
    const predicate = statement.predicate ?? {};
    const raw = predicateType === SLSA_V1 ? predicate.buildDefinition?.externalParameters?.workflow?.repository : predicate.invocation?.configSource?.uri;
    const repository = typeof raw === 'string' ? normalizeRepository(raw) : undefined;
    return { predicateType, ...(repository ? { repository } : {}) };
  }
  return undefined;
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
