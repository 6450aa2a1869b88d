import { auth, computeScopeUnion, extractWWWAuthenticateParams, isStrictScopeSuperset, type FetchLike } from '@modelcontextprotocol/client';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import {
  canonicalResource,
  readOAuthStore,
  registeredPort,
  tokensFor,
  updateOAuthStore,
  withOAuthLock,
  type OAuthStore,
} from '../state/oauth-store.js';
import { mcpmVersion } from '../version.js';
import { openBrowser } from './browser.js';
import { authError, insufficientScope } from './errors.js';
import { authFetch, browsable, sameOriginFetch } from './http.js';
import { openLoopback } from './loopback.js';
import { McpmOAuthProvider, NeedsBrowser } from './provider.js';

/** How long a sign-in waits for the browser to come back. */
const BROWSER_WAIT_MS = 5 * 60_000;

export interface Challenge {
  resourceMetadataUrl?: URL;
  scope?: string;
}

export interface SessionTarget {
  serverName: string;
  /** The profile whose tokens these are. */
  profile: string;
  /** Whether this profile is the one that owned mcpm's single per-server file before tokens were per profile. */
  ownsLegacy: boolean;
  url: URL;
  /** Headers the server was installed with (API keys, tenants); sent to the MCP server only, never to the authorization server. */
  headers: Record<string, string>;
  /** A pre-registered client id the registry entry carries, used when the user gave none. */
  registryClientId?: string;
}

/**
 * One remote server's authorization, shared by every request mcpm makes to it. It decides when the SDK's `auth()`
 * runs: the transports get `fetch` (below) rather than the provider, so that a 401 from the server starts exactly
 * one authorization however many requests were in flight, and refreshes happen one at a time across processes
 * too (a lock on the token file: a rotating refresh token can be spent once). A sign-in in the browser can happen
 * in the middle of a session, with the request that needed it sent again afterwards instead of failing.
 */
export class RemoteAuth {
  private running: Promise<void> | undefined;
  /** One step-up per scope set: a server that keeps answering insufficient_scope gets a clear error, not a loop. */
  private steppedUp = new Set<string>();
  readonly resource: string;

  private constructor(
    private readonly ctx: Context,
    readonly target: SessionTarget,
    private store: OAuthStore,
  ) {
    this.resource = canonicalResource(target.url);
  }

  static async load(ctx: Context, target: SessionTarget): Promise<RemoteAuth> {
    return new RemoteAuth(ctx, target, await readOAuthStore(ctx, target.serverName, target.profile, target.ownsLegacy));
  }

  get stored(): OAuthStore {
    return this.store;
  }

  /** The access token for this server's URL, if one was issued for exactly that URL by the current issuer. */
  private get accessToken(): string | undefined {
    return tokensFor(this.store, this.resource)?.record.tokens.access_token;
  }

  /**
   * The `fetch` of the MCP transports: the installed headers and the bearer token, same-origin redirects only, a
   * 401 answered by authorizing and a 403 `insufficient_scope` by one step-up authorization.
   */
  readonly fetch: FetchLike = async (url, init) => {
    while (this.running) await this.running.catch(() => undefined);
    const sent = this.accessToken;
    const response = await sameOriginFetch(url, this.withHeaders(init, sent));
    if (!replayable(init)) return response;
    if (response.status === 401) {
      const challenge = extractWWWAuthenticateParams(response);
      await response.body?.cancel().catch(() => undefined);
      await this.reauthorize(sent, challenge);
      const retried = await sameOriginFetch(url, this.withHeaders(init, this.accessToken));
      if (retried.status === 401) {
        await retried.body?.cancel().catch(() => undefined);
        throw new McpmError('EAUTH', `${this.target.serverName} refused mcpm's access token even after a new authorization`, {
          hint: `Run \`mcpm logout ${this.target.serverName}\` and \`mcpm login ${this.target.serverName}\`.`,
        });
      }
      return retried;
    }
    if (response.status === 403) {
      const challenge = extractWWWAuthenticateParams(response);
      if (challenge.error !== 'insufficient_scope') return response;
      await response.body?.cancel().catch(() => undefined);
      await this.stepUp(sent, challenge);
      const retried = await sameOriginFetch(url, this.withHeaders(init, this.accessToken));
      if (retried.status === 403 && extractWWWAuthenticateParams(retried).error === 'insufficient_scope') {
        await retried.body?.cancel().catch(() => undefined);
        throw insufficientScope(this.target.serverName, challenge.scope);
      }
      return retried;
    }
    return response;
  };

  /**
   * Runs the SDK's OAuth flow: discovery, registration (a pre-registered client id, else a Client ID Metadata
   * Document where the authorization server takes one and `oauth.client-metadata-url` is set, else dynamic
   * registration), then a refresh if there is a refresh token, else PKCE authorization in the browser with the
   * redirect received on a loopback port and its `iss` checked (RFC 9207). `fresh` (mcpm login, step-up) asks for
   * new consent even when tokens are stored.
   */
  async authorize(options: Challenge & { fresh?: boolean; clientId?: string } = {}): Promise<void> {
    if (options.clientId !== undefined) this.store.preRegistered = { clientId: options.clientId };
    else if (this.target.registryClientId && !this.store.preRegistered) this.store.preRegistered = { clientId: this.target.registryClientId };
    const loopback = await openLoopback(registeredPort(this.store));
    const provider = this.provider({ fresh: options.fresh, scope: options.scope, redirectUrl: () => loopback.url, expectState: (state, issuer) => loopback.expectState(state, issuer) });
    const request = { serverUrl: this.target.url, resourceMetadataUrl: options.resourceMetadataUrl, scope: options.scope, fetchFn: authFetch, forceReauthorization: options.fresh };
    let finish: ((error?: string) => void) | undefined;
    try {
      let result = await this.sdk(() => auth(provider, request));
      if (result === 'REDIRECT') {
        const callback = await loopback.waitForCallback(BROWSER_WAIT_MS);
        finish = callback.finish;
        result = await this.sdk(() => auth(provider, { ...request, authorizationCode: callback.code, iss: callback.iss }));
      }
      if (result !== 'AUTHORIZED') throw new Error('the authorization did not complete');
      await this.commit(provider);
      finish?.();
    } catch (error) {
      const failure = authError(error, this.target.serverName);
      finish?.(failure.message);
      throw failure;
    } finally {
      await loopback.close();
    }
  }

  /** After a 401: one refresh (or sign-in) for all the requests that met it with the same token. */
  private reauthorize(rejected: string | undefined, challenge: Challenge): Promise<void> {
    if (this.accessToken !== rejected) return Promise.resolve();
    this.running ??= (async () => {
      const refreshed = await withOAuthLock(this.ctx, this.target.serverName, this.target.profile, async () => {
        // Another mcpm (a second client running the same server) may have refreshed already: use its tokens.
        const onDisk = await readOAuthStore(this.ctx, this.target.serverName, this.target.profile, this.target.ownsLegacy);
        const current = tokensFor(onDisk, this.resource)?.record.tokens;
        this.store = onDisk;
        if (current && current.access_token !== rejected) return true;
        if (!current?.refresh_token) return false;
        return this.refreshLocked(challenge);
      });
      if (!refreshed) await this.authorize(challenge);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** A refresh while holding the store's lock; false when only a sign-in in the browser can help. */
  private async refreshLocked(challenge: Challenge): Promise<boolean> {
    const provider = this.provider({
      refreshOnly: true,
      redirectUrl: () => this.store.issuers[this.store.current ?? '']?.client?.redirect_uris?.[0] ?? 'http://127.0.0.1/callback',
      expectState: () => undefined,
    });
    try {
      const result = await this.sdk(() => auth(provider, { serverUrl: this.target.url, resourceMetadataUrl: challenge.resourceMetadataUrl, scope: challenge.scope, fetchFn: authFetch }));
      if (result !== 'AUTHORIZED') return false;
    } catch (error) {
      if (error instanceof NeedsBrowser) {
        // The refresh token was refused (and forgotten): store that, so no other process spends time on it.
        await this.commit(provider, true);
        return false;
      }
      throw authError(error, this.target.serverName);
    }
    await this.commit(provider, true);
    return true;
  }

  /** After a 403 insufficient_scope: once per scope set, a new authorization for the scopes so far plus the new ones. */
  private stepUp(rejected: string | undefined, challenge: Challenge): Promise<void> {
    const current = tokensFor(this.store, this.resource);
    const scope = computeScopeUnion(current?.record.scope, current?.record.tokens.scope, challenge.scope);
    if (this.steppedUp.has(scope ?? '')) return Promise.reject(insufficientScope(this.target.serverName, challenge.scope));
    this.steppedUp.add(scope ?? '');
    if (this.accessToken !== rejected) return Promise.resolve();
    this.running ??= this.authorize({ ...challenge, scope, fresh: isStrictScopeSuperset(scope, current?.record.tokens.scope) }).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * Runs the SDK's auth(), which reports what it recovers from (a refused refresh token) with console.warn: below
   * the command layer mcpm prints only through ctx.out, so those lines become debug output (--verbose).
   */
  private async sdk<T>(fn: () => Promise<T>): Promise<T> {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => this.ctx.out.debug(args.map(String).join(' ').replace(/\s+/g, ' ').slice(0, 300));
    try {
      return await fn();
    } finally {
      console.warn = warn;
    }
  }

  private provider(overrides: { fresh?: boolean; scope?: string; refreshOnly?: boolean; redirectUrl: () => string; expectState: (state: string, issuer?: string) => void }): McpmOAuthProvider {
    const metadataUrl = (this.ctx.settings() as Record<string, unknown>)['oauth.client-metadata-url'];
    return new McpmOAuthProvider({
      store: this.store,
      resource: this.resource,
      serverName: this.target.serverName,
      version: mcpmVersion(),
      clientMetadataUrl: typeof metadataUrl === 'string' && metadataUrl ? metadataUrl : undefined,
      open: (url) => this.sendToBrowser(url),
      ...overrides,
    });
  }

  /** Writes what the flow changed (the issuers it touched, which issuer is current) over what is on disk now. */
  private async commit(provider: McpmOAuthProvider, locked = false): Promise<void> {
    const mine = provider.store;
    this.store = await updateOAuthStore(
      this.ctx,
      this.target.serverName,
      this.target.profile,
      (disk) => {
        for (const issuer of provider.touched) {
          if (mine.issuers[issuer]) disk.issuers[issuer] = mine.issuers[issuer];
          else delete disk.issuers[issuer];
        }
        if (mine.current !== undefined) disk.current = mine.current;
        if (mine.preRegistered) disk.preRegistered = mine.preRegistered;
      },
      { ownsLegacy: this.target.ownsLegacy, locked },
    );
  }

  private withHeaders(init: RequestInit | undefined, token: string | undefined): RequestInit {
    const headers = new Headers(init?.headers);
    for (const [name, value] of Object.entries(this.target.headers)) if (!headers.has(name)) headers.set(name, value);
    if (token) headers.set('authorization', `Bearer ${token}`);
    else headers.delete('authorization');
    return { ...init, headers };
  }

  private sendToBrowser(url: URL): void {
    // The URL comes from the authorization server's metadata: only a web page may reach the OS opener.
    if (!browsable(url)) {
      throw new McpmError('EAUTH', `The authorization server of ${this.target.serverName} asked mcpm to open a ${url.protocol} URL; mcpm opens only https (and http on this machine)`, {
        hint: 'Nothing was opened. The server\'s authorization metadata is wrong or hostile; tell its operators.',
      });
    }
    const opened = openBrowser(url.href, this.ctx.env, this.ctx.platform);
    this.ctx.out.remind(`mcpm: to authorize ${this.target.serverName}, ${opened ? 'continue in your browser (or open this URL)' : 'open this URL in your browser'}:\n  ${url.href}`);
  }
}

/** A request whose body can be sent twice (the SDK transports send JSON text). */
function replayable(init: RequestInit | undefined): boolean {
  return init?.body === undefined || init.body === null || typeof init.body === 'string';
}

