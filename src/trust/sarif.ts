import type { AuditRow } from './audit.js';
import type { FactStatus } from './audit-checks.js';
import { RULES } from './rules.js';

/**
 * Audit as SARIF 2.1.0, the format CI systems (GitHub code scanning among them) show: one rule per check id (each
 * description rule its own), one result per warn or fail fact, located in the client file it concerns or else in
 * mcpm's lock file.
 */
const LEVEL: Partial<Record<FactStatus, string>> = { fail: 'error', warn: 'warning' };

export function toSarif(rows: AuditRow[], version: string, fallbackFile: string): unknown {
  const results = rows.flatMap((row) => row.facts.filter((fact) => LEVEL[fact.status]).map((fact) => ({
    ruleId: fact.check,
    level: LEVEL[fact.status],
    message: { text: `${row.name}${row.version ? `@${row.version}` : ''}: ${fact.message}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: fileUri(fact.file ?? fallbackFile) } } }],
  })));
  const ids = [...new Set(results.map((r) => r.ruleId))].sort();
  const rules = ids.map((id) => {
    const rule = RULES.find((r) => `descriptions/${r.id}` === id);
    return { id, shortDescription: { text: rule?.title ?? id } };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'mcpm', version, informationUri: 'https://github.com/mcpm', rules } }, results }],
  };
}

function fileUri(file: string): string {
  return file.startsWith('/') ? `file://${encodeURI(file)}` : encodeURI(file.replace(/\\/g, '/'));
}
