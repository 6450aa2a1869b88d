// Remote MCP servers behind OAuth 2.1, all on 127.0.0.1 port 0, built with the MCP SDK v2 server packages:
//  - the authorization server of auth-server.ts (a root issuer and tenant issuers);
//  - on another origin, a resource server: protected resource metadata (RFC 9728) for each endpoint, a bearer check
//    that takes only tokens of the endpoint's issuer issued for the endpoint's URL (RFC 8707 audience), and:
//      /mcp           a 2026-07-28 server that also serves 2025 clients statelessly (createMcpHandler)
//      /v2025/mcp     a 2025-11-25 streamable HTTP server with sessions (initialize, Mcp-Session-Id, DELETE)
//      /sse           an HTTP+SSE-only server (the 2024-11-05 transport; POSTs to /messages)
//      /t/<t>/mcp     the tenant <t>'s server, whose authorization server is the issuer .../tenants/<t>
//      /open          a server that asks for no authorization (and /open/v2025, a 2025-11-25 one)
//      /moved/mcp     a 307 to another origin ("elsewhere"), which records what reaches it
import { randomUUID } from "node:crypto";
import type http from "node:http";
import { createMcpHandler } from "@modelcontextprotocol/server";
import { NodeStreamableHTTPServerTransport, toNodeHandler, toWebRequest } from "@modelcontextprotocol/node";
import { startAuthServer, type AuthEvents, type AuthKnobs, type AuthServer } from "./auth-server.js";
import { listenLocal, readBody, sendJson } from "./http.js";
import { API_KEY, SseServerTransport, notesServer } from "./notes-server.js";

export { API_KEY };

const LEGACY_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

export interface OAuthWorld {
  /** The authorization server's root issuer (no trailing slash). */
  asUrl: string;
  as: AuthServer;
  rsUrl: string;
  /** 2026-07-28 streamable HTTP endpoint (stateless; serves 2025 clients too). */
  mcpUrl: string;
  /** 2025-11-25 streamable HTTP endpoint with sessions. */
  legacyUrl: string;
  /** HTTP+SSE endpoint. */
  sseUrl: string;
  /** A tenant's endpoint: `tenantUrl("{tenant_id}")` is the URL template. */
  tenantUrl(tenant: string): string;
  /** A streamable HTTP endpoint that asks for no authorization (2026-07-28, serving 2025 clients too). */
  openUrl: string;
  /** A 2025-11-25 streamable HTTP endpoint with sessions that asks for no authorization. */
  openLegacyUrl: string;
  /** An endpoint that redirects (307) to another origin. */
  movedUrl: string;
  /** That other origin, which records what reaches it (and answers 401 to everything). */
  elsewhereUrl: string;
  events: AuthEvents & {
    /** "POST /mcp bearer" / "GET /sse none": what the resource server received. */
    requests: string[];
    /** The MCP request headers of 2026-07-28 requests: "tools/call whoami 2026-07-28" (Mcp-Method, Mcp-Name, version). */
    mcpHeaders: string[];
    /** Requests that reached the other origin, with their headers. */
    elsewhere: Array<{ method: string; path: string; headers: http.IncomingHttpHeaders }>;
  };
  knobs: AuthKnobs & {
    /** A `resource` for the protected resource metadata that is not the server's (a misconfigured server). */
    prmResource?: string;
    /** The tenant whose issuer /mcp uses from now on (the server moved to another authorization server). */
    mcpTenant?: string;
  };
  expireAccessTokens(): void;
  close(): Promise<void>;
}

export async function startOAuthWorld(options: { accessTokenSeconds?: number; tenants?: string[] } = {}): Promise<OAuthWorld> {
  const as = await startAuthServer({ accessTokenSeconds: options.accessTokenSeconds, tenants: options.tenants ?? ["acme", "globex"] });
  const requests: string[] = [];
  const mcpHeaders: string[] = [];
  const elsewhereRequests: OAuthWorld["events"]["elsewhere"] = [];
  const knobs = as.knobs as OAuthWorld["knobs"];

  const modern = toNodeHandler(createMcpHandler(() => notesServer()));
  const open = toNodeHandler(createMcpHandler(() => notesServer()));
  const sessions = new Map<string, NodeStreamableHTTPServerTransport>();
  const sseSessions = new Map<string, SseServerTransport>();

  const elsewhere = await listenLocal((req, res) => {
    elsewhereRequests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers });
    sendJson(res, 401, { error: "who are you" });
  });
  let rsUrl = "";
  const rs = await listenLocal((req, res) => void route(req, res).catch((error) => sendJson(res, 500, { error: String(error) })));
  rsUrl = rs.url;

  /** The issuer and canonical URL of the protected endpoint a path belongs to. */
  function protectedEndpoint(path: string): { issuer: string; resourcePath: string } | undefined {
    if (path === "/mcp") return { issuer: as.issuer(knobs.mcpTenant), resourcePath: path };
    if (path === "/v2025/mcp" || path === "/sse") return { issuer: as.issuer(), resourcePath: path };
    if (path === "/messages") return { issuer: as.issuer(), resourcePath: "/sse" };
    const tenant = /^\/t\/([^/]+)\/mcp$/.exec(path);
    if (tenant) return { issuer: as.issuer(tenant[1]), resourcePath: path };
    return undefined;
  }

  /** The bearer check: a token of this endpoint's issuer, for this endpoint, not expired. Else 401 with hints. */
  function authenticate(req: http.IncomingMessage, res: http.ServerResponse, endpoint: { issuer: string; resourcePath: string }): boolean {
    const header = req.headers.authorization ?? "";
    const token = /^Bearer (.+)$/i.exec(header)?.[1];
    const issued = token ? as.tokens.get(token) : undefined;
    const resource = `${rsUrl}${endpoint.resourcePath}`;
    if (!issued || issued.expiresAt <= Date.now() || issued.issuer !== endpoint.issuer || issued.resource !== resource) {
      const metadata = `${rsUrl}/.well-known/oauth-protected-resource${endpoint.resourcePath}`;
      res.writeHead(401, { "www-authenticate": `Bearer error="invalid_token", resource_metadata="${metadata}"`, "content-type": "application/json" });
      res.end(JSON.stringify({ error: "invalid_token" }));
      return false;
    }
    (req as any).auth = { token, clientId: issued.clientId, scopes: issued.scopes, expiresAt: Math.floor(issued.expiresAt / 1000), resource: new URL(resource), extra: { issuer: issued.issuer } };
    return true;
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", rsUrl);
    const path = url.pathname;
    requests.push(`${req.method} ${path} ${/^Bearer /i.test(req.headers.authorization ?? "") ? "bearer" : "none"}`);
    if (req.headers["mcp-method"]) mcpHeaders.push([req.headers["mcp-method"], req.headers["mcp-name"], req.headers["mcp-protocol-version"]].filter(Boolean).join(" "));
    const prm = /^\/\.well-known\/oauth-protected-resource(\/.*)$/.exec(path);
    if (prm) {
      const endpoint = protectedEndpoint(prm[1]!);
      if (!endpoint) return sendJson(res, 404, { error: "not_found" });
      return sendJson(res, 200, {
        resource: knobs.prmResource ?? `${rsUrl}${endpoint.resourcePath}`,
        authorization_servers: [endpoint.issuer],
        scopes_supported: ["notes:read"],
        resource_name: "Notes",
      });
    }
    if (path === "/open") return open(req, res);
    if (path === "/open/v2025") return legacy(req, res);
    if (path === "/moved/mcp") {
      res.writeHead(307, { location: `${elsewhere.url}/mcp` }).end();
      return;
    }
    const endpoint = protectedEndpoint(path);
    if (!endpoint) return sendJson(res, 404, { error: "not_found" });
    if (!authenticate(req, res, endpoint)) return;
    if (path === "/mcp" || path.startsWith("/t/")) return modern(req, res);
    if (path === "/v2025/mcp") return legacy(req, res);
    if (path === "/sse" && req.method === "GET") {
      const transport = new SseServerTransport(res, "/messages");
      sseSessions.set(transport.sessionId, transport);
      res.on("close", () => sseSessions.delete(transport.sessionId));
      await notesServer({ versions: LEGACY_VERSIONS }).connect(transport);
      return;
    }
    if (path === "/messages" && req.method === "POST") {
      const transport = sseSessions.get(url.searchParams.get("sessionId") ?? "");
      if (!transport) return sendJson(res, 404, { error: "unknown session" });
      const body = JSON.parse(await readBody(req));
      res.writeHead(202).end();
      transport.receive(body, (req as any).auth, toWebRequest(req, body));
      return;
    }
    // The SSE-only server knows nothing of POST /sse.
    return sendJson(res, 405, { error: "method not allowed" });
  }

  /** 2025-11-25 streamable HTTP with sessions: initialize opens one, DELETE ends it. */
  async function legacy(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const id = req.headers["mcp-session-id"];
    let transport = typeof id === "string" ? sessions.get(id) : undefined;
    if (!transport) {
      if (req.method !== "POST" || id) return sendJson(res, id ? 404 : 400, { jsonrpc: "2.0", error: { code: -32000, message: "No valid session" }, id: null });
      const created: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid: string) => void sessions.set(sid, created),
      });
      created.onclose = () => {
        if (created.sessionId) sessions.delete(created.sessionId);
      };
      await notesServer({ versions: LEGACY_VERSIONS }).connect(created);
      transport = created;
    }
    await transport.handleRequest(req as any, res);
  }

  return {
    asUrl: as.url,
    as,
    rsUrl,
    mcpUrl: `${rsUrl}/mcp`,
    legacyUrl: `${rsUrl}/v2025/mcp`,
    sseUrl: `${rsUrl}/sse`,
    tenantUrl: (tenant) => `${rsUrl}/t/${tenant}/mcp`,
    openUrl: `${rsUrl}/open`,
    openLegacyUrl: `${rsUrl}/open/v2025`,
    movedUrl: `${rsUrl}/moved/mcp`,
    elsewhereUrl: elsewhere.url,
    events: Object.assign(as.events, { requests, mcpHeaders, elsewhere: elsewhereRequests }),
    knobs,
    expireAccessTokens: () => as.expireAccessTokens(),
    close: async () => {
      await Promise.all([as.close(), rs.close(), elsewhere.close()]);
    },
  };
}
