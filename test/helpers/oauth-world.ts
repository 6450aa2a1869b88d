// A remote MCP server behind OAuth 2.1, built from the MCP SDK's own server pieces, all on 127.0.0.1 port 0:
//  - an authorization server (the SDK's mcpAuthRouter: metadata, dynamic client registration, /authorize, /token,
//    /revoke) over an in-memory provider that approves every request at once (the "user" always consents),
//    checks PKCE (the router does), issues short-lived access tokens and rotating refresh tokens;
//  - on another origin, a resource server: protected resource metadata (RFC 9728), a streamable HTTP endpoint
//    (/mcp) and an SSE endpoint (/sse + /messages) behind the SDK's requireBearerAuth, and /open with no auth.
// Its one tool, whoami, reports the client id of the token and the headers the request carried.
import { randomUUID } from "node:crypto";
import express from "express";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import {
  createOAuthMetadata,
  getOAuthProtectedResourceMetadataUrl,
  mcpAuthMetadataRouter,
  mcpAuthRouter,
} from "@modelcontextprotocol/sdk/server/auth/router.js";
import { requireBearerAuth } from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";
import { InvalidGrantError, InvalidRequestError, InvalidTokenError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { listenLocal } from "./http.js";

export const API_KEY = "notes-api-key-7d1e0b";

export interface AuthEvents {
  registrations: Array<{ clientId: string; redirectUris: string[]; authMethod?: string }>;
  authorizations: Array<{ clientId: string; redirectUri: string; challengeMethod: string; resource?: string; state?: string }>;
  codeExchanges: number;
  refreshes: number;
  /** A refresh token presented twice (rotation makes the second one invalid). */
  refreshReuses: number;
  revocations: number;
  /** Every access and refresh token issued, so tests can check none leaks. */
  issued: string[];
  /** "POST /mcp bearer" / "GET /sse none": what the resource server received. */
  requests: string[];
}

export interface OAuthWorld {
  /** The authorization server's issuer (no trailing slash). */
  asUrl: string;
  /** Streamable HTTP endpoint. */
  mcpUrl: string;
  /** SSE endpoint. */
  sseUrl: string;
  /** A streamable HTTP endpoint that asks for no authorization. */
  openUrl: string;
  events: AuthEvents;
  /** Makes every access token issued so far expired (the refresh tokens stay valid). */
  expireAccessTokens(): void;
  close(): Promise<void>;
}

interface AccessToken {
  clientId: string;
  expiresAt: number;
  resource?: string;
  scopes: string[];
}

const SCOPES = ["notes:read"];

export async function startOAuthWorld(options: { accessTokenSeconds?: number } = {}): Promise<OAuthWorld> {
  const lifetime = options.accessTokenSeconds ?? 3600;
  const events: AuthEvents = { registrations: [], authorizations: [], codeExchanges: 0, refreshes: 0, refreshReuses: 0, revocations: 0, issued: [], requests: [] };
  const clients = new Map<string, any>();
  const codes = new Map<string, { clientId: string; challenge: string; redirectUri: string; resource?: string; scopes: string[] }>();
  const access = new Map<string, AccessToken>();
  const refresh = new Map<string, { clientId: string; resource?: string; scopes: string[] }>();

  const issue = (clientId: string, resource: string | undefined, scopes: string[]) => {
    const accessToken = `at-${randomUUID()}`;
    const refreshToken = `rt-${randomUUID()}`;
    access.set(accessToken, { clientId, expiresAt: Date.now() + lifetime * 1000, resource, scopes });
    refresh.set(refreshToken, { clientId, resource, scopes });
    events.issued.push(accessToken, refreshToken);
    return { access_token: accessToken, token_type: "bearer", expires_in: lifetime, refresh_token: refreshToken, scope: scopes.join(" ") };
  };

  const provider = {
    clientsStore: {
      getClient: (id: string) => clients.get(id),
      registerClient: (client: any) => {
        clients.set(client.client_id, client);
        events.registrations.push({ clientId: client.client_id, redirectUris: client.redirect_uris, authMethod: client.token_endpoint_auth_method });
        return client;
      },
    },
    async authorize(client: any, params: any, res: any) {
      // Consent is given at once: the test plays the user who clicks "Allow".
      const code = randomUUID();
      const scopes = params.scopes?.length ? params.scopes : SCOPES;
      codes.set(code, { clientId: client.client_id, challenge: params.codeChallenge, redirectUri: params.redirectUri, resource: params.resource?.href, scopes });
      events.authorizations.push({ clientId: client.client_id, redirectUri: params.redirectUri, challengeMethod: "S256", resource: params.resource?.href, state: params.state });
      const target = new URL(params.redirectUri);
      target.searchParams.set("code", code);
      if (params.state !== undefined) target.searchParams.set("state", params.state);
      res.redirect(302, target.href);
    },
    async challengeForAuthorizationCode(_client: any, code: string) {
      const entry = codes.get(code);
      if (!entry) throw new InvalidGrantError("unknown authorization code");
      return entry.challenge;
    },
    async exchangeAuthorizationCode(client: any, code: string, _verifier?: string, redirectUri?: string) {
      const entry = codes.get(code);
      if (!entry || entry.clientId !== client.client_id) throw new InvalidGrantError("unknown authorization code");
      if (redirectUri !== undefined && redirectUri !== entry.redirectUri) throw new InvalidGrantError("redirect_uri differs from the authorization request");
      codes.delete(code);
      events.codeExchanges++;
      return issue(client.client_id, entry.resource, entry.scopes);
    },
    async exchangeRefreshToken(client: any, refreshToken: string) {
      const entry = refresh.get(refreshToken);
      if (!entry || entry.clientId !== client.client_id) {
        events.refreshReuses++;
        throw new InvalidGrantError("refresh token is invalid or was already used");
      }
      refresh.delete(refreshToken); // rotation: each refresh token works once
      events.refreshes++;
      return issue(client.client_id, entry.resource, entry.scopes);
    },
    async verifyAccessToken(token: string) {
      const entry = access.get(token);
      if (!entry) throw new InvalidTokenError("unknown access token");
      return { token, clientId: entry.clientId, scopes: entry.scopes, expiresAt: Math.floor(entry.expiresAt / 1000), resource: entry.resource ? new URL(entry.resource) : undefined };
    },
    async revokeToken(_client: any, request: { token: string }) {
      if (!access.delete(request.token) && !refresh.delete(request.token)) throw new InvalidRequestError("unknown token");
      events.revocations++;
    },
  };

  let asApp: express.Express | undefined;
  let rsApp: express.Express | undefined;
  const as = await listenLocal((req, res) => asApp!(req, res));
  const rs = await listenLocal((req, res) => rsApp!(req, res));
  const issuerUrl = new URL(as.url);
  const noLimit = { rateLimit: false as const };

  asApp = express();
  asApp.use(
    mcpAuthRouter({
      provider: provider as any,
      issuerUrl,
      scopesSupported: SCOPES,
      authorizationOptions: noLimit,
      tokenOptions: noLimit,
      clientRegistrationOptions: noLimit,
      revocationOptions: noLimit,
    }),
  );

  rsApp = express();
  rsApp.use((req, _res, next) => {
    events.requests.push(`${req.method} ${req.path} ${/^Bearer /i.test(req.headers.authorization ?? "") ? "bearer" : "none"}`);
    next();
  });
  const oauthMetadata = createOAuthMetadata({ provider: provider as any, issuerUrl, scopesSupported: SCOPES });
  for (const path of ["/mcp", "/sse"]) {
    rsApp.use(mcpAuthMetadataRouter({ oauthMetadata, resourceServerUrl: new URL(`${rs.url}${path}`), scopesSupported: SCOPES, resourceName: "Notes" }));
  }
  const bearer = (path: string) =>
    requireBearerAuth({ verifier: provider, resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(new URL(`${rs.url}${path}`)) });

  const sessions = new Map<string, StreamableHTTPServerTransport>();
  rsApp.all("/mcp", express.json(), bearer("/mcp"), async (req, res) => {
    const id = req.headers["mcp-session-id"];
    let transport = typeof id === "string" ? sessions.get(id) : undefined;
    if (!transport) {
      if (req.method !== "POST" || !isInitializeRequest(req.body)) {
        res.status(id ? 404 : 400).json({ jsonrpc: "2.0", error: { code: -32000, message: "No valid session" }, id: null });
        return;
      }
      const created = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (sid) => void sessions.set(sid, created) });
      created.onclose = () => {
        if (created.sessionId) sessions.delete(created.sessionId);
      };
      await notesServer().connect(created);
      transport = created;
    }
    await transport.handleRequest(req as any, res, req.body);
  });

  const sseSessions = new Map<string, SSEServerTransport>();
  rsApp.get("/sse", bearer("/sse"), async (req, res) => {
    const transport = new SSEServerTransport("/messages", res);
    sseSessions.set(transport.sessionId, transport);
    res.on("close", () => sseSessions.delete(transport.sessionId));
    await notesServer().connect(transport);
  });
  rsApp.post("/messages", express.json(), bearer("/sse"), async (req, res) => {
    const transport = sseSessions.get(String(req.query.sessionId));
    if (!transport) {
      res.status(404).send("unknown session");
      return;
    }
    await transport.handlePostMessage(req as any, res, req.body);
  });

  rsApp.all("/open", express.json(), async (req, res) => {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await notesServer().connect(transport);
    await transport.handleRequest(req as any, res, req.body);
  });

  return {
    asUrl: as.url,
    mcpUrl: `${rs.url}/mcp`,
    sseUrl: `${rs.url}/sse`,
    openUrl: `${rs.url}/open`,
    events,
    expireAccessTokens: () => {
      for (const token of access.values()) token.expiresAt = 0;
    },
    close: async () => {
      await Promise.all([as.close(), rs.close()]);
    },
  };
}

function notesServer(): McpServer {
  const server = new McpServer({ name: "notes", version: "1.0.0" });
  server.registerTool("whoami", { description: "Who the server thinks is calling" }, async (extra) => {
    const headers = (extra.requestInfo?.headers ?? {}) as Record<string, string | undefined>;
    const text = JSON.stringify({ clientId: extra.authInfo?.clientId ?? null, tenant: headers["x-tenant"] ?? null, apiKeyOk: headers["x-api-key"] === API_KEY });
    return { content: [{ type: "text", text }] };
  });
  return server;
}
