// Launches an MCP server entry the way a GUI client (Claude Desktop, Cursor)
// does: exactly the configured command/args, with a near-empty environment.
// GUI apps do not inherit a shell's PATH, so a config that relies on "node"
// or "npx" being on PATH must fail here just as it would for a real user.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Client, type ClientOptions } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

export interface ServerEntry {
  command: string;
  args?: string[];
  env?: Record<string, string>;
}

export interface ConnectedServer {
  client: Client;
  /** Everything the server wrote to stderr so far (for assertion messages). */
  stderr(): string;
  close(): Promise<void>;
}

// The machine reaches its network through a custom CA; a server making HTTPS
// calls needs these exactly as a real client launched on this machine would.
const CA_VARS = ["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR"] as const;
// The SDK merges these from our own process into the child's env; we blank
// them so the server sees only what the entry (and HOME/PATH) provide.
const SDK_INHERITED = ["LOGNAME", "SHELL", "TERM", "USER"] as const;

export async function connectToEntry(
  entry: ServerEntry,
  opts: { home?: string; cwd?: string; timeoutMs?: number; /** PATH instead of an empty folder */ path?: string; client?: ClientOptions } = {},
): Promise<ConnectedServer> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), "mcpm-client-"));
  const emptyPath = path.join(scratch, "empty-bin");
  const home = opts.home ?? path.join(scratch, "home");
  await mkdir(emptyPath);
  if (opts.home === undefined) await mkdir(home);

  const env: Record<string, string | undefined> = { HOME: home, PATH: opts.path ?? emptyPath };
  for (const key of SDK_INHERITED) env[key] = undefined; // child_process drops undefined values
  for (const key of CA_VARS) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  Object.assign(env, entry.env);

  const transport = new StdioClientTransport({
    command: entry.command,
    args: entry.args ?? [],
    env: env as Record<string, string>,
    stderr: "pipe",
    // A neutral cwd: a server must not depend on being started inside the repo.
    cwd: opts.cwd ?? scratch,
  });
  let stderrText = "";
  transport.stderr?.on("data", (chunk: Buffer | string) => {
    stderrText += chunk.toString();
  });

  const client = new Client({ name: "mcpm-test-client", version: "0.0.0" }, opts.client);
  const close = async (): Promise<void> => {
    await client.close().catch(() => {});
    await rm(scratch, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    await client.connect(transport, { timeout: opts.timeoutMs ?? 15_000 });
  } catch (err) {
    await close();
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `could not start MCP server ${JSON.stringify([entry.command, ...(entry.args ?? [])])}: ${reason}` +
        (stderrText ? `\n--- server stderr ---\n${stderrText}` : ""),
      { cause: err },
    );
  }
  return { client, stderr: () => stderrText, close };
}

