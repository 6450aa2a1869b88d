/**
 * Pure: what mcpm records about where an installed package's bytes came from (state, lock, store record), and
 * how a lock's record is compared with what the registry says now.
 */
export interface SupplyRecord {
  signatures: {
    /** verified: every package of the tree carries a valid registry signature. unsigned: some registry publishes no keys. */
    status: 'verified' | 'unsigned';
    /** The registry keys that signed them. */
    keyids?: string[];
    /** Packages whose signature was verified, and packages from registries without keys. */
    verified: number;
    unsigned: number;
  };
  provenance: {
    /**
     * verified: the registry's attestations verified against the sigstore trust root (sigstore.ts); attested: a
     * provenance statement is served but could not be verified (`note` says why; state written before mcpm
     * verified attestations says attested too, without a note); none: no provenance statement.
     */
    status: 'verified' | 'attested' | 'none';
    predicateType?: string;
    /** The attested source repository, normalised. */
    repository?: string;
    /** It equals server.json's repository.url (undefined: one of them cannot be read). */
    repositoryMatch?: boolean;
    /** The trust root a verified attestation chains to ("sigstore public-good (...)", or a file's path). */
    trustRoot?: string;
    /** Why an attested statement is not verified. */
    note?: string;
  };
  /** The package version's publish time (npm's time[version]). */
  publishedAt?: string;
}

/**
 * What a lock recorded and what is true now differ in a way that lowers trust: signatures gone, provenance
 * gone, or another source repository. A gain (a registry that starts signing) is not a difference that refuses.
 * Key ids are not compared: registries rotate keys, and a signature by the current key is still verified.
 */
export function lockDifferences(locked: SupplyRecord | undefined, now: SupplyRecord): string[] {
  if (!locked) return [];
  const out: string[] = [];
  if (locked.signatures?.status === 'verified' && now.signatures.status !== 'verified') out.push(`registry signatures: the lock recorded verified, the registry now gives ${now.signatures.status}`);
  const rank = { none: 0, attested: 1, verified: 2 } as const;
  const was = locked.provenance?.status;
  if (was && was in rank && rank[now.provenance.status] < rank[was]) {
    out.push(now.provenance.status === 'none' ? 'provenance: the lock recorded an attestation, the registry now serves none' : `provenance: the lock recorded a verified attestation, now it is not verified (${now.provenance.note ?? 'no reason given'})`);
  }
  if (locked.provenance?.repository && now.provenance.repository && locked.provenance.repository !== now.provenance.repository) {
    out.push(`provenance: the lock recorded source ${locked.provenance.repository}, the attestation now says ${now.provenance.repository}`);
  }
  return out;
}

/** "signed (2 keys), provenance github.com/o/r": one line for notes and audit. */
export function describeSupply(record: SupplyRecord | undefined): string {
  if (!record) return 'signatures and provenance not checked';
  const signatures = record.signatures.status === 'verified' ? `registry signatures verified (${record.signatures.verified} package${record.signatures.verified === 1 ? '' : 's'})` : 'unsigned registry';
  const from = record.provenance.repository ? ` from ${record.provenance.repository}` : '';
  const provenance = record.provenance.status === 'verified' ? `provenance verified${from}` : record.provenance.status === 'attested' ? `provenance attested${from} (not verified)` : 'no provenance';
  return `${signatures}, ${provenance}`;
}
