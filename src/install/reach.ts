import type { Context } from '../context.js';
import { samePath } from '../clients/paths.js';
import type { InstalledServer, ManagedEntry } from '../state/installed.js';

/**
 * Which of a server's entries a command may touch: the user's own files, and the current project's (--project or
 * the nearest mcpm.json upwards), never another project's; with --client, only those clients.
 */
export interface ReachableEntries {
  chosen: ManagedEntry[];
  /** Entries left alone, with why. */
  elsewhere: Array<ManagedEntry & { why: string }>;
}

export function inReach(ctx: Context, entry: ManagedEntry): boolean {
  if (entry.scope !== 'project') return true;
  const here = ctx.project;
  return entry.project !== undefined && here !== undefined && samePath(entry.project, here);
}

export function entriesInReach(ctx: Context, server: InstalledServer, clients: string[] = []): ReachableEntries {
  const chosen: ManagedEntry[] = [];
  const elsewhere: ReachableEntries['elsewhere'] = [];
  for (const entry of server.entries) {
    if (!inReach(ctx, entry)) elsewhere.push({ ...entry, why: `in another project (${entry.project ?? 'unknown'}): run the command there, or with --project` });
    else if (clients.length > 0 && !clients.includes(entry.client)) elsewhere.push({ ...entry, why: 'not chosen with --client' });
    else chosen.push(entry);
  }
  return { chosen, elsewhere };
}
