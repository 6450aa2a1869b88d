import type { Context } from '../context.js';
import { readState, type InstalledServer } from '../state/installed.js';
import { evaluatePolicy, type PolicyFacts, type Violation } from './policy.js';
import { loadPolicy } from './policy-load.js';

/** Where one installed server's bytes came from and what the policy says of it, from the state alone (no network). */
export interface SupplyFacts {
  name: string;
  version: string;
  registry: string;
  signatures: NonNullable<PolicyFacts['signatures']>;
  keyids?: string[];
  provenance: NonNullable<PolicyFacts['provenance']>;
  /** The attested source repository (proven when provenance is 'verified') and whether it is server.json's. */
  repository?: string;
  repositoryMatch?: boolean;
  /** The trust root a verified attestation chains to; why an attested one is not verified. */
  trustRoot?: string;
  provenanceNote?: string;
  publishedAt?: string;
  /** Whole days since publishedAt. */
  ageDays?: number;
  violations: Violation[];
}

/**
 * For `mcpm audit` (the lead plugs it in): per installed server, its signature / provenance / age facts and the
 * policy rules it breaks. `drift` and `findings` come from the tool-pin work, by server name, so block-on-drift
 * and block-on-findings are judged in the same place as the other rules.
 */
export function supplyFacts(ctx: Context, options: { names?: string[]; drift?: Record<string, boolean>; findings?: Record<string, boolean> } = {}): SupplyFacts[] {
  const policy = loadPolicy(ctx);
  const now = ctx.now();
  const servers = Object.values(readState(ctx).servers).filter((s) => !options.names?.length || options.names.includes(s.name));
  return servers.map((server) => {
    const facts = factsOf(server);
    const violations = evaluatePolicy(policy, {
      server: server.name,
      ...(server.package?.identifier ? { identifier: server.package.identifier } : {}),
      registry: server.registry,
      signatures: facts.signatures,
      provenance: facts.provenance,
      ...(facts.repositoryMatch !== undefined ? { repositoryMatch: facts.repositoryMatch } : {}),
      ...(facts.provenanceNote ? { provenanceNote: facts.provenanceNote } : {}),
      ...(facts.publishedAt ? { publishedAt: facts.publishedAt } : {}),
      now,
      ...(options.drift?.[server.name] !== undefined ? { drift: options.drift[server.name] } : {}),
      ...(options.findings?.[server.name] !== undefined ? { findings: options.findings[server.name] } : {}),
    });
    const published = facts.publishedAt ? Date.parse(facts.publishedAt) : NaN;
    return {
      name: server.name,
      version: server.version,
      registry: server.registry,
      ...facts,
      ...(Number.isNaN(published) ? {} : { ageDays: Math.floor((now - published) / 86_400_000) }),
      violations,
    };
  });
}

function factsOf(server: InstalledServer): Pick<SupplyFacts, 'signatures' | 'keyids' | 'provenance' | 'repository' | 'repositoryMatch' | 'trustRoot' | 'provenanceNote' | 'publishedAt'> {
  if (server.remote) return { signatures: 'not-applicable', provenance: 'not-applicable' };
  if (server.package?.registryType !== 'npm') return { signatures: 'unsigned', provenance: 'none' };
  const supply = server.supply;
  if (!supply) return { signatures: 'unknown', provenance: 'unknown' };
  return {
    signatures: supply.signatures.status,
    ...(supply.signatures.keyids ? { keyids: supply.signatures.keyids } : {}),
    provenance: supply.provenance.status,
    ...(supply.provenance.repository ? { repository: supply.provenance.repository } : {}),
    ...(supply.provenance.repositoryMatch !== undefined ? { repositoryMatch: supply.provenance.repositoryMatch } : {}),
    ...(supply.provenance.trustRoot ? { trustRoot: supply.provenance.trustRoot } : {}),
    ...(supply.provenance.note ? { provenanceNote: supply.provenance.note } : {}),
    ...(supply.publishedAt ? { publishedAt: supply.publishedAt } : {}),
  };
}
