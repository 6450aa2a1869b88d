import { defineCommand } from './spec.js';
import type { Context } from '../context.js';
import { readState } from '../state/installed.js';
import { table } from './list.js';
import { everyLocation } from '../clients/targets.js';
import { samePath } from '../clients/paths.js';
import { shortSource } from '../clients/doc-table.js';
import { readGatewayClients } from '../serve/gateway-clients.js';

export interface ClientRow {
  id: string;
  name: string;
  detected: boolean;
  /** The file mcpm would edit ('' where it has none on this OS). */
  file: string;
  format: string;
  projectFile?: string;
  managed: number;
  /** Where the row's facts come from (the client's documentation or source). */
  source: string;
  /** Why mcpm will not write this client's file here, if it will not. */
  unsupported?: string;
  /** The client reaches mcpm's servers through one `mcpm serve` entry (`mcpm gateway enable`). */
  gateway?: boolean;
}

/** Every known client: detected here or not, the file mcpm would edit, and how many servers mcpm manages there. */
export function clients(ctx: Context): ClientRow[] {
  const entries = Object.values(readState(ctx).servers).flatMap((server) => server.entries);
  const gateway = readGatewayClients(ctx);
  return everyLocation(ctx).map((location) => ({
    id: location.client.id,
    name: location.client.name,
    detected: location.detected,
    // A client mcpm cannot write here has no file to name (Visual Studio's would only be read on Windows).
    file: location.unsupported ? '' : location.file,
    format: location.client.format,
    ...(location.client.projectFile ? { projectFile: location.client.projectFile } : {}),
    managed: location.file && !location.unsupported ? entries.filter((e) => e.client === location.client.id && samePath(e.file, location.file)).length : 0,
    source: location.client.source,
    ...(location.unsupported ? { unsupported: location.unsupported } : {}),
    ...(Object.hasOwn(gateway, location.client.id) ? { gateway: true } : {}),
  }));
}

export function renderClients(rows: ClientRow[]): string {
  const body = table(
    ['CLIENT', 'DETECTED', 'MANAGED', 'FILE', 'SOURCE'],
    rows.map((r) => [r.id, r.detected ? 'yes' : 'no', r.gateway ? 'gateway' : String(r.managed), r.unsupported ? '(not writable)' : r.file, shortSource(r.source)]),
  );
  const refused = rows.filter((r) => r.unsupported);
  if (refused.length === 0) return body;
  return `${body}\n\nNot writable by mcpm here:\n${refused.map((r) => `  ${r.id}: ${r.unsupported}`).join('\n')}`;
}

export const commands = [
  defineCommand({
    name: 'clients',
    description: 'list the MCP clients mcpm knows, whether each is detected, and its file',
    run: async (ctx) => ({ result: clients(ctx) }),
    render: renderClients,
  }),
];
