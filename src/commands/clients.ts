import { defineCommand } from './spec.js';
import type { Context } from '../context.js';
import { readState } from '../state/installed.js';
import { table } from './list.js';
import { allLocations } from '../clients/targets.js';
import { samePath } from '../clients/paths.js';

export interface ClientRow {
  id: string;
  name: string;
  detected: boolean;
  file: string;
  format: string;
  projectFile?: string;
  managed: number;
}

/** Every known client: detected here or not, the file mcpm would edit, and how many servers mcpm manages there. */
export function clients(ctx: Context): ClientRow[] {
  const entries = Object.values(readState(ctx).servers).flatMap((server) => server.entries);
  return allLocations(ctx).map((location) => ({
    id: location.client.id,
    name: location.client.name,
    detected: location.detected,
    file: location.file,
    format: location.client.format,
    ...(location.client.projectFile ? { projectFile: location.client.projectFile } : {}),
    managed: entries.filter((e) => e.client === location.client.id && samePath(e.file, location.file)).length,
  }));
}

export function renderClients(rows: ClientRow[]): string {
  return table(
    ['CLIENT', 'DETECTED', 'MANAGED', 'FILE'],
    rows.map((r) => [r.id, r.detected ? 'yes' : 'no', String(r.managed), r.file]),
  );
}

export const commands = [
  defineCommand({
    name: 'clients',
    description: 'list the MCP clients mcpm knows, whether each is detected, and its file',
    run: async (ctx) => ({ result: clients(ctx) }),
    render: renderClients,
  }),
];
