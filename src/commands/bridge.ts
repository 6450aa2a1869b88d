import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isJSONRPCRequest, isJSONRPCResultResponse, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { RemoteAuth } from '../auth/session.js';
import { remoteTarget, type RemoteTarget } from '../auth/target.js';
import type { InstalledServer } from '../state/installed.js';

type Upstream = Transport & { setProtocolVersion?(version: string): void; terminateSession?(): Promise<void> };

/** How long closing waits for the server to end the session before mcpm exits anyway. */
const CLOSE_WAIT_MS = 2000;

/**
 * `mcpm run` for a remote server: a stdio MCP server (for clients that only start processes) that relays every
 * JSON-RPC message, both ways, to the server's streamable HTTP (or SSE) endpoint with the official SDK transports.
 * Authorization is RemoteAuth's: a bearer token from the secret store, refreshed or obtained in the browser when
 * the server answers 401. Only protocol messages reach stdout; mcpm's own notes go to stderr.
 */
export async function bridge(ctx: Context, server: InstalledServer): Promise<number> {
  const target = await remoteTarget(ctx, server as InstalledServer & { remote: NonNullable<InstalledServer['remote']> });
  const auth = await RemoteAuth.load(ctx, server.name, target.url, target.headers);
  const upstream = await upstreamTransport(target, auth);
  return relay(server.name, new StdioServerTransport(), upstream);
}

async function upstreamTransport(target: RemoteTarget, auth: RemoteAuth): Promise<Upstream> {
  if (target.transport === 'sse') {
    const { SSEClientTransport } = await import('@modelcontextprotocol/sdk/client/sse.js');
    return new SSEClientTransport(target.url, { fetch: auth.fetch, eventSourceInit: { fetch: auth.fetch } });
  }
  return new StreamableHTTPClientTransport(target.url, { fetch: auth.fetch });
}

function relay(name: string, local: StdioServerTransport, upstream: Upstream): Promise<number> {
  const report = (error: unknown) => process.stderr.write(`mcpm: ${name}: ${describe(error)}\n`);
  return new Promise<number>((resolve) => {
    let closing = false;
    const initializeIds = new Set<string | number>();
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const onSignal = () => void shutdown(0);
    const onEnd = () => void shutdown(0);
    const shutdown = async (code: number) => {
      if (closing) return;
      closing = true;
      for (const signal of signals) process.off(signal, onSignal);
      process.stdin.off('end', onEnd);
      // Ends the server-side session (streamable HTTP DELETE), but never waits long for it.
      await Promise.race([upstream.terminateSession?.(), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]).catch(() => undefined);
      await upstream.close().catch(() => undefined);
      await local.close().catch(() => undefined);
      resolve(code);
    };

    local.onmessage = (message: JSONRPCMessage) => {
      if (isJSONRPCRequest(message) && message.method === 'initialize') initializeIds.add(message.id);
      upstream.send(message).catch((error: unknown) => {
        // The transport reported it through onerror already; a request also gets an answer, so the client need not time out.
        if (closing || !isJSONRPCRequest(message)) return;
        void local.send({ jsonrpc: '2.0', id: message.id, error: { code: -32000, message: `mcpm could not forward ${message.method} to ${name}: ${describe(error)}` } });
      });
    };
    upstream.onmessage = (message: JSONRPCMessage) => {
      // The SDK's Client tells its transport the negotiated version; a relay has to read it off the answer itself.
      if (isJSONRPCResultResponse(message) && initializeIds.delete(message.id)) {
        const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
        if (typeof version === 'string') upstream.setProtocolVersion?.(version);
      }
      void local.send(message);
    };
    upstream.onerror = (error) => {
      if (!closing) report(error);
    };
    upstream.onclose = () => {
      if (closing) return;
      process.stderr.write(`mcpm: ${name}: the server closed the connection\n`);
      void shutdown(1);
    };
    local.onerror = report;
    // StdioServerTransport does not watch for the end of stdin: the client closing it ends the session.
    process.stdin.on('end', onEnd);
    for (const signal of signals) process.on(signal, onSignal);

    upstream
      .start()
      .then(() => local.start())
      .catch((error: unknown) => {
        report(error);
        void shutdown(1);
      });
  });
}

function describe(error: unknown): string {
  if (error instanceof McpmError) return `${error.message} (${error.hint})`;
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').slice(0, 500);
}
