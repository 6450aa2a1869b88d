import { chmod, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { formatEnvFileLine } from '../plan/env-file.js';
import { ensureDir, writeFileAtomicSafe } from './files.js';

/**
 * Secret inputs live in one env file per server, mode 0600 in a 0700 folder, and reach the server through node's
 * `--env-file`. They are never written into a client's file, printed, or put in a process's arguments.
 */
export function secretsFile(ctx: Context, serverName: string, profile = ctx.profile): string {
  // Profiles other than the default live under "@<profile>/", which no server namespace can be (no "@" in names).
  const root = profile === 'default' ? ctx.paths.secrets : path.join(ctx.paths.secrets, `@${profile}`);
  return path.join(root, ...serverName.split('/')) + '.env';
}

/**
 * Writes a server's secrets file. npm servers always get one (`always`), even empty, because their entries name it
 * with `--env-file`: `mcpm secrets set` can then add a value without touching any client file.
 */
export async function writeSecrets(
  ctx: Context,
  serverName: string,
  values: Record<string, string>,
  options: { always?: boolean; profile?: string } = {},
): Promise<string | undefined> {
  const file = secretsFile(ctx, serverName, options.profile);
  const keys = Object.keys(values);
  if (keys.length === 0 && !options.always) {
    await rm(file, { force: true });
    return undefined;
  }
  const lines = keys.map((key) => {
    const line = formatEnvFileLine(key, values[key]!);
    if (line === undefined) {
      throw new McpmError('EINPUT', `The value of ${key} cannot be stored in an env file (it contains every kind of quote)`, {
        hint: 'Use a value without all three of \' " and `.',
      });
    }
    return line;
  });
  await ensureDir(path.dirname(file));
  // Only the user may list or read the folders on the way to the file, not only the file itself.
  for (let dir = path.dirname(file); dir.startsWith(ctx.paths.secrets); dir = path.dirname(dir)) await chmod(dir, 0o700).catch(() => undefined);
  const body = lines.length > 0 ? `${lines.join('\n')}\n` : '';
  await writeFileAtomicSafe(file, `# Secrets for ${serverName}, written by mcpm (mcpm secrets set|unset). Mode 0600.\n${body}`, { mode: 0o600 });
  return file;
}

/** Reads back what writeSecrets wrote (only mcpm's own quoting needs to be understood). */
export async function readSecrets(ctx: Context, serverName: string, profile?: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(secretsFile(ctx, serverName, profile), 'utf8');
  } catch {
    return {};
  }
  const values: Record<string, string> = {};
  const pattern = /^([A-Za-z_][A-Za-z0-9_]*)=(['"`])([\s\S]*?)\2$/gm;
  for (const match of text.matchAll(pattern)) values[match[1]!] = match[3]!;
  return values;
}

export async function removeSecrets(ctx: Context, serverName: string, profile?: string): Promise<void> {
  await rm(secretsFile(ctx, serverName, profile), { force: true });
}

/** Every profile's secrets of a server (uninstall). */
export async function removeAllSecrets(ctx: Context, serverName: string): Promise<void> {
  for (const profile of await listProfiles(ctx)) await removeSecrets(ctx, serverName, profile);
}

/** The profiles that have a secrets folder, and "default". */
export async function listProfiles(ctx: Context): Promise<string[]> {
  const names = await readdir(ctx.paths.secrets).catch(() => [] as string[]);
  return ['default', ...names.filter((n) => n.startsWith('@')).map((n) => n.slice(1))];
}
