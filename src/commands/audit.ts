import { defineCommand } from './spec.js';
import { paint } from '../output.js';
import type { AuditRow } from '../trust/audit.js';

/** `mcpm audit`: one line per server with its verdict; every fact with --verbose; SARIF with --sarif. */
const BADGE = { ok: paint('green', 'ok  '), info: paint('green', 'ok  '), warn: paint('yellow', 'WARN'), fail: paint('red', 'FAIL') } as const;

// Global --verbose is read by the handler; render sees only the result and the command's own options.
let verbose = false;

export function renderAudit(rows: AuditRow[]): string {
  if (rows.length === 0) return 'No servers installed.';
  return rows.map((row) => {
    const worst = row.facts.filter((f) => f.status === row.verdict && row.verdict !== 'ok');
    const head = `${BADGE[row.verdict]}  ${row.name}${row.version ? `@${row.version}` : ''}${worst.length ? `: ${worst.map((f) => `${f.check}: ${f.message}`).join('; ')}` : ''}`;
    if (!verbose) return head;
    return [head, ...row.facts.map((f) => `        ${f.status.padEnd(4)}  ${f.check}: ${f.message}`)].join('\n');
  }).join('\n');
}

export const commands = [
  defineCommand({
    name: 'audit',
    description: 'tool pins, drift, description findings, registry status, plaintext credentials and entries on disk, per server',
    arguments: [['[names...]', 'servers to audit (default: all installed)']],
    options: [
      { flags: '--all', description: 'also every entry in every client that mcpm did not write' },
      { flags: '--sarif', description: 'print SARIF 2.1.0 (for CI code scanning) instead of text' },
    ],
    run: async (ctx, { args, options }) => {
      const { audit } = await import('../trust/audit.js');
      verbose = Boolean(ctx.options.verbose);
      const rows = await audit(ctx, args.names ?? [], { all: Boolean(options.all) });
      const exitCode = rows.some((row) => row.verdict === 'fail') ? 1 : 0;
      if (!options.sarif) return { result: rows, exitCode };
      const { toSarif } = await import('../trust/sarif.js');
      const { mcpmVersion } = await import('../version.js');
      const { lockPath } = await import('../state/lockfile.js');
      return { result: toSarif(rows, mcpmVersion(), lockPath(ctx.paths.state)) as never, exitCode };
    },
    render: (result, { options }) => (options.sarif ? JSON.stringify(result, null, 2) : renderAudit(result)),
  }),
];
