import { defineCommand } from './spec.js';
import { extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import type { Context } from '../context.js';
import { McpmError, describeSystemError } from '../errors.js';
import { tokenExpiry, type OAuthRecord } from '../auth/provider.js';
import { RemoteAuth, type Challenge } from '../auth/session.js';
import { installedRemote, remoteTarget, type RemoteTarget } from '../auth/target.js';
import { readSecretJson, removeSecretJson, secretJsonFile } from '../state/secret-json.js';
import { mcpmVersion } from '../version.js';

export interface LoginResult {
  name: string;
  url: string;
  /** False when the server answered without asking for authorization: nothing was stored. */
  required: boolean;
  authorizationServer?: string;
  scope?: string;
  /** When the access token runs out (ISO time), if the server said; `mcpm run` refreshes it then. */
  expiresAt?: string;
  refreshable?: boolean;
  /** The secret store file holding the registration and tokens (0600). */
  file?: string;
}

/**
 * `mcpm login <name>`: runs a remote server's OAuth authorization ahead of time, so the first `mcpm run` does not
 * stop for a browser. Asks the server first: its 401 says where its authorization server is (RFC 9728).
 */
export async function login(ctx: Context, name: string): Promise<LoginResult> {
  const server = installedRemote(ctx, name, 'log in to');
  const target = await remoteTarget(ctx, server);
  const challenge = await probe(ctx, server.name, target);
  if (!challenge) {
    ctx.out.note(`${server.name} answered without asking for authorization; \`mcpm run\` connects to it as it is.`);
    return { name: server.name, url: target.url.href, required: false };
  }
  const session = await RemoteAuth.load(ctx, server.name, target.url, target.headers);
  await session.authorize({ ...challenge, fresh: true });
  const record = session.stored;
  const expiry = tokenExpiry(record);
  return {
    name: server.name,
    url: target.url.href,
    required: true,
    authorizationServer: record.discoveryState?.authorizationServerUrl,
    scope: record.tokens?.scope,
    ...(expiry !== undefined ? { expiresAt: new Date(expiry).toISOString() } : {}),
    refreshable: Boolean(record.tokens?.refresh_token),
    file: secretJsonFile(ctx, server.name, 'oauth'),
  };
}

export function renderLogin(result: LoginResult): string {
  if (!result.required) return `${result.name} needs no authorization`;
  const expires = result.expiresAt ? `; the access token expires ${result.expiresAt}${result.refreshable ? ' and is refreshed by `mcpm run`' : ''}` : '';
  return `Authorized mcpm with ${result.name}${result.authorizationServer ? ` (at ${result.authorizationServer})` : ''}${expires}`;
}

/**
 * `mcpm logout <name>`: forgets the server's tokens and registration, revoking the tokens first where the
 * authorization server offers revocation (RFC 7009); the tokens are forgotten either way.
 */
export async function logout(ctx: Context, name: string): Promise<{ name: string; removed: boolean; revoked: boolean }> {
  const server = installedRemote(ctx, name, 'log out of');
  const record = await readSecretJson<OAuthRecord>(ctx, server.name, 'oauth');
  const revoked = record ? await revoke(ctx, server.name, record) : false;
  const removed = await removeSecretJson(ctx, server.name, 'oauth');
  return { name: server.name, removed, revoked };
}

/** An unauthenticated first request, as a client's would be: a 401 means authorization, with its hints. */
async function probe(ctx: Context, serverName: string, target: RemoteTarget): Promise<Challenge | undefined> {
  const headers = new Headers(target.headers);
  let init: RequestInit;
  if (target.transport === 'sse') {
    headers.set('accept', 'text/event-stream');
    init = { method: 'GET', headers };
  } else {
    headers.set('accept', 'application/json, text/event-stream');
    headers.set('content-type', 'application/json');
    const initialize = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'mcpm', version: mcpmVersion() } } };
    init = { method: 'POST', headers, body: JSON.stringify(initialize) };
  }
  let response: Response;
  try {
    response = await fetch(target.url, { ...init, signal: AbortSignal.timeout(ctx.timeoutMs) });
  } catch (error) {
    throw new McpmError('ENETWORK', `Cannot reach ${serverName} at ${target.url.href} (${describeSystemError((error as Error).cause ?? error)})`, {
      hint: 'Check the URL (`mcpm info`) and your network; --timeout waits longer.',
      cause: error,
    });
  }
  await response.body?.cancel().catch(() => undefined);
  if (response.status === 401) {
    const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(response);
    return { resourceMetadataUrl, scope };
  }
  if (response.status === 404 || response.status >= 500) {
    throw new McpmError('ENETWORK', `${serverName} answered HTTP ${response.status} at ${target.url.href}`, { hint: 'The server may be down, or its URL may have changed: see `mcpm info`.' });
  }
  // The probe opened a session on a server that needs no authorization: close it again.
  const session = response.headers.get('mcp-session-id');
  if (session) {
    await fetch(target.url, { method: 'DELETE', headers: { ...target.headers, 'mcp-session-id': session }, signal: AbortSignal.timeout(ctx.timeoutMs) })
      .then((r) => r.body?.cancel())
      .catch(() => undefined);
  }
  return undefined;
}

/** Best effort: true when the authorization server confirmed every revocation. */
async function revoke(ctx: Context, serverName: string, record: OAuthRecord): Promise<boolean> {
  const metadata = record.discoveryState?.authorizationServerMetadata as { revocation_endpoint?: string } | undefined;
  const endpoint = metadata?.revocation_endpoint;
  const client = record.clientInformation;
  const tokens = [
    ...(record.tokens?.refresh_token ? [{ token: record.tokens.refresh_token, hint: 'refresh_token' }] : []),
    ...(record.tokens?.access_token ? [{ token: record.tokens.access_token, hint: 'access_token' }] : []),
  ];
  if (!endpoint || !client || tokens.length === 0) return false;
  let all = true;
  for (const { token, hint } of tokens) {
    const body = new URLSearchParams({ token, token_type_hint: hint, client_id: client.client_id });
    if (client.client_secret) body.set('client_secret', client.client_secret);
    try {
      const response = await fetch(endpoint, { method: 'POST', body, signal: AbortSignal.timeout(ctx.timeoutMs) });
      await response.body?.cancel().catch(() => undefined);
      all &&= response.ok;
    } catch {
      all = false;
    }
  }
  if (!all) ctx.out.warn(`The authorization server of ${serverName} did not confirm the revocation; the tokens were forgotten here anyway`);
  return all;
}

export const commands = [
  defineCommand({
    name: 'login',
    description: 'authorize mcpm with a remote server (OAuth in your browser); the tokens go to the secret store',
    arguments: [['<name>', 'full name, short name or entry key']],
    run: async (ctx, { args }) => ({ result: await login(ctx, args.name) }),
    render: renderLogin,
  }),
  defineCommand({
    name: 'logout',
    description: 'forget (and revoke, where the server allows) a remote server\'s OAuth tokens',
    arguments: [['<name>', 'full name, short name or entry key']],
    run: async (ctx, { args }) => ({ result: await logout(ctx, args.name) }),
    render: (result) => (result.removed ? `Signed out of ${result.name}${result.revoked ? ' (tokens revoked)' : ''}` : `${result.name} had no stored tokens`),
  }),
];
