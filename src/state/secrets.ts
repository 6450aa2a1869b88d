import { chmod, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { envFileText, formatEnvFileLine, parseEnvFile } from '../plan/env-file.js';
import type { EnvFileFormat } from '../plan/launch.js';
import type { ArgValues } from '../plan/request.js';
import { ensureDir, writeFileAtomicSafe } from '../fs/files.js';
import { keychainDelete, keychainRead, keychainWrite, secretsBackend } from './keychain.js';

/**
 * Secret inputs live in one env file per server, mode 0600 in a 0700 folder, written in the format of the
 * launcher that reads it (node's, docker's or uv's --env-file; see plan/env-file.ts). They are never written into
 * mcpm's state, printed, or put in a process's arguments by mcpm.
 */
export function secretsFile(ctx: Context, serverName: string, profile = ctx.profile): string {
  // Profiles other than the default live under "@<profile>/", which no server namespace can be (no "@" in names).
  const root = profile === 'default' ? ctx.paths.secrets : path.join(ctx.paths.secrets, `@${profile}`);
  return path.join(root, ...serverName.split('/')) + '.env';
}

export interface Secrets {
  env: Record<string, string>;
  /** Secret argument values, kept for reinstalls (as comment lines no launcher reads). */
  args: ArgValues;
  /** The launcher format the file was written in (read back from its header). */
  format?: EnvFileFormat;
}

/**
 * Writes the file; returns its path when it holds environment values (what a launcher should be pointed at), or
 * always for `always` (npm entries always name their file with --env-file, so `mcpm secrets set` can add a value
 * without touching a client file).
 */
export async function writeSecrets(
  ctx: Context,
  serverName: string,
  secrets: Secrets,
  format: EnvFileFormat = 'node',
  options: { always?: boolean; profile?: string } = {},
): Promise<string | undefined> {
  let { env, args } = secrets;
  const file = secretsFile(ctx, serverName, options.profile);
  if (secretsBackend(ctx) === 'keychain') {
    // Values go to the keychain; the file keeps only its header (the format) so the rest of mcpm reads as usual.
    await keychainWrite(serverName, options.profile ?? ctx.profile, { env, args });
    env = {};
    args = {};
  }
  const keys = Object.keys(env);
  if (keys.length === 0 && Object.keys(args).length === 0 && !options.always) {
    await rm(file, { force: true });
    return undefined;
  }
  const lines = keys.map((key) => {
    const line = formatEnvFileLine(key, env[key]!, format);
    if (line === undefined) {
      throw new McpmError('EINPUT', `The secret ${key} cannot be stored in ${format === 'node' ? "node's" : format === 'docker' ? "docker's" : "uv's"} env file (its name or value has characters that file cannot hold)`, {
        hint: format === 'node'
          ? 'A value may not hold a carriage return or NUL (they would not arrive intact), nor all three of \' " and `.'
          : 'Use a name of letters, digits and _ and a value on one line, without NUL.',
      });
    }
    return line;
  });
  await ensureDir(path.dirname(file));
  // Only the user may list or read the folders on the way to the file, not only the file itself.
  for (let dir = path.dirname(file); dir.startsWith(ctx.paths.secrets); dir = path.dirname(dir)) await chmod(dir, 0o700).catch(() => undefined);
  await writeFileAtomicSafe(file, envFileText(serverName, format, lines, args), { mode: 0o600 });
  return keys.length > 0 || options.always ? file : undefined;
}

/** Reads back what writeSecrets wrote. */
export async function readAllSecrets(ctx: Context, serverName: string, profile?: string): Promise<Secrets> {
  let text: string;
  try {
    text = await readFile(secretsFile(ctx, serverName, profile), 'utf8');
  } catch {
    return { env: {}, args: {} };
  }
  const parsed = parseEnvFile(text);
  if (secretsBackend(ctx) !== 'keychain') return parsed;
  const stored = await keychainRead<Secrets>(serverName, profile ?? ctx.profile);
  return { ...parsed, env: stored?.env ?? {}, args: stored?.args ?? {} };
}

/** The secret environment values only. */
export async function readSecrets(ctx: Context, serverName: string, profile?: string): Promise<Record<string, string>> {
  return (await readAllSecrets(ctx, serverName, profile)).env;
}

/** The file as it is now, to put back if an install fails (format, argument lines and all). */
export async function snapshotSecrets(ctx: Context, serverName: string): Promise<() => Promise<void>> {
  const file = secretsFile(ctx, serverName);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return async () => {
    if (text === undefined) await rm(file, { force: true });
    else await writeFileAtomicSafe(file, text, { mode: 0o600 });
  };
}

export async function removeSecrets(ctx: Context, serverName: string, profile?: string): Promise<void> {
  await rm(secretsFile(ctx, serverName, profile), { force: true });
  if (secretsBackend(ctx) === 'keychain') await keychainDelete(serverName, profile ?? ctx.profile);
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
