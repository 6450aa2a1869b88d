import { randomBytes } from 'node:crypto';
import type { OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

/** What mcpm keeps per remote server in its secret store (secrets/<name>.oauth.json, 0600). */
export interface OAuthRecord {
  /** The dynamic client registration's answer, stamped by the SDK with the authorization server it came from. */
  clientInformation?: OAuthClientInformationMixed;
  tokens?: OAuthTokens;
  /** When the tokens were received (ms since the epoch): with `expires_in`, when the access token runs out. */
  tokensSavedAt?: number;
  /** The PKCE verifier of an authorization under way; dropped once its code is exchanged. */
  codeVerifier?: string;
  discoveryState?: OAuthDiscoveryState;
}

export interface ProviderOptions {
  record: OAuthRecord;
  /** Writes the record to the secret store; called after every change the SDK asks for. */
  persist: (record: OAuthRecord) => Promise<void>;
  /** The loopback redirect (see loopback.ts); set before the SDK's auth() runs. */
  redirectUrl: () => string;
  /** Tells the loopback listener which `state` to accept. */
  expectState: (state: string) => void;
  /** Shows the authorization URL (stderr) and opens the browser. */
  open: (url: URL) => void | Promise<void>;
  version: string;
}

/**
 * mcpm's side of the MCP SDK's OAuth 2.1 client (`auth()` in the SDK does discovery, dynamic client registration,
 * PKCE, the code exchange and refresh): it only keeps what the SDK hands it, in the secret store, unchanged (the SDK
 * relies on the `issuer` stamps it adds), and sends the user's browser to the authorization URL.
 */
export class McpmOAuthProvider implements OAuthClientProvider {
  /** A fresh `mcpm login` asks for new consent: stored tokens are not offered to auth() until new ones arrive. */
  private ignoreStoredTokens = false;

  constructor(private readonly options: ProviderOptions) {}

  get record(): OAuthRecord {
    return this.options.record;
  }

  startFresh(): void {
    this.ignoreStoredTokens = true;
  }

  get redirectUrl(): string {
    return this.options.redirectUrl();
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
    };
  }

  state(): string {
    const state = randomBytes(24).toString('base64url');
    this.options.expectState(state);
    return state;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.record.clientInformation;
  }

  async saveClientInformation(clientInformation: OAuthClientInformationMixed): Promise<void> {
    this.record.clientInformation = clientInformation;
    await this.options.persist(this.record);
  }

  tokens(): OAuthTokens | undefined {
    return this.ignoreStoredTokens ? undefined : this.record.tokens;
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    this.ignoreStoredTokens = false;
    this.record.tokens = tokens;
    this.record.tokensSavedAt = Date.now();
    delete this.record.codeVerifier;
    await this.options.persist(this.record);
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    await this.options.open(authorizationUrl);
  }

  async saveCodeVerifier(codeVerifier: string): Promise<void> {
    this.record.codeVerifier = codeVerifier;
    await this.options.persist(this.record);
  }

  codeVerifier(): string {
    if (!this.record.codeVerifier) throw new Error('No PKCE code verifier was saved for this authorization');
    return this.record.codeVerifier;
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    if (scope === 'all' || scope === 'client') delete this.record.clientInformation;
    if (scope === 'all' || scope === 'tokens') {
      delete this.record.tokens;
      delete this.record.tokensSavedAt;
    }
    if (scope === 'all' || scope === 'verifier') delete this.record.codeVerifier;
    if (scope === 'all' || scope === 'discovery') delete this.record.discoveryState;
    await this.options.persist(this.record);
  }

  async saveDiscoveryState(state: OAuthDiscoveryState): Promise<void> {
    this.record.discoveryState = state;
    await this.options.persist(this.record);
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.record.discoveryState;
  }
}

/** The access token's expiry (ms since the epoch), when the server said how long it lasts. */
export function tokenExpiry(record: OAuthRecord): number | undefined {
  const seconds = record.tokens?.expires_in;
  if (typeof seconds !== 'number' || record.tokensSavedAt === undefined) return undefined;
  return record.tokensSavedAt + seconds * 1000;
}

/** The port of the loopback redirect registered before, so a new flow can listen there again. */
export function registeredPort(record: OAuthRecord): number | undefined {
  const info = record.clientInformation as { redirect_uris?: unknown } | undefined;
  const first = Array.isArray(info?.redirect_uris) ? info.redirect_uris[0] : undefined;
  if (typeof first !== 'string') return undefined;
  try {
    const url = new URL(first);
    return url.hostname === '127.0.0.1' && url.port ? Number(url.port) : undefined;
  } catch {
    return undefined;
  }
}
