import { chmod, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { parseData } from '../json.js';
import { ensureDir, writeFileAtomicSafe } from '../fs/files.js';

/**
 * Secrets that do not fit an env file, beside it in the secrets folder, one 0600 JSON file per server and kind:
 * `oauth` (a remote server's OAuth client registration, tokens, PKCE verifier and discovery state). Secret argument
 * values live in the env file itself (see plan/env-file.ts). Like the env file, these are never printed, logged, or
 * copied into a client's file or mcpm's state.
 */
export type SecretKind = 'oauth';

export function secretJsonFile(ctx: Context, serverName: string, kind: SecretKind): string {
  return `${path.join(ctx.paths.secrets, ...serverName.split('/'))}.${kind}.json`;
}

export async function readSecretJson<T>(ctx: Context, serverName: string, kind: SecretKind): Promise<T | undefined> {
  const file = secretJsonFile(ctx, serverName, kind);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new McpmError('EFS', `Cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { hint: 'Check its permissions.', cause: error });
  }
  try {
    return parseData(text) as T;
  } catch {
    throw new McpmError('EPARSE', `${file} is not valid JSON`, {
      hint: kind === 'oauth' ? `Run \`mcpm logout ${serverName}\` and \`mcpm login ${serverName}\` to start over.` : `Reinstall ${serverName} to write it again.`,
    });
  }
}

/** Writes (0600, atomically) or, given nothing, removes the file. */
export async function writeSecretJson(ctx: Context, serverName: string, kind: SecretKind, value: unknown): Promise<void> {
  const file = secretJsonFile(ctx, serverName, kind);
  if (value === undefined) {
    await rm(file, { force: true });
    return;
  }
  await ensureDir(path.dirname(file));
  await chmod(ctx.paths.secrets, 0o700).catch(() => undefined);
  await writeFileAtomicSafe(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}

export async function removeSecretJson(ctx: Context, serverName: string, kind: SecretKind): Promise<boolean> {
  const file = secretJsonFile(ctx, serverName, kind);
  try {
    await rm(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
