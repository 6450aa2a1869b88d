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
    /** attested: the registry serves a provenance statement for the package (read, not verified: see provenance.ts). */
    status: 'attested' | 'none';
    predicateType?: string;
    /** The attested source repository, normalised. */
    repository?: string;
    /** It equals server.json's repository.url (undefined: one of them cannot be read). */
    repositoryMatch?: boolean;
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
  if (locked.provenance?.status === 'attested' && now.provenance.status !== 'attested') out.push('provenance: the lock recorded an attestation, the registry now serves none');
  if (locked.provenance?.repository && now.provenance.repository && locked.provenance.repository !== now.provenance.repository) {
    out.push(`provenance: the lock recorded source ${locked.provenance.repository}, the attestation now says ${now.provenance.repository}`);
  }
  return out;
}

/** "signed (2 keys), provenance github.com/o/r": one line for notes and audit. */
export function describeSupply(record: SupplyRecord | undefined): string {
  if (!record) return 'signatures and provenance not checked';
  const signatures = record.signatures.status === 'verified' ? `registry signatures verified (${record.signatures.verified} package${record.signatures.verified === 1 ? '' : 's'})` : 'unsigned registry';
  const provenance = record.provenance.status === 'attested' ? `provenance attested${record.provenance.repository ? ` from ${record.provenance.repository}` : ''} (not verified)` : 'no provenance';
  return `${signatures}, ${provenance}`;
}
