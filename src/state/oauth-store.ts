import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { parseData, record } from '../json.js';
import { withFileLock, writeFileAtomicSafe } from '../fs/files.js';
import { listProfiles, secretsFile } from './secrets.js';

/**
 * A remote server's OAuth credentials, one 0600 file per server and profile in the secrets folder
 * (`secrets/[@<profile>/]<namespace>/<name>.oauth.json`), keyed inside by the authorization server's issuer: a
 * client registration and tokens are only ever used with the issuer that issued them (MCP 2026-07-28, SEP-2352),
 * and tokens only with the resource (the MCP server's canonical URL) they were issued for. Profiles never share
 * a file, so a work login is never sent by the personal profile and logging out of one leaves the other.
 */
export const OAUTH_FORMAT = 2;

export interface StoredClient {
  client_id: string;
  client_secret?: string;
  redirect_uris?: string[];
  issuer?: string;
  [key: string]: unknown;
}

export interface StoredTokens {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
  issuer?: string;
  [key: string]: unknown;
}

export interface IssuerRecord {
  /** The client registration with this issuer (dynamic registration's answer, a metadata document URL, or a pre-registered id). */
  client?: StoredClient;
  tokens?: StoredTokens;
  /** When the tokens were received (ms since the epoch): with `expires_in`, when the access token runs out. */
  tokensSavedAt?: number;
  /** The canonical URL of the MCP server (RFC 8707 `resource`) the tokens were issued for. */
  resource?: string;
  /** The scopes asked for so far (step-up adds to them). */
  scope?: string;
  /** RFC 7009 revocation endpoint, from the issuer's metadata, for logout. */
  revocationEndpoint?: string;
}

export interface OAuthStore {
  formatVersion: typeof OAUTH_FORMAT;
  issuers: Record<string, IssuerRecord>;
  /** The issuer the server's current tokens come from. */
  current?: string;
  /** A client id the user registered themselves (`mcpm login --client-id`), bound to the first issuer it is used with. */
  preRegistered?: { clientId: string; issuer?: string };
}

export function oauthFile(ctx: Context, serverName: string, profile: string): string {
  return secretsFile(ctx, serverName, profile).replace(/\.env$/, '.oauth.json');
}

/** The one file of mcpm before the store was keyed by issuer and profile: at the default profile's path. */
const legacyFile = (ctx: Context, serverName: string) => oauthFile(ctx, serverName, 'default');

// Issuers are names from outside: the map has no prototype (see json.ts).
export const emptyStore = (): OAuthStore => ({ formatVersion: OAUTH_FORMAT, issuers: record<IssuerRecord>() });

/**
 * Reads the store of a server in a profile. `ownsLegacy`: this profile is the one the server used when mcpm kept a
 * single file per server, so that file (if still in the old shape) is read as this profile's, once.
 */
export async function readOAuthStore(ctx: Context, serverName: string, profile: string, ownsLegacy = profile === 'default'): Promise<OAuthStore> {
  const file = oauthFile(ctx, serverName, profile);
  const value = await readJson(file, serverName);
  if (value !== undefined && isCurrent(value)) return value;
  if (value !== undefined) return migrate(value);
  if (!ownsLegacy || profile === 'default') return emptyStore();
  const legacy = await readJson(legacyFile(ctx, serverName), serverName);
  return legacy !== undefined && !isCurrent(legacy) ? migrate(legacy) : emptyStore();
}

/**
 * Changes the store under a lock on its file (another mcpm process may be refreshing the same tokens): reads what
 * is on disk now, applies `change`, writes it back atomically (0600, folders 0700). Returns what was written.
 */
export async function updateOAuthStore(
  ctx: Context,
  serverName: string,
  profile: string,
  change: (store: OAuthStore) => void,
  options: { ownsLegacy?: boolean; locked?: boolean } = {},
): Promise<OAuthStore> {
  const file = oauthFile(ctx, serverName, profile);
  const apply = async () => {
    const store = await readOAuthStore(ctx, serverName, profile, options.ownsLegacy);
    change(store);
    await writeOAuthStore(ctx, file, store);
    // A profile that took over the old single file: the old file goes, so no other profile can read it later.
    if (profile !== 'default' && options.ownsLegacy) {
      const legacy = await readJson(legacyFile(ctx, serverName), serverName).catch(() => undefined);
      if (legacy !== undefined && !isCurrent(legacy)) await rm(legacyFile(ctx, serverName), { force: true });
    }
    return store;
  };
  if (options.locked) return apply();
  await ensureSecretDirs(ctx, path.dirname(file));
  return withFileLock(file, apply);
}

/** Runs `fn` holding the store's lock (one refresh at a time across processes). */
export async function withOAuthLock<T>(ctx: Context, serverName: string, profile: string, fn: () => Promise<T>): Promise<T> {
  const file = oauthFile(ctx, serverName, profile);
  await ensureSecretDirs(ctx, path.dirname(file));
  return withFileLock(file, fn);
}

/** Removes a profile's file (and the old single file, still in its old shape, when this profile owned it). */
export async function removeOAuthStore(ctx: Context, serverName: string, profile: string, ownsLegacy = false): Promise<boolean> {
  let removedLegacy = false;
  if (ownsLegacy && profile !== 'default') {
    const legacy = await readJson(legacyFile(ctx, serverName), serverName).catch(() => undefined);
    if (legacy !== undefined && !isCurrent(legacy)) removedLegacy = await removeFile(legacyFile(ctx, serverName));
  }
  return (await removeFile(oauthFile(ctx, serverName, profile))) || removedLegacy;
}

async function removeFile(file: string): Promise<boolean> {
  try {
    await rm(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new McpmError('EFS', `Cannot remove ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { hint: 'Check its permissions.', cause: error });
  }
}

/** Every profile's OAuth file of a server (uninstall). */
export async function removeAllOAuthStores(ctx: Context, serverName: string): Promise<void> {
  for (const profile of await listProfiles(ctx)) await removeFile(oauthFile(ctx, serverName, profile));
}

/**
 * Creates the folders from the secrets root down to `dir` readable by the user only, whatever file is written
 * first (an OAuth file alone used to leave its namespace folder 0755).
 */
export async function ensureSecretDirs(ctx: Context, dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new McpmError('EFS', `Cannot create the folder ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'Check that no file stands in its place and that you may write there.',
      cause: error,
    });
  }
  for (let at = dir; at.startsWith(ctx.paths.secrets); at = path.dirname(at)) {
    await chmod(at, 0o700).catch(() => undefined);
    if (at === ctx.paths.secrets) break;
  }
}

async function writeOAuthStore(ctx: Context, file: string, store: OAuthStore): Promise<void> {
  await ensureSecretDirs(ctx, path.dirname(file));
  await writeFileAtomicSafe(file, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600 });
}

async function readJson(file: string, serverName: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new McpmError('EFS', `Cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { hint: 'Check its permissions.', cause: error });
  }
  try {
    const value: unknown = parseData(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new McpmError('EPARSE', `${file} is not valid JSON`, { hint: `Run \`mcpm logout ${serverName}\` and \`mcpm login ${serverName}\` to start over.` });
  }
}

function isCurrent(value: Record<string, unknown>): value is OAuthStore & Record<string, unknown> {
  if (value.formatVersion === OAUTH_FORMAT) return typeof value.issuers === 'object' && value.issuers !== null;
  if (typeof value.formatVersion === 'number' && value.formatVersion > OAUTH_FORMAT) {
    throw new McpmError('EFS', 'The OAuth credentials were written by a newer mcpm', { hint: 'Upgrade mcpm, or log out and in again with this one.' });
  }
  return false;
}

/**
 * The file mcpm wrote before (one record per server: `clientInformation`, `tokens`, `discoveryState`): its
 * registration and tokens move under the issuer that issued them. Tokens are kept only when the old record says
 * which resource they were for (its protected resource metadata); otherwise only the registration moves and the
 * next use asks for a new login, since tokens that cannot be bound to a resource are never sent.
 */
export function migrate(old: Record<string, any>): OAuthStore {
  const discovery = old.discoveryState ?? {};
  const issuer: unknown = old.tokens?.issuer ?? old.clientInformation?.issuer ?? discovery.authorizationServerMetadata?.issuer ?? discovery.authorizationServerUrl;
  const store = emptyStore();
  if (typeof issuer !== 'string' || !issuer) return store;
  const record: IssuerRecord = {};
  if (typeof old.clientInformation?.client_id === 'string') record.client = { ...old.clientInformation, issuer };
  const resource = discovery.resourceMetadata?.resource;
  if (typeof old.tokens?.access_token === 'string' && typeof resource === 'string') {
    record.tokens = { ...old.tokens, issuer };
    record.resource = resource;
    if (typeof old.tokensSavedAt === 'number') record.tokensSavedAt = old.tokensSavedAt;
  }
  const revocation = discovery.authorizationServerMetadata?.revocation_endpoint;
  if (typeof revocation === 'string') record.revocationEndpoint = revocation;
  store.issuers[issuer] = record;
  store.current = issuer;
  return store;
}

/** The current tokens, when they were issued for exactly this resource (never another server's). */
export function tokensFor(store: OAuthStore, resource: string): { issuer: string; record: IssuerRecord & { tokens: StoredTokens } } | undefined {
  const issuer = store.current;
  const record = issuer ? store.issuers[issuer] : undefined;
  if (!issuer || !record?.tokens || record.resource !== resource) return undefined;
  return { issuer, record: record as IssuerRecord & { tokens: StoredTokens } };
}

/** The access token's expiry (ms since the epoch), when the server said how long it lasts. */
export function tokenExpiry(record: IssuerRecord): number | undefined {
  const seconds = record.tokens?.expires_in;
  if (typeof seconds !== 'number' || record.tokensSavedAt === undefined) return undefined;
  return record.tokensSavedAt + seconds * 1000;
}

/** The canonical form of an MCP server URL, as RFC 8707 `resource` and as the key tokens are bound to. */
export function canonicalResource(url: URL): string {
  const canonical = new URL(url.href);
  canonical.hash = '';
  return canonical.href;
}

/** The port of the loopback redirect registered before, so a new flow can listen there again. */
export function registeredPort(store: OAuthStore): number | undefined {
  const first = store.issuers[store.current ?? '']?.client?.redirect_uris?.[0];
  if (typeof first !== 'string') return undefined;
  try {
    const url = new URL(first);
    return url.hostname === '127.0.0.1' && url.port ? Number(url.port) : undefined;
  } catch {
    return undefined;
  }
}
