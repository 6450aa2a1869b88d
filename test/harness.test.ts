// Tests for the test harness itself: if a fake server or fixture is wrong,
// every product test built on it is meaningless, so each helper gets a check
// here that fails when the helper does.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { EmptyResultSchema } from "@modelcontextprotocol/core";
import * as tar from "tar";
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { MCPM_BIN, runNodeScript } from "./helpers/cli.js";
import { startHangingServer } from "./helpers/hanging-server.js";
import { connectToEntry } from "./helpers/mcp-client.js";
import { OFFICIAL_META, type RegistryEntry, serverEntry, startMcpRegistry } from "./helpers/mcp-registry.js";
import { startNpmRegistry } from "./helpers/npm-registry.js";
import { extractPackages, packFixture, type PackedPackage } from "./helpers/pack.js";
import { startPostsApi } from "./helpers/posts-api.js";
import { cleanupTmpDirs, makeTmpDir } from "./helpers/tmp.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/packages/", import.meta.url));
const GITHUB_POSTS = path.join(FIXTURES, "github-posts");
const POSTS_FORMAT = path.join(FIXTURES, "posts-format");
const SHARED_SCHEMA = fileURLToPath(
  new URL("../../shared/registry/server.schema.2025-12-11.json", import.meta.url),
);

afterAll(cleanupTmpDirs);

function sha512(buf: Buffer): string {
  return `sha512-${createHash("sha512").update(buf).digest("base64")}`;
}

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json() };
}

/** Paths and modes inside a tarball, read with the real tar parser. */
async function tarEntries(tgz: Buffer): Promise<Map<string, { mode: number; body: string }>> {
  const entries = new Map<string, { mode: number; body: string }>();
  const parser = new tar.Parser();
  parser.on("entry", (entry) => {
    const chunks: Buffer[] = [];
    entry.on("data", (c: Buffer) => chunks.push(c));
    entry.on("end", () =>
      entries.set(entry.path, { mode: entry.mode ?? 0, body: Buffer.concat(chunks).toString() }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    parser.on("end", resolve);
    parser.on("error", reject);
    parser.end(tgz);
  });
  return entries;
}

describe("packFixture", () => {
  it("builds a gzip tarball under package/ with the overridden package.json", async () => {
    const pkg = await packFixture(GITHUB_POSTS, { version: "1.1.0", mcpName: "io.github.evil/x" });
    expect(pkg).toMatchObject({ name: "github-posts", version: "1.1.0" });
    expect(pkg.manifest.mcpName).toBe("io.github.evil/x");
    expect(pkg.integrity).toBe(sha512(pkg.tarball));
    expect(pkg.shasum).toBe(createHash("sha1").update(pkg.tarball).digest("hex"));

    const entries = await tarEntries(pkg.tarball);
    expect([...entries.keys()].sort()).toEqual(["package/index.js", "package/package.json"]);
    const manifest = JSON.parse(entries.get("package/package.json")?.body ?? "{}");
    expect(manifest).toMatchObject({ version: "1.1.0", mcpName: "io.github.evil/x" });
    // The bin must stay executable or a direct launch fails with EACCES.
    expect((entries.get("package/index.js")?.mode ?? 0) & 0o111).not.toBe(0);
  });

  it("is reproducible, so integrity is stable across runs", async () => {
    const [a, b] = await Promise.all([packFixture(POSTS_FORMAT), packFixture(POSTS_FORMAT)]);
    expect(a.integrity).toBe(b.integrity);
  });
});

describe("npm registry", () => {
  let packages: PackedPackage[];
  let registry: Awaited<ReturnType<typeof startNpmRegistry>>;

  beforeAll(async () => {
    packages = await Promise.all([
      packFixture(GITHUB_POSTS),
      packFixture(GITHUB_POSTS, { version: "1.1.0" }),
      packFixture(POSTS_FORMAT),
      packFixture(POSTS_FORMAT, { name: "@acme/posts-format" }),
    ]);
    registry = await startNpmRegistry(packages);
  });
  afterAll(() => registry.close());

  it("serves a packument whose tarballs match their integrity", async () => {
    expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const { status, body } = await getJson(`${registry.url}github-posts`);
    expect(status).toBe(200);
    expect(body["dist-tags"]).toEqual({ latest: "1.1.0" });
    expect(Object.keys(body.versions).sort()).toEqual(["1.0.0", "1.1.0"]);
    expect(body.time["1.1.0"]).toEqual(expect.any(String));

    const v = body.versions["1.0.0"];
    expect(v).toMatchObject({ _id: "github-posts@1.0.0", mcpName: "io.github.acme/github-posts" });
    expect(v.dist.tarball).toBe(`${registry.url}github-posts/-/github-posts-1.0.0.tgz`);

    const res = await fetch(v.dist.tarball);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(sha512(bytes)).toBe(v.dist.integrity);
    expect(createHash("sha1").update(bytes).digest("hex")).toBe(v.dist.shasum);
  });

  it("serves the same document for corgi requests", async () => {
    const res = await fetch(`${registry.url}posts-format`, {
      headers: { accept: "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8" },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.versions["1.0.0"].scripts).toEqual({ postinstall: "node mark.js" });
  });

  it("serves scoped packages at /@scope%2fname", async () => {
    const { status, body } = await getJson(`${registry.url}@acme%2fposts-format`);
    expect(status).toBe(200);
    const dist = body.versions["1.0.0"].dist;
    expect(dist.tarball).toBe(`${registry.url}@acme/posts-format/-/posts-format-1.0.0.tgz`);
    const bytes = Buffer.from(await (await fetch(dist.tarball)).arrayBuffer());
    expect(sha512(bytes)).toBe(dist.integrity);
  });

  it("answers 404 JSON for unknown packages and tarballs", async () => {
    expect(await getJson(`${registry.url}nope`)).toEqual({ status: 404, body: { error: "not found" } });
    const tgz = await getJson(`${registry.url}github-posts/-/github-posts-9.9.9.tgz`);
    expect(tgz.status).toBe(404);
    expect(registry.requests).toContain("GET /nope");
  });

  it("can advertise a wrong integrity for one version", async () => {
    const bad = await startNpmRegistry(packages, { corruptIntegrity: "github-posts@1.0.0" });
    try {
      const { body } = await getJson(`${bad.url}github-posts`);
      for (const [version, ok] of [["1.0.0", false], ["1.1.0", true]] as const) {
        const dist = body.versions[version].dist;
        expect(dist.integrity).toMatch(/^sha512-/);
        const bytes = Buffer.from(await (await fetch(dist.tarball)).arrayBuffer());
        expect(sha512(bytes) === dist.integrity, version).toBe(ok);
      }
    } finally {
      await bad.close();
    }
  });

  it("can require a bearer token on every request", async () => {
    const locked = await startNpmRegistry(packages, { token: "s3cret" });
    try {
      expect((await fetch(`${locked.url}github-posts`)).status).toBe(401);
      const wrong = await fetch(`${locked.url}github-posts`, { headers: { authorization: "Bearer nope" } });
      expect(wrong.status).toBe(401);
      const auth = { headers: { authorization: "Bearer s3cret" } };
      const { status, body } = await getJson(`${locked.url}github-posts`, auth);
      expect(status).toBe(200);
      expect((await fetch(body.versions["1.0.0"].dist.tarball)).status).toBe(401);
      expect((await fetch(body.versions["1.0.0"].dist.tarball, auth)).status).toBe(200);
      expect(locked.requests[0]).toBe("GET /github-posts");
      expect(locked.requests[1]).toBe("GET /github-posts +auth");
    } finally {
      await locked.close();
    }
  });
});

describe("MCP registry", () => {
  const ACME = "io.github.acme/github-posts";
  const entries: RegistryEntry[] = [
    serverEntry(ACME, "1.0.0", { identifier: "github-posts", version: "1.0.0" }, {
      isLatest: false,
      publishedAt: "2025-10-01T00:00:00Z",
    }),
    serverEntry(
      ACME,
      "1.1.0",
      {
        identifier: "github-posts",
        version: "1.1.0",
        registryBaseUrl: "http://127.0.0.1:1/",
        env: [{ name: "POSTS_API_TOKEN", isSecret: true, isRequired: true, description: "API token" }],
      },
      { publishedAt: "2025-11-01T00:00:00Z" },
    ),
    serverEntry("com.example.weather/forecast", "0.3.0", { identifier: "weather-mcp", version: "0.3.0" }),
    serverEntry("com.example/GitHub-Issues", "2.0.0", { identifier: "gh-issues", version: "2.0.0" }),
    serverEntry("com.example/gone", "1.0.0", { identifier: "gone", version: "1.0.0" }, {
      status: "deleted",
      publishedAt: "2025-11-20T00:00:00Z",
    }),
  ];
  let registry: Awaited<ReturnType<typeof startMcpRegistry>>;

  beforeAll(async () => {
    registry = await startMcpRegistry(entries, { pageSize: 2 });
  });
  afterAll(() => registry.close());

  const list = (query: string) => getJson(`${registry.url}/v0.1/servers${query}`);
  const key = (e: any) => `${e.server.name}@${e.server.version}`;

  it("pages with opaque cursors until every entry is seen", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const { status, body } = await list(`?include_deleted=true${page}`);
      expect(status).toBe(200);
      expect(body.metadata.count).toBe(body.servers.length);
      seen.push(...body.servers.map(key));
      cursor = body.metadata.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(entries.map(key));
  });

  it("honours limit, and rejects a bogus cursor", async () => {
    expect((await list("?limit=4")).body.servers).toHaveLength(4);
    expect((await list("?cursor=not-a-cursor")).status).toBe(400);
  });

  it("filters by search, latest, deletion and updated_since", async () => {
    const names = async (q: string) => (await list(q)).body.servers.map(key);
    expect(await names("?search=GITHUB&limit=50")).toEqual([
      `${ACME}@1.0.0`,
      `${ACME}@1.1.0`,
      "com.example/GitHub-Issues@2.0.0",
    ]);
    expect(await names("?version=latest&search=acme")).toEqual([`${ACME}@1.1.0`]);
    expect(await names("?limit=50")).not.toContain("com.example/gone@1.0.0");
    // updated_since implies include_deleted, so sync clients learn about deletions.
    expect(await names("?updated_since=2025-11-10T00:00:00Z")).toEqual(["com.example/gone@1.0.0"]);
  });

  it("lists versions and looks one up by URL-encoded name", async () => {
    const encoded = encodeURIComponent(ACME);
    expect(encoded).toBe("io.github.acme%2Fgithub-posts");
    const versions = await getJson(`${registry.url}/v0.1/servers/${encoded}/versions`);
    expect(versions.status).toBe(200);
    expect(versions.body.servers.map(key)).toEqual([`${ACME}@1.1.0`, `${ACME}@1.0.0`]);

    const exact = await getJson(`${registry.url}/v0.1/servers/${encoded}/versions/1.0.0`);
    expect(exact.status).toBe(200);
    expect(exact.body.server.packages[0]).toMatchObject({ identifier: "github-posts", version: "1.0.0" });

    const latest = await getJson(`${registry.url}/v0.1/servers/${encoded}/versions/latest`);
    expect(latest.body.server.version).toBe("1.1.0");
    expect(latest.body._meta[OFFICIAL_META].isLatest).toBe(true);
    expect(latest.body.server.packages[0].environmentVariables[0]).toEqual({
      name: "POSTS_API_TOKEN",
      isSecret: true,
      isRequired: true,
      description: "API token",
    });
    expect(registry.requests).toContain(`GET /v0.1/servers/${encoded}/versions/latest`);
  });

  it("answers 404 problem JSON for unknown servers and versions", async () => {
    const notFound = { status: 404, body: { title: "Not Found", status: 404, detail: "Server not found" } };
    expect(await getJson(`${registry.url}/v0.1/servers/io.github.nobody%2Fx/versions`)).toEqual(notFound);
    expect(await getJson(`${registry.url}/v0.1/servers/io.github.acme%2Fgithub-posts/versions/9.0.0`)).toEqual(
      notFound,
    );
    // A deleted server is invisible to lookups unless asked for.
    expect((await getJson(`${registry.url}/v0.1/servers/com.example%2Fgone/versions/latest`)).status).toBe(404);
    // Names must be encoded: a raw slash is a different path.
    expect((await fetch(`${registry.url}/v0.1/servers/${ACME}/versions`)).status).toBe(404);
  });

  it("builds entries that satisfy the published server.json schema", async (ctx) => {
    if (!existsSync(SHARED_SCHEMA)) ctx.skip(`${SHARED_SCHEMA} is absent`);
    // ajv ships with the MCP SDK; skip rather than fail if that ever changes.
    const ajvMod: any = await import("ajv").catch(() => undefined);
    const formatsMod: any = await import("ajv-formats").catch(() => undefined);
    if (!ajvMod || !formatsMod) ctx.skip("ajv is not installed");
    const Ajv = ajvMod.default?.default ?? ajvMod.default;
    const addFormats = formatsMod.default?.default ?? formatsMod.default;
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(SHARED_SCHEMA, "utf8")));
    for (const entry of entries) expect(validate(entry.server), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ name: "no-slash" })).toBe(false); // the validator is live
  });

  it("can hang without answering, and still close promptly", async () => {
    const hung = await startMcpRegistry(entries, { hang: true });
    try {
      await expect(fetch(`${hung.url}/v0.1/servers`, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
      expect(hung.requests).toEqual(["GET /v0.1/servers"]);
    } finally {
      await hung.close();
    }
  });
});

describe("posts API and hanging server", () => {
  it("posts API wants the bearer token", async () => {
    const api = await startPostsApi("tok-123");
    try {
      expect(await getJson(`${api.url}/posts?limit=3`)).toEqual({ status: 401, body: { error: "unauthorized" } });
      const wrong = await getJson(`${api.url}/posts?limit=3`, { headers: { authorization: "Bearer nope" } });
      expect(wrong.status).toBe(401);
      const ok = await getJson(`${api.url}/posts?limit=3`, { headers: { authorization: "Bearer tok-123" } });
      expect(ok.status).toBe(200);
      expect(ok.body).toHaveLength(3);
      expect(ok.body[0]).toEqual({ id: 1, title: "Post 1", author: "alice" });
      expect(api.requests).toEqual(["GET /posts?limit=3", "GET /posts?limit=3 +auth", "GET /posts?limit=3 +auth"]);
    } finally {
      await api.close();
    }
  });

  it("hanging server accepts but never answers", async () => {
    const server = await startHangingServer();
    const started = Date.now();
    await expect(fetch(server.url, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    const before = server.connections();
    expect(before).toBeGreaterThan(0);
    // A second, still-open connection must not block close().
    const pending = fetch(server.url).catch(() => "aborted");
    await vi.waitFor(() => expect(server.connections()).toBeGreaterThan(before), { timeout: 4_000 });
    await server.close();
    expect(await pending).toBe("aborted");
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("github-posts fixture over stdio", () => {
  const TOKEN = "posts-token";
  let api: Awaited<ReturnType<typeof startPostsApi>>;
  let root: string;
  let indexJs: string;

  beforeAll(async () => {
    api = await startPostsApi(TOKEN);
    root = await makeTmpDir("mcpm-harness-install");
    const packed = [await packFixture(GITHUB_POSTS, { version: "1.2.3" }), await packFixture(POSTS_FORMAT)];
    const nodeModules = await extractPackages(packed, root);
    indexJs = path.join(nodeModules, "github-posts", "index.js");
  });
  afterAll(() => api.close());

  const entry = (token: string) => ({
    command: process.execPath,
    args: [indexJs],
    env: { POSTS_API_URL: api.url, POSTS_API_TOKEN: token },
  });

  it("lists and calls get_posts through the official SDK client", async () => {
    const home = await makeTmpDir("mcpm-harness-home");
    const { client, close, stderr } = await connectToEntry(entry(TOKEN), { home });
    try {
      // The version comes from the packed package.json, not a hard-coded string.
      expect(client.getServerVersion()).toEqual({ name: "github-posts", version: "1.2.3" });
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(["get_posts"]);
      expect(tools[0]?.inputSchema).toEqual({ type: "object", properties: { limit: { type: "number" } } });

      const result: any = await client.callTool({ name: "get_posts", arguments: { limit: 10 } });
      expect(result.isError, stderr()).toBeFalsy();
      const posts = JSON.parse(result.content[0].text);
      expect(posts).toHaveLength(10);
      expect(posts[9]).toEqual({ id: 10, title: "Post 10", author: "bob" });
      expect(api.requests).toContain("GET /posts?limit=10 +auth");

      await expect(client.request({ method: "mcpm/unknown" }, EmptyResultSchema)).rejects.toMatchObject({
        code: -32601,
      });
      await expect(client.ping()).resolves.toEqual({});
    } finally {
      await close();
    }
  });

  it("reports the HTTP status as a tool error when the token is wrong", async () => {
    const { client, close } = await connectToEntry(entry("wrong"));
    try {
      const result: any = await client.callTool({ name: "get_posts", arguments: { limit: 1 } });
      expect(result.isError).toBe(true);
      expect(result.content[0].text).toContain("401");
    } finally {
      await close();
    }
  });

  it("launches with no node on PATH, like a GUI client", async () => {
    // A bare "node" command (or the #! line) cannot resolve: this is what makes
    // the check meaningful for configs mcpm writes.
    await expect(connectToEntry({ ...entry(TOKEN), command: "node" })).rejects.toThrow(/ENOENT/);
    await expect(connectToEntry({ command: indexJs, env: entry(TOKEN).env })).rejects.toThrow(
      /could not start MCP server/,
    );
  });

  it("writes nothing but JSON-RPC on stdout and echoes the protocol version", async () => {
    const child = spawn(process.execPath, [indexJs], { stdio: ["pipe", "pipe", "pipe"], env: {} });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    const send = (m: object) => child.stdin.write(JSON.stringify(m) + "\n");
    send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2024-11-05", capabilities: {} } });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({ jsonrpc: "2.0", id: 2, method: "ping" });
    send({ jsonrpc: "2.0", id: 3, method: "resources/list" });
    // A node start on a busy machine can take longer than waitFor's default second.
    await vi.waitFor(() => expect(out.split("\n").filter(Boolean)).toHaveLength(3), { timeout: 20_000 });
    child.stdin.end();
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    const messages = out.trim().split("\n").map((line) => JSON.parse(line));
    expect(messages[0].result).toMatchObject({ protocolVersion: "2024-11-05", capabilities: { tools: {} } });
    expect(messages[1]).toEqual({ jsonrpc: "2.0", id: 2, result: {} });
    expect(messages[2]).toMatchObject({ id: 3, error: { code: -32601 } });
  });

  it("posts-format's install script leaves a marker only when it runs", async () => {
    const pkgDir = path.join(root, "node_modules", "posts-format");
    const marker = path.join(pkgDir, "INSTALL_SCRIPT_RAN");
    expect(existsSync(marker)).toBe(false); // extraction alone runs nothing
    const code = await new Promise((resolve) =>
      spawn(process.execPath, ["mark.js"], { cwd: pkgDir, stdio: "ignore" }).on("close", resolve),
    );
    expect(code).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });
});

describe("CLI runner and temp dirs", () => {
  let script: string;
  let firstTmp = "";

  beforeAll(async () => {
    const dir = await makeTmpDir("mcpm-harness-cli");
    script = path.join(dir, "print-env.mjs");
    await writeFile(
      script,
      `let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  console.log(JSON.stringify({ env: process.env, argv: process.argv.slice(2), input,
    tty: [Boolean(process.stdin.isTTY), Boolean(process.stdout.isTTY)], cwd: process.cwd() }));
  process.exitCode = Number(process.env.EXIT_WITH ?? 0);
});
`,
    );
  });

  it("locates bin/mcpm.js relative to the test folder", () => {
    expect(MCPM_BIN).toBe(fileURLToPath(new URL("../bin/mcpm.js", import.meta.url)));
  });

  it("scrubs the environment, pipes stdin and parses --json", async () => {
    vi.stubEnv("XDG_CONFIG_HOME", "/should/not/leak");
    vi.stubEnv("npm_config_registry", "https://registry.npmjs.org/");
    onTestFinished(() => void vi.unstubAllEnvs());
    const home = await makeTmpDir("mcpm-harness-home");
    firstTmp = home;
    const r = await runNodeScript(script, ["list", "--json"], { home, input: "y\n", env: { EXIT_WITH: "3" } });
    expect(r.code).toBe(3);
    expect(r.json.argv).toEqual(["list", "--json"]);
    expect(r.json.input).toBe("y\n");
    expect(r.json.tty).toEqual([false, false]);
    expect(r.json.cwd).toBe(home);
    const env = r.json.env;
    expect(env).toMatchObject({ HOME: home, MCPM_HOME: path.join(home, ".mcpm"), CI: "1", NO_COLOR: "1" });
    expect(env.XDG_CONFIG_HOME).toBeUndefined();
    expect(env.npm_config_registry).toBeUndefined();
    if (process.env.NODE_EXTRA_CA_CERTS) expect(env.NODE_EXTRA_CA_CERTS).toBe(process.env.NODE_EXTRA_CA_CERTS);

    const custom = await runNodeScript(script, [], { home, env: { MCPM_HOME: "/elsewhere" } });
    expect(custom.json).toBeUndefined(); // no --json, no parsing
    expect(JSON.parse(custom.stdout).env.MCPM_HOME).toBe("/elsewhere");
  });

  it("removed the previous test's temp dir when that test finished", () => {
    expect(firstTmp).not.toBe("");
    expect(existsSync(firstTmp)).toBe(false);
    expect(statSync(script).isFile()).toBe(true); // beforeAll dirs live until afterAll
  });

  it("kills a child that outlives timeoutMs", async () => {
    const home = await makeTmpDir("mcpm-harness-home");
    const hang = path.join(home, "hang.mjs");
    await writeFile(hang, "setInterval(() => {}, 1000);\n");
    await expect(runNodeScript(hang, [], { home, timeoutMs: 300 })).rejects.toThrow(/timed out after 300ms/);
  });
});
