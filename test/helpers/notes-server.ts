// The "notes" MCP server of the remote tests, built with the MCP SDK v2 server package: one factory serves both
// protocol eras (2026-07-28 stateless requests and the 2025 initialize handshake). Its tools:
//   whoami      who the server thinks is calling (client id, issuer, tenant header, whether the API key came)
//   write_note  needs the notes:write scope: a token without it gets 403 insufficient_scope (the SDK's scope challenge)
//   confirm     a multi round-trip request: asks the user through an elicitation, then answers
// Also a hand-written server-side HTTP+SSE transport (the 2024-11-05 transport, which the SDK v2 no longer ships).
import { randomUUID } from "node:crypto";
import type http from "node:http";
import { McpServer, acceptedContent, inputRequired, requireScopes, type JSONRPCMessage, type Transport } from "@modelcontextprotocol/server";

export const API_KEY = "notes-api-key-7d1e0b";

export function notesServer(options: { versions?: string[] } = {}): McpServer {
  const server = new McpServer({ name: "notes", version: "1.0.0" }, options.versions ? { supportedProtocolVersions: options.versions } : {});
  server.registerTool("whoami", { description: "Who the server thinks is calling" }, async (ctx: any) => {
    const auth = ctx?.http?.authInfo;
    const header = (name: string) => ctx?.http?.req?.headers?.get?.(name) ?? null;
    const text = JSON.stringify({ clientId: auth?.clientId ?? null, issuer: auth?.extra?.issuer ?? null, tenant: header("x-tenant"), apiKeyOk: header("x-api-key") === API_KEY });
    return { content: [{ type: "text", text }] };
  });
  server.registerTool("write_note", { description: "Writes a note (needs notes:write)", scopeChallenge: requireScopes("notes:read", "notes:write") }, async () => ({
    content: [{ type: "text", text: "written" }],
  }));
  server.registerTool("confirm", { description: "Asks the user to confirm, then answers" }, async (ctx: any) => {
    const answer = acceptedContent(ctx?.mcpReq?.inputResponses, "confirm");
    if (answer?.ok !== true) {
      return inputRequired({
        inputRequests: {
          confirm: inputRequired.elicit({
            message: "Really write the note?",
            requestedSchema: { type: "object", properties: { ok: { type: "boolean", description: "Yes" } }, required: ["ok"] },
          }),
        },
      });
    }
    return { content: [{ type: "text", text: "confirmed" }] };
  });
  return server;
}

/**
 * The server side of the deprecated HTTP+SSE transport: a GET opens an event stream whose first event names the
 * endpoint for POSTs; every message to the client is an event on that stream.
 */
export class SseServerTransport implements Transport {
  readonly sessionId = randomUUID();
  onmessage?: Transport["onmessage"];
  onclose?: () => void;
  onerror?: (error: Error) => void;

  constructor(
    private readonly res: http.ServerResponse,
    private readonly endpoint: string,
  ) {}

  async start(): Promise<void> {
    this.res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    this.res.write(`event: endpoint\ndata: ${this.endpoint}?sessionId=${this.sessionId}\n\n`);
    this.res.on("close", () => this.onclose?.());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  /** A POSTed message, with the caller's token as the SDK's authInfo. */
  receive(message: JSONRPCMessage, authInfo: unknown, request: Request): void {
    this.onmessage?.(message, { authInfo, request } as any);
  }

  async close(): Promise<void> {
    this.res.end();
  }
}
