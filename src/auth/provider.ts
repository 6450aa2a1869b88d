import { randomBytes } from 'node:crypto';
import type { OAuthClientInformationContext, OAuthClientMetadata, OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/client';
import { McpmError } from '../errors.js';
import type { IssuerRecord, OAuthStore, StoredClient, StoredTokens } from '../state/oauth-store.js';

/** Thrown inside a flow that may not register or open a browser (a refresh under the lock); the caller then signs in. */
export class NeedsBrowser extends Error {}

/** Longer than any real access or refresh token (JWTs with many claims run to a few KiB). */
export const MAX_TOKEN_LENGTH = 16 * 1024;

export interface ProviderOptions {
  /** The store as read when the flow began; the provider changes it in memory, the session writes it. */
  store: OAuthStore;
  /** The canonical URL of the MCP server the tokens are for. */
  resource: string;
  /** The loopback redirect (see loopback.ts); set before the SDK's auth() runs. */
  redirectUrl: () => string;
  /** Tells the loopback listener which `state` to accept, and which issuer should answer. */
  expectState: (state: string, issuer?: string) => void;
  /** Shows the authorization URL (stderr) and opens the browser; refuses a URL no browser should get. */
  open: (url: URL) => void | Promise<void>;
  version: string;
  /** `oauth.client-metadata-url`: an https URL whose document describes mcpm (a Client ID Metadata Document). */
  clientMetadataUrl?: string;
  /** Ignore stored tokens (a fresh `mcpm login`, or step-up that must ask for more scopes). */
  fresh?: boolean;
  /** The scopes asked for, kept with the tokens so a step-up asks for them again plus the new ones. */
  scope?: string;
  /** A refresh only: no registration, no browser (NeedsBrowser instead). */
  refreshOnly?: boolean;
  serverName: string;
}

/**
 * mcpm's side of the MCP SDK's OAuth 2.1 client (the SDK's `auth()` does discovery, registration, PKCE, the `iss`
 * check of RFC 9207, the code exchange and refresh). It hands the SDK what is stored for the issuer the SDK names
 * (`ctx.issuer`), keeps what the SDK hands back under that issuer, and keeps the PKCE verifier and discovery
 * results of a flow in memory only: they live as long as one flow, so a discovery answer that was wrong (a
 * protected resource metadata mismatch) is never reused after the server is fixed.
 */
export class McpmOAuthProvider implements OAuthClientProvider {
  private verifier: string | undefined;
  private discovery: OAuthDiscoveryState | undefined;
  /** The issuers whose records this flow changed (the session writes only those back). */
  readonly touched = new Set<string>();

  constructor(private readonly options: ProviderOptions) {}

  get store(): OAuthStore {
    return this.options.store;
  }

  get redirectUrl(): string {
    return this.options.redirectUrl();
  }

  get clientMetadataUrl(): string | undefined {
    return this.options.clientMetadataUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'mcpm',
      software_id: 'mcpm',
      software_version: this.options.version,
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      // A native app cannot keep a client secret (RFC 8252 8.5): a public client, protected by PKCE.
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    };
  }

  state(): string {
    const state = randomBytes(24).toString('base64url');
    this.options.expectState(state, this.discovery?.authorizationServerMetadata?.issuer);
    return state;
  }

  private record(issuer: string): IssuerRecord {
    this.touched.add(issuer);
    return (this.store.issuers[issuer] ??= {});
  }

  clientInformation(ctx?: OAuthClientInformationContext): StoredClient | undefined {
    if (!ctx) return undefined;
    // The specification's order: a pre-registered client first (the SDK then tries a metadata document, then
    // dynamic registration, when this returns nothing).
    const pre = this.store.preRegistered;
    if (pre) {
      // A client id someone registered by hand is good for the authorization server it was registered with only.
      if (pre.issuer !== undefined && pre.issuer !== ctx.issuer) {
        throw new McpmError('EAUTH', `The client id given for ${this.options.serverName} belongs to ${pre.issuer}, but the server now names ${ctx.issuer} as its authorization server`, {
          hint: `Register mcpm with ${ctx.issuer} and run \`mcpm login ${this.options.serverName} --client-id <id>\`.`,
        });
      }
      // Bound to the first authorization server it is used with, and kept under it (logout revokes with it).
      pre.issuer = ctx.issuer;
      const record = this.record(ctx.issuer);
      if (record.client?.client_id !== pre.clientId) record.client = { client_id: pre.clientId, issuer: ctx.issuer };
      return record.client;
    }
    const stored = this.store.issuers[ctx.issuer]?.client;
    // An authorization server this server did not use before: registering with it is for the sign-in to do.
    if (!stored && this.options.refreshOnly) throw new NeedsBrowser();
    return stored;
  }

  saveClientInformation(client: StoredClient, ctx?: OAuthClientInformationContext): void {
    const issuer = ctx?.issuer ?? client.issuer;
    if (!issuer) return;
    this.record(issuer).client = { ...client, issuer };
    if (this.store.preRegistered?.clientId === client.client_id) this.store.preRegistered.issuer = issuer;
  }

  tokens(ctx?: OAuthClientInformationContext): StoredTokens | undefined {
    if (this.options.fresh || !ctx) return undefined;
    const record = this.store.issuers[ctx.issuer];
    // Tokens are offered (for a refresh) only for the resource they were issued for.
    return record?.resource === this.options.resource ? record.tokens : undefined;
  }

  saveTokens(tokens: StoredTokens, ctx?: OAuthClientInformationContext): void {
    const issuer = ctx?.issuer ?? tokens.issuer;
    if (!issuer) return;
    for (const [name, value] of [['access', tokens.access_token], ['refresh', tokens.refresh_token]] as const) {
      if (typeof value === 'string' && value.length > MAX_TOKEN_LENGTH) {
        throw new McpmError('EAUTH', `The authorization server of ${this.options.serverName} issued an ${name} token of ${value.length} characters; mcpm refuses tokens over ${MAX_TOKEN_LENGTH}`, {
          hint: 'Nothing was stored. This is not a token a server should send; tell its operators.',
        });
      }
    }
    const record = this.record(issuer);
    record.tokens = { ...tokens, issuer };
    record.tokensSavedAt = Date.now();
    record.resource = this.options.resource;
    record.scope = this.options.scope ?? tokens.scope;
    const revocation = (this.discovery?.authorizationServerMetadata as { revocation_endpoint?: unknown } | undefined)?.revocation_endpoint;
    if (typeof revocation === 'string') record.revocationEndpoint = revocation;
    this.store.current = issuer;
    this.options.fresh = false;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    if (this.options.refreshOnly) throw new NeedsBrowser();
    await this.options.open(authorizationUrl);
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new McpmError('EAUTH', 'No authorization is under way', { hint: 'Run `mcpm login` again.' });
    return this.verifier;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    const issuer = this.discovery?.authorizationServerMetadata?.issuer ?? this.discovery?.authorizationServerUrl;
    const record = issuer ? this.store.issuers[issuer] : undefined;
    if (issuer && record) this.touched.add(issuer);
    if (record && (scope === 'all' || scope === 'client')) delete record.client;
    if (record && (scope === 'all' || scope === 'tokens')) {
      delete record.tokens;
      delete record.tokensSavedAt;
    }
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
    if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }
}
