// A local OAuth 2.1 authorization server, hand-written on node:http (the MCP SDK v2 ships no authorization server),
// on 127.0.0.1 port 0. It has a root issuer and tenant issuers under /tenants/<name> (multi-tenant issuer paths,
// RFC 8414 path insertion for their metadata), and for each: metadata, dynamic client registration (RFC 7591),
// /authorize that approves at once (the test plays the user who clicks "Allow") with PKCE S256 required and the
// RFC 9207 `iss` on the redirect, /token (authorization_code with resource, rotating refresh tokens), /revoke.
// Clients may also be Client ID Metadata Documents: an https client_id is fetched (from the test's TLS server).
// Knobs let a test make it hostile or broken: a wrong or missing `iss`, an opener-bait authorization endpoint,
// huge tokens, slow registration.
import { createHash, randomUUID } from "node:crypto";
import https from "node:https";
import type http from "node:http";
import { listenLocal, readBody, sendJson } from "./http.js";

export interface IssuedToken {
  clientId: string;
  issuer: string;
  resource?: string;
  scopes: string[];
  expiresAt: number;
}

export interface AuthEvents {
  registrations: Array<{ issuer: string; clientId: string; redirectUris: string[]; authMethod?: string; applicationType?: string }>;
  authorizations: Array<{ issuer: string; clientId: string; redirectUri: string; challengeMethod: string; resource?: string; state?: string; scope?: string }>;
  /** Client ID Metadata Documents fetched. */
  metadataDocuments: string[];
  codeExchanges: Array<{ issuer: string; code: string; ok: boolean }>;
  refreshes: number;
  /** A refresh token presented twice (rotation makes the second one invalid). */
  refreshReuses: number;
  revocations: number;
  /** Every access and refresh token issued, so tests can check none leaks. */
  issued: string[];
}

export interface AuthKnobs {
  /** What `iss` the authorization response carries: the issuer, another one, or none. */
  iss: "right" | "wrong" | "absent";
  /** Advertise client_id_metadata_document_supported. */
  cimd: boolean;
  /** Advertise a registration endpoint. */
  dcr: boolean;
  /** An authorization_endpoint to advertise instead of the real one (opener bait). */
  authorizationEndpoint?: string;
  /** Length of access tokens to issue (a hostile server's 262 MB token, scaled down). */
  accessTokenLength?: number;
  /** Scopes granted whatever is asked (a user who cannot have more). */
  grantOnly?: string[];
  /** Runs before a registration is answered (a slow server; the test may act meanwhile). */
  beforeRegistration?: (body: Record<string, unknown>) => Promise<void>;
  /** TLS trust for fetching Client ID Metadata Documents from the test's https server. */
  ca?: string | Buffer;
}

export interface AuthServer {
  url: string;
  /** The issuer of a tenant ("" for the root issuer). */
  issuer(tenant?: string): string;
  events: AuthEvents;
  knobs: AuthKnobs;
  tokens: Map<string, IssuedToken>;
  /** Makes every access token issued so far expired (the refresh tokens stay valid). */
  expireAccessTokens(): void;
  /** A client registered by hand (pre-registration): its id. */
  registerClient(issuer: string, redirectUris: string[]): string;
  close(): Promise<void>;
}

const SCOPES = ["notes:read", "notes:write"];

export async function startAuthServer(options: { accessTokenSeconds?: number; tenants?: string[] } = {}): Promise<AuthServer> {
  const lifetime = options.accessTokenSeconds ?? 3600;
  const tenants = new Set(options.tenants ?? []);
  const events: AuthEvents = { registrations: [], authorizations: [], metadataDocuments: [], codeExchanges: [], refreshes: 0, refreshReuses: 0, revocations: 0, issued: [] };
  const knobs: AuthKnobs = { iss: "right", cimd: false, dcr: true };
  const clients = new Map<string, { issuer: string; redirectUris: string[] }>();
  const codes = new Map<string, { issuer: string; clientId: string; challenge: string; redirectUri: string; resource?: string; scopes: string[] }>();
  const tokens = new Map<string, IssuedToken>();
  const refresh = new Map<string, Omit<IssuedToken, "expiresAt">>();

  const server = await listenLocal((req, res) => void handle(req, res).catch((error) => sendJson(res, 500, { error: "server_error", error_description: String(error) })));
  const issuer = (tenant?: string) => (tenant ? `${server.url}/tenants/${tenant}` : server.url);

  const metadata = (iss: string) => ({
    issuer: iss,
    authorization_endpoint: knobs.authorizationEndpoint ?? `${iss}/authorize`,
    token_endpoint: `${iss}/token`,
    ...(knobs.dcr ? { registration_endpoint: `${iss}/register` } : {}),
    revocation_endpoint: `${iss}/revoke`,
    response_types_supported: ["code"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["none"],
    scopes_supported: SCOPES,
    authorization_response_iss_parameter_supported: true,
    ...(knobs.cimd ? { client_id_metadata_document_supported: true } : {}),
  });

  const issue = (grant: Omit<IssuedToken, "expiresAt">) => {
    const accessToken = knobs.accessTokenLength ? `at-${"x".repeat(knobs.accessTokenLength)}` : `at-${randomUUID()}`;
    const refreshToken = `rt-${randomUUID()}`;
    tokens.set(accessToken, { ...grant, expiresAt: Date.now() + lifetime * 1000 });
    refresh.set(refreshToken, grant);
    events.issued.push(accessToken, refreshToken);
    return { access_token: accessToken, token_type: "Bearer", expires_in: lifetime, refresh_token: refreshToken, scope: grant.scopes.join(" ") };
  };

  /** A client known to `iss`: registered there, or a metadata document whose client_id is its own URL. */
  async function client(iss: string, clientId: string): Promise<{ redirectUris: string[] } | undefined> {
    const registered = clients.get(clientId);
    if (registered) return registered.issuer === iss ? registered : undefined;
    if (!knobs.cimd || !clientId.startsWith("https://")) return undefined;
    const document = await fetchDocument(clientId, knobs.ca);
    events.metadataDocuments.push(clientId);
    if (document?.client_id !== clientId || !Array.isArray(document.redirect_uris)) return undefined;
    return { redirectUris: document.redirect_uris as string[] };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", server.url);
    const wellKnown = /^\/\.well-known\/(?:oauth-authorization-server|openid-configuration)(?:\/tenants\/([^/]+))?$/.exec(url.pathname);
    if (wellKnown) {
      if (wellKnown[1] && !tenants.has(wellKnown[1])) return sendJson(res, 404, { error: "not_found" });
      return sendJson(res, 200, metadata(issuer(wellKnown[1])));
    }
    const route = /^(?:\/tenants\/([^/]+))?\/(register|authorize|token|revoke)$/.exec(url.pathname);
    if (!route || (route[1] && !tenants.has(route[1]))) return sendJson(res, 404, { error: "not_found" });
    const iss = issuer(route[1]);
    const endpoint = route[2];
    if (endpoint === "authorize") return authorize(iss, url, res);
    const body = await readBody(req);
    if (endpoint === "register") {
      if (!knobs.dcr) return sendJson(res, 404, { error: "not_found" });
      const request = JSON.parse(body) as Record<string, unknown>;
      await knobs.beforeRegistration?.(request);
      const clientId = `client-${randomUUID()}`;
      const redirectUris = (request.redirect_uris as string[]) ?? [];
      clients.set(clientId, { issuer: iss, redirectUris });
      events.registrations.push({ issuer: iss, clientId, redirectUris, authMethod: request.token_endpoint_auth_method as string, applicationType: request.application_type as string });
      return sendJson(res, 201, { ...request, client_id: clientId, client_id_issued_at: Math.floor(Date.now() / 1000) });
    }
    const form = new URLSearchParams(body);
    if (endpoint === "revoke") {
      const token = form.get("token") ?? "";
      if (tokens.delete(token) || refresh.delete(token)) events.revocations++;
      res.writeHead(200).end();
      return;
    }
    // token
    const clientId = form.get("client_id") ?? "";
    if (!(await client(iss, clientId))) return sendJson(res, 401, { error: "invalid_client" });
    if (form.get("grant_type") === "authorization_code") {
      const code = form.get("code") ?? "";
      const entry = codes.get(code);
      const verifier = form.get("code_verifier") ?? "";
      const ok = !!entry && entry.issuer === iss && entry.clientId === clientId && entry.redirectUri === form.get("redirect_uri") && createHash("sha256").update(verifier).digest("base64url") === entry.challenge;
      events.codeExchanges.push({ issuer: iss, code, ok });
      if (!ok) return sendJson(res, 400, { error: "invalid_grant", error_description: "unknown authorization code" });
      codes.delete(code);
      return sendJson(res, 200, issue({ clientId, issuer: iss, resource: form.get("resource") ?? entry.resource, scopes: entry.scopes }));
    }
    if (form.get("grant_type") === "refresh_token") {
      const token = form.get("refresh_token") ?? "";
      const entry = refresh.get(token);
      if (!entry || entry.clientId !== clientId || entry.issuer !== iss) {
        events.refreshReuses++;
        return sendJson(res, 400, { error: "invalid_grant", error_description: "refresh token is invalid or was already used" });
      }
      refresh.delete(token); // rotation: each refresh token works once
      events.refreshes++;
      return sendJson(res, 200, issue(entry));
    }
    return sendJson(res, 400, { error: "unsupported_grant_type" });
  }

  async function authorize(iss: string, url: URL, res: http.ServerResponse): Promise<void> {
    const q = url.searchParams;
    const clientId = q.get("client_id") ?? "";
    const known = await client(iss, clientId);
    const redirectUri = q.get("redirect_uri") ?? "";
    // RFC 8252 7.3: a loopback redirect matches whatever its port.
    const samePlace = (a: string, b: string) => {
      const [x, y] = [new URL(a), new URL(b)];
      return x.protocol === y.protocol && x.hostname === y.hostname && x.pathname === y.pathname && (x.hostname === "127.0.0.1" || x.port === y.port);
    };
    if (!known || !known.redirectUris.some((uri) => samePlace(uri, redirectUri))) return sendJson(res, 400, { error: "invalid_request", error_description: "unknown client or redirect_uri" });
    if (q.get("code_challenge_method") !== "S256" || !q.get("code_challenge")) return sendJson(res, 400, { error: "invalid_request", error_description: "PKCE S256 required" });
    const asked = (q.get("scope") ?? "notes:read").split(" ").filter((s) => SCOPES.includes(s));
    const scopes = knobs.grantOnly ? asked.filter((s) => knobs.grantOnly!.includes(s)) : asked;
    const code = randomUUID();
    codes.set(code, { issuer: iss, clientId, challenge: q.get("code_challenge")!, redirectUri, resource: q.get("resource") ?? undefined, scopes: scopes.length ? scopes : ["notes:read"] });
    events.authorizations.push({ issuer: iss, clientId, redirectUri, challengeMethod: "S256", resource: q.get("resource") ?? undefined, state: q.get("state") ?? undefined, scope: q.get("scope") ?? undefined });
    const target = new URL(redirectUri);
    target.searchParams.set("code", code);
    if (q.get("state") !== null) target.searchParams.set("state", q.get("state")!);
    if (knobs.iss === "right") target.searchParams.set("iss", iss);
    if (knobs.iss === "wrong") target.searchParams.set("iss", "https://evil.example");
    res.writeHead(302, { location: target.href }).end();
  }

  return {
    url: server.url,
    issuer,
    events,
    knobs,
    tokens,
    expireAccessTokens: () => {
      for (const token of tokens.values()) token.expiresAt = 0;
    },
    registerClient: (iss, redirectUris) => {
      const clientId = `pre-${randomUUID()}`;
      clients.set(clientId, { issuer: iss, redirectUris });
      return clientId;
    },
    close: () => server.close(),
  };
}

function fetchDocument(url: string, ca: string | Buffer | undefined): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    https
      .get(url, { ca }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => {
          try {
            resolve(JSON.parse(body));
          } catch {
            resolve(undefined);
          }
        });
      })
      .on("error", () => resolve(undefined));
  });
}
