// Shared plumbing for the fake servers: bind 127.0.0.1 on an ephemeral port
// (tests must never reach the network or collide on ports) and make close()
// destroy open sockets, so a keep-alive or deliberately hung connection can
// never keep vitest waiting.
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";

export interface LocalServer {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:43123 */
  url: string;
  close(): Promise<void>;
}

/** tls: serve HTTPS with this key and certificate (which must name 127.0.0.1). */
export async function listenLocal(handler: http.RequestListener, tls?: { key: string; cert: string }): Promise<LocalServer> {
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  contentType = "application/json",
): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { "content-type": contentType, "content-length": data.length });
  res.end(data);
}

/** "GET /path?query" plus " +auth" when an authorization header was sent. */
export function describeRequest(req: http.IncomingMessage): string {
  const auth = req.headers.authorization ? " +auth" : "";
  return `${req.method ?? "?"} ${req.url ?? ""}${auth}`;
}

/** A request's whole body, as text. */
export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}
