import { supplyFacts } from '../supply/audit-facts.js';
import type { AuditCheck, AuditFact } from './audit-checks.js';

/**
 * The supply half of `mcpm audit`: where an installed server's bytes came from (registry signatures, provenance,
 * publish date) and the policy rules it breaks, from the state alone (src/supply/audit-facts.ts). Drift and
 * findings come from the pin checks' own facts for the same server, so `block-on-drift` and `block-on-findings`
 * are judged here with every other rule, by the one policy evaluation.
 */
export function supplyCheck(pinChecks: { drift: AuditCheck; descriptions: AuditCheck }): AuditCheck {
  return {
    id: 'supply',
    run: async (subject, ctx) => {
      const server = subject.server;
      if (!server) return [];
      const drifted = (await pinChecks.drift.run(subject, ctx)).some((f) => f.status === 'fail');
      const findings = (await pinChecks.descriptions.run(subject, ctx)).some((f) => f.status === 'fail' || f.status === 'warn');
      const [facts] = supplyFacts(ctx, { names: [server.name], drift: { [server.name]: drifted }, findings: { [server.name]: findings } });
      if (!facts) return [];
      const out: AuditFact[] = [];
      if (facts.signatures === 'verified') out.push({ check: 'signatures', status: 'ok', message: `registry signatures verified${facts.keyids?.length ? ` (${facts.keyids.join(', ')})` : ''}` });
      else if (facts.signatures === 'unsigned') out.push({ check: 'signatures', status: 'info', message: 'unsigned: its registry publishes no signing keys mcpm can check' });
      else if (facts.signatures === 'unknown') out.push({ check: 'signatures', status: 'info', message: 'no signature record (installed before mcpm checked signatures; a reinstall checks them)' });
      if (facts.provenance === 'attested' || facts.provenance === 'verified') {
        const how = facts.provenance === 'verified' ? `verified against ${facts.trustRoot ?? 'the sigstore trust root'}` : (facts.provenanceNote ?? 'read, not verified');
        out.push(
          facts.repositoryMatch === false
            ? { check: 'provenance', status: 'warn', message: `attested source ${facts.repository} is not server.json's repository (${how})` }
            : { check: 'provenance', status: facts.provenance === 'verified' ? 'ok' : 'info', message: `${facts.provenance === 'verified' ? 'verified' : 'attested'} source ${facts.repository ?? '(unnamed)'}${facts.repositoryMatch ? ", server.json's repository" : ''} (${how})` },
        );
      }
      for (const violation of facts.violations) out.push({ check: `policy/${violation.rule}`, status: 'fail', message: `${violation.message} (policy ${violation.rule}, set in ${violation.setting})` });
      return out;
    },
  };
}
