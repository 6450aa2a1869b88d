import type { Context } from '../context.js';
import { editorFor } from '../clients/editor.js';
import { samePath } from '../clients/paths.js';
import { chooseClients, locationOfEntry } from '../clients/targets.js';
import { readClientFile } from '../clients/write.js';
import { McpmError } from '../errors.js';
import { byName, readState, requireInstalled, type InstalledServer } from '../state/installed.js';
import { AUDIT_CHECKS, type AuditCheck, type AuditEntry, type AuditFact, type AuditSubject, type FactStatus } from './audit-checks.js';

/**
 * `mcpm audit`: every check of AUDIT_CHECKS over every installed server (or the ones named), and with `all` over
 * every entry of every client that mcpm did not write. Reads state and files only: no server is started (drift is
 * what the last `mcpm check` saw), so it is quick enough for CI after `mcpm check`.
 */
export interface AuditRow {
  name: string;
  managed: boolean;
  version?: string;
  verdict: FactStatus;
  facts: AuditFact[];
}

const RANK: Record<FactStatus, number> = { ok: 0, info: 0, warn: 1, fail: 2 };

export function verdictOf(facts: AuditFact[]): FactStatus {
  return facts.reduce<FactStatus>((worst, fact) => (RANK[fact.status] > RANK[worst] ? fact.status : worst), 'ok');
}

export async function audit(ctx: Context, names: string[], options: { all?: boolean } = {}, checks: AuditCheck[] = AUDIT_CHECKS): Promise<AuditRow[]> {
  const state = readState(ctx);
  const servers = names.length > 0 ? names.map((name) => requireInstalled(state, name)) : Object.values(state.servers).sort(byName);
  const subjects: AuditSubject[] = [];
  for (const server of servers) subjects.push({ name: server.name, managed: true, server, entries: await managedEntries(server) });
  if (options.all) subjects.push(...(await foreignSubjects(ctx, Object.values(state.servers))));
  const rows: AuditRow[] = [];
  for (const subject of subjects) {
    const facts = (await Promise.all(checks.map((check) => check.run(subject, ctx)))).flat();
    rows.push({ name: subject.name, managed: subject.managed, ...(subject.server ? { version: subject.server.version } : {}), verdict: verdictOf(facts), facts });
  }
  return rows;
}

async function managedEntries(server: InstalledServer): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for (const entry of server.entries.filter((e) => !e.disabled)) {
    const base = { client: entry.client, file: entry.file, key: entry.key, ...(entry.written !== undefined ? { written: entry.written } : {}) };
    try {
      const location = locationOfEntry(entry);
      const text = await readClientFile(location, 'read');
      const value = text === undefined ? undefined : editorFor(location.client.format).get(location.file, text, location.client.serversPath, entry.key);
      entries.push({ ...base, ...(value !== undefined ? { value } : {}) });
    } catch (error) {
      entries.push({ ...base, unreadable: (error as Error).message });
    }
  }
  return entries;
}

/** Every entry in every client's file that no installed server's entries account for, one subject per entry. */
async function foreignSubjects(ctx: Context, servers: InstalledServer[]): Promise<AuditSubject[]> {
  const managed = servers.flatMap((s) => s.entries);
  const locations = await chooseClients(ctx, ['all']).catch((error: unknown) => {
    if (error instanceof McpmError && error.code === 'ENOCLIENT') return [];
    throw error;
  });
  const subjects: AuditSubject[] = [];
  for (const location of locations) {
    let text: string | undefined;
    try {
      text = await readClientFile(location, 'read');
    } catch {
      continue;
    }
    if (text === undefined) continue;
    const editor = editorFor(location.client.format);
    for (const key of editor.keys(location.file, text, location.client.serversPath)) {
      if (managed.some((e) => e.client === location.client.id && samePath(e.file, location.file) && e.key === key)) continue;
      const value = editor.get(location.file, text, location.client.serversPath, key);
      subjects.push({ name: `${key} (${location.client.id})`, managed: false, entries: [{ client: location.client.id, file: location.file, key, value }] });
    }
  }
  return subjects;
}
