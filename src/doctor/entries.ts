import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { editorFor } from '../clients/editor.js';
import type { ClientLocation } from '../clients/locate.js';
import { samePath } from '../clients/paths.js';
import { locationOfEntry } from '../clients/targets.js';
import { readClientFile } from '../clients/write.js';
import { plaintextCredentials } from '../plan/credentials.js';
import { readForeignEntry } from '../plan/foreign.js';
import type { InstalledServer, InstalledState, ManagedEntry } from '../state/installed.js';
import { readAllSecrets } from '../state/secrets.js';
import type { Problem } from './problems.js';

/**
 * Why an entry mcpm manages would not start, or leaks: the command it starts is gone (a node upgraded away with
 * nvm), the store version it starts is gone, a secret it needs is not stored, a credential sits in the file.
 * A file that does not parse is reported once, by fileProblems.
 */
export async function entryProblems(server: InstalledServer, entry: ManagedEntry): Promise<Problem[]> {
  if (entry.disabled) return [];
  const location = locationOfEntry(entry);
  const base = { server: server.name, client: entry.client, file: entry.file };
  let value: unknown;
  try {
    const text = await readClientFile(location, 'read');
    value = text === undefined ? undefined : editorFor(location.client.format).get(location.file, text, location.client.serversPath, entry.key);
  } catch {
    return [];
  }
  if (value === undefined) return [{ kind: 'entry-missing', ...base, message: `${entry.file} no longer has the entry "${entry.key}"` }];
  const launch = readForeignEntry(value);
  const problems: Problem[] = [];
  if (launch.command && path.isAbsolute(launch.command) && !existsSync(launch.command)) {
    const node = path.basename(launch.command).startsWith('node');
    problems.push({ kind: node ? 'node-missing' : 'command-missing', ...base, message: `${launch.command}, ${node ? 'the node' : 'the command'} that "${entry.key}" starts with, no longer exists` });
  }
  const bin = launch.args.find((arg) => server.storePath && arg.startsWith(path.dirname(server.storePath)));
  if (bin && !existsSync(bin)) problems.push({ kind: 'store-missing', ...base, message: `"${entry.key}" starts ${bin}, which is not in the store` });
  for (const where of plaintextCredentials(launch)) {
    problems.push({ kind: 'plaintext-secret', ...base, detail: where, message: `${where} of "${entry.key}" is a credential in plaintext in ${entry.file}` });
  }
  return problems;
}

/** Secrets the server was installed with that its secrets file no longer holds. */
export async function secretProblems(ctx: Context, server: InstalledServer): Promise<Problem[]> {
  const names = [...server.secretEnv, ...(server.secretArgs ?? [])];
  if (names.length === 0) return [];
  const stored = await readAllSecrets(ctx, server.name, server.profile ?? 'default');
  const missing = names.filter((name) => !Object.hasOwn(stored.env, name) && !Object.hasOwn(stored.args, name));
  return missing.map((name) => ({
    kind: 'secret-missing' as const,
    server: server.name,
    detail: name,
    message: `${server.name} needs the secret ${name}, which is not stored`,
    hint: `mcpm secrets set ${server.name} ${name}`,
  }));
}

/** Every client file that does not parse, once per file, whatever number of servers it holds. */
export async function fileProblems(locations: ClientLocation[]): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const location of locations) {
    if (problems.some((p) => p.file !== undefined && samePath(p.file, location.file))) continue;
    try {
      await readClientFile(location, 'read');
    } catch (error) {
      problems.push({ kind: 'unparseable-file', client: location.client.id, file: location.file, message: (error as Error).message });
    }
  }
  return problems;
}

/** Credentials in plaintext in entries mcpm does not manage: reported (the user decides), never changed. */
export async function foreignProblems(locations: ClientLocation[], state: InstalledState): Promise<Problem[]> {
  const managed = Object.values(state.servers).flatMap((s) => s.entries);
  const problems: Problem[] = [];
  for (const location of locations) {
    const text = await readClientFile(location, 'read').catch(() => undefined);
    if (text === undefined) continue;
    const editor = editorFor(location.client.format);
    const { serversPath } = location.client;
    for (const key of editor.keys(location.file, text, serversPath)) {
      if (managed.some((e) => e.key === key && samePath(e.file, location.file))) continue;
      for (const where of plaintextCredentials(readForeignEntry(editor.get(location.file, text, serversPath, key)))) {
        problems.push({
          kind: 'plaintext-secret',
          client: location.client.id,
          file: location.file,
          detail: where,
          message: `${where} of "${key}" (not managed by mcpm) is a credential in plaintext in ${location.file}`,
          hint: `\`mcpm import --adopt\` moves it into mcpm's secrets file when the entry matches a registry server; otherwise move it out by hand`,
        });
      }
    }
  }
  return problems;
}
