// Figures for BENCHMARKS.md: a tool call through `mcpm serve` against the same call on a direct connection to the
// server's entry (added latency, median and p90), the time to list the tools of 20 installed servers through the
// gateway (from pins, and without them: every server started), and the size of tools/list with and without --tool-search.
// Printed as table rows. Run: npm run build && npx vitest run --config vitest.serve-bench.config.ts
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, it } from "vitest";
import { runMcpm } from "../helpers/cli.js";
import { connectToEntry } from "../helpers/mcp-client.js";
import { serverEntry } from "../helpers/mcp-registry.js";
import { packFixture } from "../helpers/pack.js";
import { connectAgent } from "../helpers/serve-client.js";
import { cleanupTmpDirs, makeTmpDir } from "../helpers/tmp.js";
import { FIXTURES, SERVER, TOKEN, startWorld, type World } from "../helpers/world.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const SERVERS = 20;
let world: World | undefined;
afterAll(async () => {
  await world?.close();
  await cleanupTmpDirs();
});

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

it("measures mcpm serve", async () => {
  const flaky = await Promise.all(Array.from({ length: SERVERS }, (_, i) => packFixture(`${FIXTURES}flaky-tools`, { name: `flaky-${i + 1}`, mcpName: `io.github.acme/flaky-${i + 1}`, bin: { [`flaky-${i + 1}`]: "index.js" } })));
  world = await startWorld({
    versions: ["1.0.0"],
    packages: flaky,
    extraEntries: (npmUrl) => flaky.map((p) => serverEntry(`io.github.acme/${p.name}`, "1.0.0", { identifier: p.name, version: "1.0.0", registryBaseUrl: npmUrl })),
  });
  const home = await makeTmpDir("mcpm-serve-bench-");
  const configFile = path.join(home, ".config", "Claude", "claude_desktop_config.json");
  mkdirSync(path.dirname(configFile), { recursive: true });
  writeFileSync(configFile, "{}\n");
  const mcpm = (args: string[], input?: string) => runMcpm([...args, "--registry", world!.registryUrl], { home, input, timeoutMs: 120_000 });
  await mcpm(["secrets", "set", SERVER, "POSTS_API_TOKEN"], TOKEN);
  await mcpm(["install", "github-posts", "--env", `POSTS_API_URL=${world.postsUrl}`, "--client", "claude-desktop"]);

  // One call, direct and through the gateway, alternating so that load hits both alike.
  const entry = JSON.parse(readFileSync(configFile, "utf8")).mcpServers["github-posts"];
  const direct = await connectToEntry(entry, { home, path: process.env.PATH });
  const agent = await connectAgent(["--registry", world.registryUrl], { home });
  const call = { limit: 10 };
  await direct.client.callTool({ name: "get_posts", arguments: call });
  await agent.client.callTool({ name: "github-posts__get_posts", arguments: call });
  const d: number[] = [];
  const g: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    d.push(await time(() => direct.client.callTool({ name: "get_posts", arguments: call })));
    g.push(await time(() => agent.client.callTool({ name: "github-posts__get_posts", arguments: call })));
  }
  await direct.close();
  await agent.close();
  const added = g.map((v, i) => v - d[i]!);

  for (const p of flaky.slice(0, SERVERS - 1)) await mcpm(["install", `io.github.acme/${p.name}`, "--client", "claude-desktop"]);
  // Installs pinned every server: the first list comes from the pins, no server started.
  const listPinned: number[] = [];
  for (let i = 0; i < 3; i++) {
    const pinned = await connectAgent(["--registry", world.registryUrl], { home });
    listPinned.push(await time(() => pinned.client.listTools()));
    await pinned.close();
  }
  // Then as servers installed before pins existed: every server is started to list its tools.
  const stateFile = path.join(home, ".mcpm", "state", "installed.json");
  const state = JSON.parse(readFileSync(stateFile, "utf8"));
  for (const server of Object.values(state.servers) as any[]) delete server.trust;
  writeFileSync(stateFile, JSON.stringify(state));
  const listCold: number[] = [];
  const listWarm: number[] = [];
  let sizeAll = 0;
  let sizeSearch = 0;
  let toolCount = 0;
  for (let i = 0; i < 3; i++) {
    const cold = await connectAgent(["--registry", world.registryUrl], { home });
    let tools: any;
    listCold.push(await time(async () => (tools = await cold.client.listTools())));
    listWarm.push(await time(() => cold.client.listTools()));
    sizeAll = JSON.stringify(tools).length;
    toolCount = tools.tools.length;
    await cold.close();
  }
  const search = await connectAgent(["--tool-search", "--registry", world.registryUrl], { home });
  sizeSearch = JSON.stringify(await search.client.listTools()).length;
  await search.close();

  const rows = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} x ${os.cpus()[0]?.model.trim()}, node ${process.version}, ${RUNS} calls each; load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}.`,
    "",
    "| what | median | p90 |",
    "|---|---|---|",
    `| tools/call get_posts {limit: 10}, direct connection to the entry | ${ms(quantile(d, 0.5))} | ${ms(quantile(d, 0.9))} |`,
    `| the same call through mcpm serve (github-posts__get_posts) | ${ms(quantile(g, 0.5))} | ${ms(quantile(g, 0.9))} |`,
    `| added by the gateway (per-call difference) | ${ms(quantile(added, 0.5))} | ${ms(quantile(added, 0.9))} |`,
    `| tools/list of ${SERVERS} installed servers, first list, from their pins (no server started) | ${ms(quantile(listPinned, 0.5))} | ${ms(Math.max(...listPinned))} (max of 3) |`,
    `| tools/list of ${SERVERS} installed servers, first list without pins (every server started) | ${ms(quantile(listCold, 0.5))} | ${ms(Math.max(...listCold))} (max of 3) |`,
    `| tools/list of ${SERVERS} installed servers, again (servers running) | ${ms(quantile(listWarm, 0.5))} | ${ms(Math.max(...listWarm))} (max of 3) |`,
    `| size of tools/list: every tool (${toolCount} tools) | ${sizeAll.toLocaleString("en")} bytes | |`,
    `| size of tools/list with --tool-search (8 tools) | ${sizeSearch.toLocaleString("en")} bytes | |`,
  ];
  console.log(`\n${rows.join("\n")}\n`);
});
