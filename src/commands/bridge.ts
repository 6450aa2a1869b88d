import { isJSONRPCRequest, isJSONRPCResultResponse, SdkHttpError, SseError, StreamableHTTPClientTransport, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/client';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { RemoteAuth } from '../auth/session.js';
import { remoteTarget, sessionTarget } from '../auth/target.js';
import type { InstalledServer } from '../state/installed.js';

type Kind = 'streamable-http' | 'sse';
type Upstream = Transport & { setProtocolVersion?(version: string): void; terminateSession?(): Promise<void> };

/** How long closing waits for the server to end the session before mcpm exits anyway. */
const CLOSE_WAIT_MS = 2000;

/**
 * `mcpm run` for a remote server: a stdio MCP server (for clients that only start processes) that relays every
 * JSON-RPC message, both ways, to the server's HTTP endpoint with the official SDK transports. It relays rather
 * than speaks MCP, so whatever the two ends negotiate goes through unchanged:
 *  - MCP 2026-07-28: no session; each request is a POST whose `Mcp-Method`, `Mcp-Name` and protocol version
 *    headers the transport takes from the request's own `_meta`, and a multi round-trip request (an elicitation)
 *    is an `input_required` result the stdio client answers by retrying the request, which is relayed like any other;
 *  - 2025-03-26 .. 2025-11-25 streamable HTTP: a session opened by `initialize`, ended with DELETE when stdin closes;
 *  - the deprecated HTTP+SSE transport: chosen when the server offers only that (the registry says `sse`, or an
 *    `initialize` POST is refused with 400, 404 or 405), and left for streamable HTTP when an `sse` URL answers
 *    POSTs instead of a stream.
 * Authorization is RemoteAuth's. Only protocol messages reach stdout; mcpm's own notes go to stderr.
 */
export async function bridge(ctx: Context, server: InstalledServer): Promise<number> {
  const target = await remoteTarget(ctx, server as InstalledServer & { remote: NonNullable<InstalledServer['remote']> });
  const auth = await RemoteAuth.load(ctx, sessionTarget(server, target));
  return new Relay(server.name, target.url, auth, target.transport).run();
}

class Relay {
  private readonly local = new StdioServerTransport();
  private upstream: Upstream | undefined;
  private kind: Kind;
  /** Until the server has answered once, a refused `initialize` may mean it speaks the other transport. */
  private answered = false;
  private switched = false;
  private switching: Promise<void> | undefined;
  private closing = false;
  private readonly initializeIds = new Set<string | number>();
  private resolve: (code: number) => void = () => undefined;

  constructor(
    private readonly name: string,
    private readonly url: URL,
    private readonly auth: RemoteAuth,
    declared: Kind,
  ) {
    this.kind = declared;
  }

  run(): Promise<number> {
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const onSignal = () => void this.shutdown(0);
    const onEnd = () => void this.shutdown(0);
    const done = new Promise<number>((resolve) => {
      this.resolve = (code) => {
        for (const signal of signals) process.off(signal, onSignal);
        process.stdin.off('end', onEnd);
        resolve(code);
      };
    });
    this.local.onmessage = (message) => void this.forward(message);
    this.local.onerror = (error) => this.report(error);
    // StdioServerTransport does not watch for the end of stdin: the client closing it ends the session.
    process.stdin.on('end', onEnd);
    for (const signal of signals) process.on(signal, onSignal);
    this.connect()
      .then(() => this.local.start())
      .catch((error: unknown) => {
        this.report(error);
        void this.shutdown(1);
      });
    return done;
  }

  /** Opens the declared transport; an `sse` URL that turns out to serve streamable HTTP is used as that. */
  private async connect(): Promise<void> {
    try {
      await this.open(this.kind);
    } catch (error) {
      if (this.kind !== 'sse' || !notThisTransport(error)) throw error;
      this.switched = true;
      await this.open('streamable-http');
    }
  }

  private async open(kind: Kind): Promise<void> {
    const upstream = await upstreamTransport(kind, this.url, this.auth);
    upstream.onmessage = (message) => {
      this.answered = true;
      // The SDK's Client tells its transport the negotiated version; a relay has to read it off the answer itself.
      if (isJSONRPCResultResponse(message) && this.initializeIds.delete(message.id)) {
        const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
        if (typeof version === 'string') upstream.setProtocolVersion?.(version);
      }
      void this.local.send(message);
    };
    upstream.onerror = (error) => {
      if (!this.closing && this.upstream === upstream) this.report(error);
    };
    upstream.onclose = () => {
      if (this.closing || this.upstream !== upstream) return;
      process.stderr.write(`mcpm: ${this.name}: the server closed the connection\n`);
      void this.shutdown(1);
    };
    this.upstream = upstream;
    this.kind = kind;
    await upstream.start();
  }

  private async forward(message: JSONRPCMessage): Promise<void> {
    if (this.switching) await this.switching.catch(() => undefined);
    if (isJSONRPCRequest(message) && message.method === 'initialize') this.initializeIds.add(message.id);
    try {
      await this.upstream!.send(message);
    } catch (error) {
      if (this.closing) return;
      // A server that refuses the handshake POST but offers an SSE stream speaks the 2024-11-05 transport.
      if (!this.answered && !this.switched && this.kind === 'streamable-http' && isJSONRPCRequest(message) && message.method === 'initialize' && notThisTransport(error)) {
        this.switched = true;
        const previous = this.upstream!;
        this.switching = this.open('sse').then(() => previous.close().catch(() => undefined));
        try {
          await this.switching;
          await this.upstream!.send(message);
          return;
        } catch (second) {
          // Neither transport: what the streamable endpoint said is the more useful error.
          this.upstream = previous;
          this.kind = 'streamable-http';
          void second;
        }
      }
      // The transport reported it through onerror already; a request also gets an answer, so the client need not time out.
      if (!isJSONRPCRequest(message)) return;
      void this.local.send({ jsonrpc: '2.0', id: message.id, error: { code: -32000, message: `mcpm could not forward ${message.method} to ${this.name}: ${describe(error)}` } });
    }
  }

  private async shutdown(code: number): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const upstream = this.upstream;
    // Ends the server-side session (2025 streamable HTTP DELETE), but never waits long for it.
    await Promise.race([upstream?.terminateSession?.(), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]).catch(() => undefined);
    await upstream?.close().catch(() => undefined);
    await this.local.close().catch(() => undefined);
    this.resolve(code);
  }

  private report(error: unknown): void {
    if (!this.closing) process.stderr.write(`mcpm: ${this.name}: ${describe(error)}\n`);
  }
}

async function upstreamTransport(kind: Kind, url: URL, auth: RemoteAuth): Promise<Upstream> {
  if (kind === 'sse') {
    const { SSEClientTransport } = await import('@modelcontextprotocol/client');
    return new SSEClientTransport(url, { fetch: auth.fetch, eventSourceInit: { fetch: auth.fetch } });
  }
  return new StreamableHTTPClientTransport(url, { fetch: auth.fetch });
}

/** An answer that says "not this transport here" (rather than "not you" or "broken"). */
function notThisTransport(error: unknown): boolean {
  const status = error instanceof SdkHttpError ? error.data?.status : error instanceof SseError ? error.code : undefined;
  return status === 400 || status === 404 || status === 405;
}

function describe(error: unknown): string {
  if (error instanceof McpmError) return `${error.message} (${error.hint})`;
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').slice(0, 500);
}
