// A server that accepts connections and never answers: for proving that
// clients time out instead of hanging forever.
import net from "node:net";
import type { AddressInfo } from "node:net";

export interface HangingServer {
  /** http://127.0.0.1:<port> without trailing slash. */
  url: string;
  /** Number of connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function startHangingServer(): Promise<HangingServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  // Plain TCP rather than http.Server: Node's HTTP server has its own
  // request/headers timeouts that would eventually answer with 408.
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {}); // clients aborting must not crash the test run
    socket.resume(); // drain the request so the client's write never blocks
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
