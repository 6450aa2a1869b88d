import { auth, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Context } from '../context.js';
import { McpmError, describeSystemError } from '../errors.js';
import { readSecretJson, writeSecretJson } from '../state/secret-json.js';
import { mcpmVersion } from '../version.js';
import { openBrowser } from './browser.js';
import { openLoopback } from './loopback.js';
import { McpmOAuthProvider, registeredPort, type OAuthRecord } from './provider.js';

/** How long a sign-in waits for the browser to come back. */
const BROWSER_WAIT_MS = 5 * 60_000;
/** How long one request to an authorization server may take. */
const AUTH_REQUEST_MS = 30_000;

export interface Challenge {
  resourceMetadataUrl?: URL;
  scope?: string;
}

/**
 * One remote server's authorization, shared by every request mcpm makes to it. It decides when the SDK's `auth()`
 * runs: the transports get `fetch` (below) rather than the provider, so that a 401 from the server starts exactly
 * one authorization however many requests were in flight (a rotating refresh token must be spent once), and so
 * that a sign-in in the browser can happen in the middle of a session, with the request that needed it sent again
 * afterwards instead of failing.
 */
export class RemoteAuth {
  private running: Promise<void> | undefined;

  private constructor(
    private readonly ctx: Context,
    readonly serverName: string,
    private readonly serverUrl: URL,
    /** Headers the server was installed with (API keys, tenants); sent to the MCP server only, never to the authorization server. */
    private readonly headers: Record<string, string>,
    private record: OAuthRecord,
  ) {}

  static async load(ctx: Context, serverName: string, serverUrl: URL, headers: Record<string, string> = {}): Promise<RemoteAuth> {
    return new RemoteAuth(ctx, serverName, serverUrl, headers, (await readSecretJson<OAuthRecord>(ctx, serverName, 'oauth')) ?? {});
  }

  get tokens(): OAuthRecord['tokens'] {
    return this.record.tokens;
  }

  get stored(): OAuthRecord {
    return this.record;
  }

  /** The `fetch` of the MCP transports: the bearer token and the installed headers, and a 401 answered by authorizing. */
  readonly fetch: FetchLike = async (url, init) => {
    while (this.running) await this.running.catch(() => undefined);
    const sent = this.record.tokens?.access_token;
    const response = await fetch(url, this.withHeaders(init, sent));
    if (response.status !== 401 || !replayable(init)) return response;
    const challenge = extractWWWAuthenticateParams(response);
    await response.body?.cancel().catch(() => undefined);
    await this.reauthorize(sent, challenge);
    const retried = await fetch(url, this.withHeaders(init, this.record.tokens?.access_token));
    if (retried.status === 401) {
      await retried.body?.cancel().catch(() => undefined);
      throw new McpmError('EAUTH', `${this.serverName} refused mcpm's access token even after a new authorization`, {
        hint: `Run \`mcpm logout ${this.serverName}\` and \`mcpm login ${this.serverName}\`.`,
      });
    }
    return retried;
  };

  /**
   * Runs the SDK's OAuth flow: discovery, dynamic client registration, then a refresh if there is a refresh token,
   * else PKCE authorization in the browser with the redirect received on a loopback port. `fresh` (mcpm login)
   * asks for new consent even when tokens are stored.
   */
  async authorize(options: Challenge & { fresh?: boolean } = {}): Promise<void> {
    const loopback = await openLoopback(registeredPort(this.record));
    const provider = new McpmOAuthProvider({
      record: this.record,
      persist: (record) => writeSecretJson(this.ctx, this.serverName, 'oauth', record),
      redirectUrl: () => loopback.url,
      expectState: (state) => loopback.expectState(state),
      open: (url) => this.sendToBrowser(url),
      version: mcpmVersion(),
    });
    if (options.fresh) provider.startFresh();
    const request = { serverUrl: this.serverUrl, resourceMetadataUrl: options.resourceMetadataUrl, scope: options.scope, fetchFn: authFetch };
    try {
      let result = await auth(provider, request);
      if (result === 'REDIRECT') {
        const code = await loopback.waitForCode(BROWSER_WAIT_MS);
        result = await auth(provider, { ...request, authorizationCode: code });
      }
      if (result !== 'AUTHORIZED') throw new Error('the authorization did not complete');
    } catch (error) {
      throw authError(error, this.serverName);
    } finally {
      await loopback.close();
    }
  }

  /** One authorization for all the requests that met a 401 with the same token; none if the token changed meanwhile. */
  private reauthorize(rejected: string | undefined, challenge: Challenge): Promise<void> {
    if (this.record.tokens?.access_token !== rejected) return Promise.resolve();
    this.running ??= (async () => {
      // Another mcpm (a second client running the same server) may have refreshed already: use its tokens.
      const onDisk = (await readSecretJson<OAuthRecord>(this.ctx, this.serverName, 'oauth')) ?? {};
      if (onDisk.tokens?.access_token && onDisk.tokens.access_token !== rejected) {
        this.record = onDisk;
        return;
      }
      await this.authorize(challenge);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private withHeaders(init: RequestInit | undefined, token: string | undefined): RequestInit {
    const headers = new Headers(init?.headers);
    for (const [name, value] of Object.entries(this.headers)) if (!headers.has(name)) headers.set(name, value);
    if (token) headers.set('authorization', `Bearer ${token}`);
    return { ...init, headers };
  }

  private sendToBrowser(url: URL): void {
    const opened = openBrowser(url.href, this.ctx.env, this.ctx.platform);
    this.ctx.out.remind(`mcpm: to authorize ${this.serverName}, ${opened ? 'continue in your browser (or open this URL)' : 'open this URL in your browser'}:\n  ${url.href}`);
  }
}

/** A request to the authorization server: plain fetch (no MCP headers), bounded in time. */
const authFetch: FetchLike = (url, init) => fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(AUTH_REQUEST_MS) });

/** A request whose body can be sent twice (the SDK transports send JSON text). */
function replayable(init: RequestInit | undefined): boolean {
  return init?.body === undefined || init.body === null || typeof init.body === 'string';
}

function authError(error: unknown, serverName: string): McpmError {
  if (error instanceof McpmError) return error;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const network = error instanceof TypeError || (error as Error)?.name === 'TimeoutError';
  const reason = oneLine(describeSystemError(cause ?? error));
  return network
    ? new McpmError('ENETWORK', `Cannot reach the authorization server of ${serverName} (${reason})`, { hint: 'Check your network and try again.', cause: error })
    : new McpmError('EAUTH', `Authorization with ${serverName} failed: ${reason}`, {
        hint: `Run \`mcpm login ${serverName}\` to try again; \`mcpm logout ${serverName}\` first starts from scratch.`,
        cause: error,
      });
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').slice(0, 300);
