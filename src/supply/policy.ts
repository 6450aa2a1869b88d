/**
 * Pure: an organisation's or a user's supply-chain policy, and the one function that judges a server against it.
 * No I/O here (policy-load.ts reads the settings and the MCPM_POLICY file), so the lead can call evaluatePolicy
 * from audit with drift/findings known, and unit tests can table every rule.
 */

export const POLICY_RULES = ['allowed-registries', 'require-signatures', 'require-provenance', 'min-release-age', 'deny', 'block-on-drift', 'block-on-findings'] as const;
export type PolicyRule = (typeof POLICY_RULES)[number];

/** A rule's value and where it was set ("policy.deny in /home/u/.config/mcpm/config.json", "/etc/org.json (MCPM_POLICY)"). */
export interface Setting<T> {
  value: T;
  from: string;
}

export interface Policy {
  /** Registry URLs (names already turned into URLs), as the registry id an install records. */
  allowedRegistries?: Setting<Array<{ spec: string; url: string }>>;
  requireSignatures?: Setting<boolean>;
  requireProvenance?: Setting<boolean>;
  /** Milliseconds. */
  minReleaseAge?: Setting<number>;
  /** Server names or package identifiers; `*` matches any run of characters. */
  deny?: Setting<string[]>;
  blockOnDrift?: Setting<boolean>;
  blockOnFindings?: Setting<boolean>;
}

/**
 * What is known about one server at the moment it is judged. A field left undefined is not known yet (before
 * the download, signatures are not) and its rules are not judged; 'unknown' is known to be unknown (an audit of
 * a server installed before mcpm checked signatures) and fails a rule that requires it.
 */
export interface PolicyFacts {
  server: string;
  /** The package's identifier (npm name, image, ...) when it has one. */
  identifier?: string;
  /** The registry id the server comes from (a URL, a path, "embedded"). */
  registry?: string;
  signatures?: 'verified' | 'unsigned' | 'unknown' | 'not-applicable';
  /** verified: the attestation's signature holds (sigstore.ts); attested: served but not verified. */
  provenance?: 'verified' | 'attested' | 'none' | 'unknown' | 'not-applicable';
  /** Why an attested provenance is not verified. */
  provenanceNote?: string;
  /** Whether the attested source repository is the server's repository.url (undefined: not comparable). */
  repositoryMatch?: boolean;
  /** When the installed version was published (npm time, else the registry's publishedAt). */
  publishedAt?: string;
  /** The clock, ms since the epoch. */
  now?: number;
  /** From the tool-pin work: the live surface differs from the pins / descriptions have findings. */
  drift?: boolean;
  findings?: boolean;
}

export interface Violation {
  rule: PolicyRule;
  /** Where the rule was set, for the message and for the person who must change it. */
  setting: string;
  message: string;
}

export function evaluatePolicy(policy: Policy, facts: PolicyFacts): Violation[] {
  const out: Violation[] = [];
  const add = (rule: PolicyRule, from: string, message: string) => out.push({ rule, setting: from, message });
  const { deny, allowedRegistries, requireSignatures, requireProvenance, minReleaseAge, blockOnDrift, blockOnFindings } = policy;

  const denied = deny?.value.find((pattern) => matchesPattern(pattern, facts.server) || (facts.identifier !== undefined && matchesPattern(pattern, facts.identifier)));
  if (deny && denied !== undefined) add('deny', deny.from, `${facts.server} is denied by the pattern "${denied}"`);

  if (allowedRegistries && facts.registry !== undefined && !allowedRegistries.value.some((allowed) => sameRegistry(allowed.url, facts.registry!))) {
    add('allowed-registries', allowedRegistries.from, `${facts.server} comes from ${facts.registry}, which is not an allowed registry (${allowedRegistries.value.map((a) => a.spec).join(', ') || 'none'})`);
  }
  if (requireSignatures?.value && (facts.signatures === 'unsigned' || facts.signatures === 'unknown')) {
    add('require-signatures', requireSignatures.from, facts.signatures === 'unsigned' ? `${facts.server} has no registry signatures mcpm can verify` : `${facts.server}'s registry signatures were never checked`);
  }
  // require-provenance: a VERIFIED provenance attestation naming the server's repository.url (one that is served
  // but could not be verified proves nothing about where the package was built).
  if (requireProvenance?.value) {
    if (facts.provenance === 'none' || facts.provenance === 'unknown') add('require-provenance', requireProvenance.from, `${facts.server} has no provenance attestation${facts.provenance === 'unknown' ? ' on record' : ''}`);
    else if (facts.provenance === 'attested') add('require-provenance', requireProvenance.from, `${facts.server}'s provenance attestation is not verified (${facts.provenanceNote ?? 'recorded before mcpm verified attestations'})`);
    else if (facts.provenance === 'verified' && facts.repositoryMatch === false) add('require-provenance', requireProvenance.from, `${facts.server}'s attested source repository is not its repository.url`);
  }
  if (minReleaseAge && facts.publishedAt !== undefined && facts.now !== undefined) {
    const eligible = eligibleAt(facts.publishedAt, minReleaseAge.value);
    if (eligible !== undefined && eligible > facts.now) add('min-release-age', minReleaseAge.from, `${facts.server} was published ${facts.publishedAt}, less than ${describeAge(minReleaseAge.value)} ago (eligible ${new Date(eligible).toISOString()})`);
  }
  if (blockOnDrift?.value && facts.drift) add('block-on-drift', blockOnDrift.from, `${facts.server}'s tools changed since they were pinned`);
  if (blockOnFindings?.value && facts.findings) add('block-on-findings', blockOnFindings.from, `${facts.server}'s descriptions have findings`);
  return out;
}

/** When a version published at `publishedAt` becomes old enough (undefined: the date cannot be read). */
export function eligibleAt(publishedAt: string, minAgeMs: number): number | undefined {
  const published = Date.parse(publishedAt);
  return Number.isNaN(published) ? undefined : published + minAgeMs;
}

/** "7 days", "36 hours": a release age as people set it. */
export function describeAge(ms: number): string {
  const day = 86_400_000;
  if (ms % day === 0) return `${ms / day} day${ms === day ? '' : 's'}`;
  const hour = 3_600_000;
  if (ms % hour === 0) return `${ms / hour} hour${ms === hour ? '' : 's'}`;
  return `${Math.round(ms / 60_000)} minutes`;
}

/** `*` matches any run of characters, case-insensitively; everything else is literal. */
export function matchesPattern(pattern: string, name: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return regex.test(name);
}

function sameRegistry(a: string, b: string): boolean {
  const canonical = (url: string) => url.trim().replace(/\/+$/, '').toLowerCase();
  return canonical(a) === canonical(b);
}
