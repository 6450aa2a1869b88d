// A local MCP Registry speaking the read side of API v0.1 (see
// /work/shared/registry/openapi.yaml), so registry clients are tested against
// the real wire format: paging, filters, encoded names and problem+json 404s.
import type http from "node:http";
import semver from "semver";
import { describeRequest, listenLocal, sendJson } from "./http.js";

export const OFFICIAL_META = "io.modelcontextprotocol.registry/official";
export const SERVER_SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

export interface OfficialMeta {
  status?: "active" | "deprecated" | "deleted";
  publishedAt?: string;
  updatedAt?: string;
  isLatest?: boolean;
  [key: string]: unknown;
}

export interface RegistryEntry {
  // Left loose on purpose: tests also serve malformed entries.
  server: any;
  _meta?: any;
}

export interface McpRegistryOptions {
  /** Default page size when the client sends no limit (the real registry uses 30). */
  pageSize?: number;
  /** Accept connections, record requests, and never answer. */
  hang?: boolean;
}

export interface McpRegistry {
  /** Base URL without trailing slash; the API lives under `${url}/v0.1/`. */
  url: string;
  /** "GET /v0.1/servers?search=x", with " +auth" when an authorization header was sent. */
  requests: string[];
  close(): Promise<void>;
}

const MAX_LIMIT = 100;
const PROBLEM = "application/problem+json";

export async function startMcpRegistry(
  entries: RegistryEntry[],
  opts: McpRegistryOptions = {},
): Promise<McpRegistry> {
  const requests: string[] = [];
  const pageSize = opts.pageSize ?? 30;
  const server = await listenLocal((req, res) => {
    requests.push(describeRequest(req));
    if (opts.hang) return; // the socket stays open until close() destroys it
    handle(entries, pageSize, req, res);
  });
  return { url: server.url, requests, close: server.close };
}

function handle(
  entries: RegistryEntry[],
  pageSize: number,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): void {
  const url = new URL(req.url ?? "/", "http://registry.invalid");
  // Split the raw path: serverName arrives as "io.github.acme%2Fgithub-posts"
  // and must be decoded per segment, never before splitting.
  const parts = url.pathname.split("/").slice(1);
  if (req.method !== "GET" || parts[0] !== "v0.1" || parts[1] !== "servers") {
    return notFound(res, "Not found");
  }
  const q = url.searchParams;
  if (parts.length === 2) return listServers(entries, pageSize, q, res);

  let name: string;
  let version: string | undefined;
  try {
    name = decodeURIComponent(parts[2] ?? "");
    version = parts[4] === undefined ? undefined : decodeURIComponent(parts[4]);
  } catch {
    return badRequest(res, "Malformed URL encoding");
  }
  if (parts[3] !== "versions" || parts.length > 5) return notFound(res, "Not found");

  const includeDeleted = q.get("include_deleted") === "true";
  const versions = entries.filter((e) => e.server?.name === name && (includeDeleted || !isDeleted(e)));
  if (version === undefined) {
    if (versions.length === 0) return notFound(res, "Server not found");
    // The spec orders a server's versions newest-published first.
    const sorted = [...versions].sort((a, b) => published(b).localeCompare(published(a)));
    return sendJson(res, 200, { servers: sorted, metadata: { count: sorted.length } });
  }
  const hit = version === "latest" ? pickLatest(versions) : versions.find((e) => e.server?.version === version);
  if (!hit) return notFound(res, "Server not found");
  sendJson(res, 200, hit);
}

function listServers(
  entries: RegistryEntry[],
  pageSize: number,
  q: URLSearchParams,
  res: http.ServerResponse,
): void {
  const search = q.get("search")?.toLowerCase();
  const version = q.get("version");
  const since = q.get("updated_since");
  const sinceMs = since === null ? undefined : Date.parse(since);
  if (sinceMs !== undefined && Number.isNaN(sinceMs)) return badRequest(res, "Invalid updated_since");
  // Deleted entries are hidden by default; updated_since implies include_deleted
  // so sync clients learn about deletions.
  const includeDeleted = q.get("include_deleted") === "true" || sinceMs !== undefined;

  const rawLimit = q.get("limit");
  const limit = rawLimit === null ? pageSize : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1) return badRequest(res, "Invalid limit");

  const offset = decodeCursor(q.get("cursor"));
  if (offset === undefined) return badRequest(res, "Invalid cursor");

  const matches = entries.filter((e) => {
    const name = String(e.server?.name ?? "");
    if (search && !name.toLowerCase().includes(search)) return false;
    if (version === "latest" && official(e).isLatest !== true) return false;
    if (version && version !== "latest" && e.server?.version !== version) return false;
    if (!includeDeleted && isDeleted(e)) return false;
    if (sinceMs !== undefined && !(Date.parse(updated(e)) > sinceMs)) return false;
    return true;
  });
  const page = matches.slice(offset, offset + Math.min(limit, MAX_LIMIT));
  const next = offset + page.length;
  const metadata: { count: number; nextCursor?: string } = { count: page.length };
  if (next < matches.length) metadata.nextCursor = encodeCursor(next);
  sendJson(res, 200, { servers: page, metadata });
}

// Cursors are opaque to clients; base64url makes sure nobody relies on them
// being plain offsets.
function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString("base64url");
}

function decodeCursor(cursor: string | null): number | undefined {
  if (cursor === null || cursor === "") return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString());
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function official(e: RegistryEntry): OfficialMeta {
  return (e._meta?.[OFFICIAL_META] ?? {}) as OfficialMeta;
}

function isDeleted(e: RegistryEntry): boolean {
  return official(e).status === "deleted";
}

function published(e: RegistryEntry): string {
  return official(e).publishedAt ?? "";
}

function updated(e: RegistryEntry): string {
  const m = official(e);
  return m.updatedAt ?? m.publishedAt ?? "";
}

/** The entry flagged isLatest; if test data flags several, the highest semver wins. */
function pickLatest(versions: RegistryEntry[]): RegistryEntry | undefined {
  const flagged = versions.filter((e) => official(e).isLatest === true);
  return flagged.sort((a, b) => compareVersions(b.server?.version, a.server?.version))[0];
}

function compareVersions(a: unknown, b: unknown): number {
  const va = semver.valid(String(a));
  const vb = semver.valid(String(b));
  if (va && vb) return semver.compare(va, vb);
  return String(a).localeCompare(String(b));
}

function notFound(res: http.ServerResponse, detail: string): void {
  sendJson(res, 404, { title: "Not Found", status: 404, detail }, PROBLEM);
}

function badRequest(res: http.ServerResponse, detail: string): void {
  sendJson(res, 400, { title: "Bad Request", status: 400, detail }, PROBLEM);
}

export interface EntryPackage {
  identifier: string;
  version: string;
  registryBaseUrl?: string;
  env?: Array<{ name: string; isSecret?: boolean; isRequired?: boolean; description?: string }>;
}

export interface EntryMeta {
  /** Defaults to true: pass false for older versions of the same server. */
  isLatest?: boolean;
  status?: "active" | "deprecated" | "deleted";
  publishedAt?: string;
}

/** A schema-valid v0.1 entry for an npm stdio server, so tests stay short. */
export function serverEntry(
  name: string,
  version: string,
  pkg: EntryPackage,
  meta: EntryMeta = {},
): RegistryEntry {
  const npmPackage: Record<string, unknown> = {
    registryType: "npm",
    ...(pkg.registryBaseUrl === undefined ? {} : { registryBaseUrl: pkg.registryBaseUrl }),
    identifier: pkg.identifier,
    version: pkg.version,
    transport: { type: "stdio" },
  };
  if (pkg.env) npmPackage.environmentVariables = pkg.env.map((v) => ({ ...v }));
  const publishedAt = meta.publishedAt ?? "2025-11-01T00:00:00Z";
  return {
    server: {
      $schema: SERVER_SCHEMA,
      name,
      description: `Test server ${name.slice(name.indexOf("/") + 1)}`.slice(0, 100),
      version,
      packages: [npmPackage],
    },
    _meta: {
      [OFFICIAL_META]: {
        status: meta.status ?? "active",
        publishedAt,
        updatedAt: publishedAt,
        isLatest: meta.isLatest ?? true,
      },
    },
  };
}

/** A registry entry for a remote server (one `remotes` item), active and latest. */
export function remoteEntry(name: string, remote: Record<string, unknown>, version = "1.0.0"): RegistryEntry {
  return {
    server: { $schema: SERVER_SCHEMA, name, description: "A remote notes server", version, remotes: [remote] },
    _meta: { [OFFICIAL_META]: { status: "active", publishedAt: "2025-11-01T00:00:00Z", updatedAt: "2025-11-01T00:00:00Z", isLatest: true } },
  };
}
