import { defineCommand } from './spec.js';
import { extractWWWAuthenticateParams } from '@modelcontextprotocol/client';
import type { Context } from '../context.js';
import { McpmError, describeSystemError } from '../errors.js';
import { RemoteAuth, type Challenge } from '../auth/session.js';
import { authFetch, describeRedirect, redirectTarget, sameOriginFetch } from '../auth/http.js';
import { installedRemote, remoteTarget, sessionTarget, type RemoteTarget } from '../auth/target.js';
import { oauthFile, readOAuthStore, removeOAuthStore, tokenExpiry, tokensFor, type OAuthStore } from '../state/oauth-store.js';
import { mcpmVersion } from '../version.js';

export interface LoginResult {
  name: string;
  url: string;
  profile: string;
  /** False when the server answered without asking for authorization: nothing was stored. */
  required: boolean;
  /** The issuer of the authorization server the tokens come from (they are kept under it). */
  authorizationServer?: string;
  scope?: string;
  /** When the access token runs out (ISO time), if the server said; `mcpm run` refreshes it then. */
  expiresAt?: string;
  refreshable?: boolean;
  /** The secret store file holding the registrations and tokens (0600). */
  file?: string;
}

/**
 * `mcpm login <name>`: runs a remote server's OAuth authorization ahead of time, so the first `mcpm run` does not
 * stop for a browser. Asks the server first: its 401 says where its authorization server is (RFC 9728).
 */
export async function login(ctx: Context, name: string, options: { clientId?: string } = {}): Promise<LoginResult> {
  const server = installedRemote(ctx, name, 'log in to');
  const target = await remoteTarget(ctx, server);
  if (options.clientId !== undefined && !/^[\x21-\x7e]{1,512}$/.test(options.clientId)) {
    throw new McpmError('EUSAGE', 'A client id is printable text without spaces', { hint: 'Give the id the authorization server showed when you registered mcpm.' });
  }
  const challenge = await probe(ctx, server.name, target);
  if (!challenge) {
    ctx.out.note(`${server.name} answered without asking for authorization; \`mcpm run\` connects to it as it is.`);
    return { name: server.name, url: target.url.href, profile: target.profile, required: false };
  }
  const session = await RemoteAuth.load(ctx, sessionTarget(server, target));
  await session.authorize({ ...challenge, fresh: true, clientId: options.clientId });
  const current = tokensFor(session.stored, session.resource);
  const expiry = current ? tokenExpiry(current.record) : undefined;
  return {
    name: server.name,
    url: target.url.href,
    profile: target.profile,
    required: true,
    authorizationServer: current?.issuer,
    scope: current?.record.tokens.scope,
    ...(expiry !== undefined ? { expiresAt: new Date(expiry).toISOString() } : {}),
    refreshable: Boolean(current?.record.tokens.refresh_token),
    file: oauthFile(ctx, server.name, target.profile),
  };
}

export function renderLogin(result: LoginResult): string {
  if (!result.required) return `${result.name} needs no authorization`;
  const expires = result.expiresAt ? `; the access token expires ${result.expiresAt}${result.refreshable ? ' and is refreshed by `mcpm run`' : ''}` : '';
  const profile = result.profile !== 'default' ? ` in profile ${result.profile}` : '';
  return `Authorized mcpm with ${result.name}${profile}${result.authorizationServer ? ` (at ${result.authorizationServer})` : ''}${expires}`;
}

/**
 * `mcpm logout <name>`: forgets the server's registrations and tokens in this profile, revoking the tokens first
 * where their authorization server offers revocation (RFC 7009); the tokens are forgotten either way.
 */
export async function logout(ctx: Context, name: string): Promise<{ name: string; profile: string; removed: boolean; revoked: boolean }> {
  const server = installedRemote(ctx, name, 'log out of');
  const target = await remoteTarget(ctx, server);
  const ownsLegacy = target.profile === (server.profile ?? 'default');
  const store = await readOAuthStore(ctx, server.name, target.profile, ownsLegacy);
  const revoked = await revoke(ctx, server.name, store);
  const removed = await removeOAuthStore(ctx, server.name, target.profile, ownsLegacy);
  return { name: server.name, profile: target.profile, removed, revoked };
}

/**
 * An unauthenticated first request, as a client's would be: a 401 means authorization, with its hints. A
 * stateless `server/discover` (MCP 2026-07-28), which opens no session on servers of any protocol version; for SSE
 * a GET. It carries the installed headers, so it follows no redirect to another origin.
 */
async function probe(ctx: Context, serverName: string, target: RemoteTarget): Promise<Challenge | undefined> {
  const headers = new Headers(target.headers);
  let init: RequestInit;
  if (target.transport === 'sse') {
    headers.set('accept', 'text/event-stream');
    init = { method: 'GET', headers };
  } else {
    headers.set('accept', 'application/json, text/event-stream');
    headers.set('content-type', 'application/json');
    headers.set('mcp-protocol-version', '2026-07-28');
    headers.set('mcp-method', 'server/discover');
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'mcpm', version: mcpmVersion() },
      'io.modelcontextprotocol/clientCapabilities': {},
    };
    init = { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'server/discover', params: { _meta: meta } }) };
  }
  let response: Response;
  try {
    response = await sameOriginFetch(target.url, { ...init, signal: AbortSignal.timeout(ctx.timeoutMs) });
  } catch (error) {
    throw new McpmError('ENETWORK', `Cannot reach ${serverName} at ${target.url.href} (${describeSystemError((error as Error).cause ?? error)})`, {
      hint: 'Check the URL (`mcpm info`) and your network; --timeout waits longer.',
      cause: error,
    });
  }
  await response.body?.cancel().catch(() => undefined);
  if (redirectTarget(target.url, response)) {
    throw new McpmError('ENETWORK', `${serverName} answered HTTP ${response.status} at ${target.url.href}: ${describeRedirect(target.url, response)}`, {
      hint: 'If the server moved, reinstall it with its new URL (`mcpm info` shows what the registry says).',
    });
  }
  if (response.status === 401) {
    const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(response);
    return { resourceMetadataUrl, scope };
  }
  if (response.status === 404 || response.status >= 500) {
    throw new McpmError('ENETWORK', `${serverName} answered HTTP ${response.status} at ${target.url.href}`, { hint: 'The server may be down, or its URL may have changed: see `mcpm info`.' });
  }
  // A server that opened a session anyway, and needs no authorization: close it again.
  const session = response.headers.get('mcp-session-id');
  if (session) {
    await sameOriginFetch(target.url, { method: 'DELETE', headers: { ...target.headers, 'mcp-session-id': session }, signal: AbortSignal.timeout(ctx.timeoutMs) })
      .then((r) => r.body?.cancel())
      .catch(() => undefined);
  }
  return undefined;
}

/** Best effort: true when the authorization servers confirmed every revocation. */
async function revoke(ctx: Context, serverName: string, store: OAuthStore): Promise<boolean> {
  let all = true;
  let any = false;
  for (const record of Object.values(store.issuers)) {
    const tokens = [
      ...(record.tokens?.refresh_token ? [{ token: record.tokens.refresh_token, hint: 'refresh_token' }] : []),
      ...(record.tokens?.access_token ? [{ token: record.tokens.access_token, hint: 'access_token' }] : []),
    ];
    if (!record.revocationEndpoint || !record.client || tokens.length === 0) continue;
    any = true;
    for (const { token, hint } of tokens) {
      const body = new URLSearchParams({ token, token_type_hint: hint, client_id: record.client.client_id });
      if (typeof record.client.client_secret === 'string') body.set('client_secret', record.client.client_secret);
      try {
        const response = await authFetch(record.revocationEndpoint, { method: 'POST', body, signal: AbortSignal.timeout(ctx.timeoutMs) });
        all &&= response.ok;
      } catch {
        all = false;
      }
    }
  }
  if (any && !all) ctx.out.warn(`The authorization server of ${serverName} did not confirm the revocation; the tokens were forgotten here anyway`);
  return any && all;
}

export const commands = [
  defineCommand({
    name: 'login',
    description: 'authorize mcpm with a remote server (OAuth in your browser); the tokens go to the secret store',
    arguments: [['<name>', 'full name, short name or entry key']],
    options: [{ flags: '--client-id <id>', description: 'a client id you registered with the server\'s authorization server (used before any other registration)' }],
    run: async (ctx, { args, options }) => ({ result: await login(ctx, args.name, { clientId: options.clientId }) }),
    render: renderLogin,
  }),
  defineCommand({
    name: 'logout',
    description: 'forget (and revoke, where the server allows) a remote server\'s OAuth tokens in this profile',
    arguments: [['<name>', 'full name, short name or entry key']],
    run: async (ctx, { args }) => ({ result: await logout(ctx, args.name) }),
    render: (result) => (result.removed ? `Signed out of ${result.name}${result.revoked ? ' (tokens revoked)' : ''}` : `${result.name} had no stored tokens`),
  }),
];
