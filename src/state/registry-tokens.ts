import { readFileSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { parseData } from '../json.js';
import { own } from '../json.js';

/**
 * Registry tokens given with `mcpm registry add --token-stdin`: one 0600 file in the 0700 secrets folder, keyed by
 * registry name. Read only to build that registry's Authorization header; never printed, logged or cached.
 */
export const TOKENS_FORMAT = 1;

interface TokenFile {
  formatVersion: number;
  /** By registry name, with the URL it was given for: a token is used only while the name still means that URL. */
  tokens: Record<string, { url: string; token: string }>;
}

export function tokensFile(ctx: Context): string {
  return path.join(ctx.paths.secrets, 'registry-tokens.json');
}

function readTokens(ctx: Context): TokenFile {
  const file = tokensFile(ctx);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { formatVersion: TOKENS_FORMAT, tokens: {} };
    throw new McpmError('EFS', `Cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { hint: 'Check its permissions.' });
  }
  let value: Partial<TokenFile>;
  try {
    value = parseData(text) as Partial<TokenFile>;
  } catch {
    // The message names the file only: its content is secret.
    throw new McpmError('EPARSE', `${file} is not valid JSON`, { hint: 'Delete it and add the tokens again with `mcpm registry add <url> --name <n> --token-stdin`.' });
  }
  if (typeof value.formatVersion !== 'number' || value.formatVersion > TOKENS_FORMAT) {
    throw new McpmError('EUNSUPPORTED', `${file} was written by a newer mcpm (format ${String(value.formatVersion)})`, { hint: 'Upgrade mcpm.' });
  }
  return { formatVersion: TOKENS_FORMAT, tokens: value.tokens && typeof value.tokens === 'object' ? value.tokens : {} };
}

export function readStoredToken(ctx: Context, name: string, url: string): string | undefined {
  const stored = own(readTokens(ctx).tokens, name);
  return stored && stored.url === url && typeof stored.token === 'string' && stored.token !== '' ? stored.token : undefined;
}

export function hasStoredToken(ctx: Context, name: string, url: string): boolean {
  return readStoredToken(ctx, name, url) !== undefined;
}

/** Sets (a string) or removes (undefined) the token of one registry. */
export async function storeToken(ctx: Context, name: string, url: string, token: string | undefined): Promise<void> {
  const { ensureDir, withFileLock, writeFileAtomicSafe } = await import('../fs/files.js');
  const file = tokensFile(ctx);
  await ensureDir(ctx.paths.secrets);
  await chmod(ctx.paths.secrets, 0o700).catch(() => undefined);
  await withFileLock(file, async () => {
    const current = readTokens(ctx);
    if (token === undefined) {
      if (!(name in current.tokens)) return;
      delete current.tokens[name];
    } else current.tokens[name] = { url, token };
    await writeFileAtomicSafe(file, `${JSON.stringify(current, null, 2)}\n`, { mode: 0o600 });
  });
}
