// The gateway of `mcpm serve`: one client entry fronting every installed server. Two servers installed into
// Claude Desktop by the CLI, then `mcpm gateway enable` puts one `mcpm` entry in their place; through it an agent
// sees both servers' tools, servers start only when used, a server that crashes mid-call fails only that call (with
// its own words) and starts again on the next, the other server is untouched, hidden tools disappear live, idle
// servers stop, prompts and resources pass through, `--tool-search` lists two tools instead of all, and a gateway
// installed as a server in another home (an agent that is an MCP server) serves this one's tools one level down. `gateway disable` restores the file.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MCPM_BIN, runMcpm } from "./helpers/cli.js";
import { serverEntry } from "./helpers/mcp-registry.js";
import { packFixture } from "./helpers/pack.js";
import { connectAgent, textOf, type Agent } from "./helpers/serve-client.js";
import { cleanupTmpDirs, makeTmpDir } from "./helpers/tmp.js";
import { FIXTURES, SERVER, TOKEN, startWorld, type World } from "./helpers/world.js";

const FLAKY = "io.github.acme/flaky-tools";
const AGENT = "io.github.acme/mcpm-agent";
let world: World;
let home: string;
let configFile: string;

beforeAll(async () => {
  const flaky = await packFixture(`${FIXTURES}flaky-tools`);
  const agent = await packFixture(`${FIXTURES}mcpm-agent`);
  world = await startWorld({
    versions: ["1.0.0"],
    packages: [flaky, agent],
    extraEntries: (npmUrl) => [
      serverEntry(FLAKY, "1.0.0", { identifier: "flaky-tools", version: "1.0.0", registryBaseUrl: npmUrl }),
      serverEntry(AGENT, "1.0.0", {
        identifier: "mcpm-agent",
        version: "1.0.0",
        registryBaseUrl: npmUrl,
        env: [
          { name: "MCPM_BIN", isRequired: true, description: "The mcpm to run" },
          { name: "AGENT_HOME", isRequired: true, description: "The home of the agent's own mcpm" },
        ],
      }),
    ],
  });
  home = await makeTmpDir("mcpm-gateway-");
  configFile = path.join(home, ".config", "Claude", "claude_desktop_config.json");
  mkdirSync(path.dirname(configFile), { recursive: true });
  writeFileSync(configFile, '{\n  "mcpServers": {\n    "weather": { "command": "/usr/bin/weather-mcp" }\n  }\n}\n');
});
afterAll(async () => {
  await world?.close();
  await cleanupTmpDirs();
});

const mcpm = (args: string[], input?: string) => runMcpm([...args, "--registry", world.registryUrl], { home, input, timeoutMs: 60_000 });

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const gatewayOf = async (agent: Agent) => {
  const rows = (await agent.client.callTool({ name: "mcpm_list", arguments: {} }) as any).structuredContent.servers;
  return Object.fromEntries(rows.map((r: any) => [r.key, r.gateway]));
};

describe("mcpm serve as a gateway", () => {
  it("fronts every installed server through one client entry, starting, isolating, filtering and stopping them", async () => {
    expect((await mcpm(["secrets", "set", SERVER, "POSTS_API_TOKEN"], TOKEN)).code).toBe(0);
    expect((await mcpm(["install", "github-posts", "--env", `POSTS_API_URL=${world.postsUrl}`, "--client", "claude-desktop"])).code).toBe(0);
    expect((await mcpm(["install", "flaky-tools", "--client", "claude-desktop"])).code).toBe(0);
    const installed = readFileSync(configFile, "utf8");

    const enabled = await mcpm(["gateway", "enable", "--client", "claude-desktop"]);
    expect(enabled.stdout).toContain('claude-desktop now reaches io.github.acme/github-posts, io.github.acme/flaky-tools through the entry "mcpm"');
    const config = JSON.parse(readFileSync(configFile, "utf8"));
    expect(Object.keys(config.mcpServers)).toEqual(["weather", "mcpm"]);
    expect(config.mcpServers.mcpm).toMatchObject({ command: process.execPath, args: [MCPM_BIN, "serve"] });
    const listed = (await mcpm(["list", "--json"])).json.result;
    expect(listed.map((s: any) => s.clients[0].gateway)).toEqual([true, true]);
    expect((await mcpm(["clients", "--json"])).json.result.find((c: any) => c.id === "claude-desktop").gateway).toBe(true);

    const agent = await connectAgent(["--idle", "1s", "--registry", world.registryUrl], { home });
    try {
      // Nothing runs until a tool is listed or called.
      expect(await gatewayOf(agent)).toEqual({ "flaky-tools": { running: false, starts: 0 }, "github-posts": { running: false, starts: 0 } });
      const tools = (await agent.client.listTools()).tools.map((t) => t.name);
      const long = tools.find((t) => t.startsWith("flaky-tools__summarize"))!;
      expect(long).toMatch(/^flaky-tools__summarize_every_open_pull_request_of_the_r_[0-9a-f]{8}$/);
      expect(long.length).toBe(64);
      expect(tools).toEqual(expect.arrayContaining(["github-posts__get_posts", "flaky-tools__pid", "flaky-tools__crash"]));
      // Both were pinned at install: their tools come from the pins, and listing starts nothing.
      expect(await gatewayOf(agent)).toEqual({ "flaky-tools": { running: false, starts: 0 }, "github-posts": { running: false, starts: 0 } });
      const rows = (await mcpm(["tools", "list", "flaky-tools", "--json"])).json.result;
      expect(rows.map((r: any) => r.gatewayName)).toEqual(["flaky-tools__crash", "flaky-tools__pid", long]);

      // A crash mid-call fails that call with the server's own words; the next call starts it again.
      const first = textOf(await agent.client.callTool({ name: "flaky-tools__pid", arguments: {} }));
      const crashed: any = await agent.client.callTool({ name: "flaky-tools__crash", arguments: {} });
      expect(crashed.isError).toBe(true);
      expect(textOf(crashed)).toContain("flaky-tools: crashing on purpose");
      const second = textOf(await agent.client.callTool({ name: "flaky-tools__pid", arguments: {} }));
      expect(second).toMatch(/^\d+$/);
      expect(second).not.toBe(first);
      const posts: any = await agent.client.callTool({ name: "github-posts__get_posts", arguments: { limit: 10 } });
      expect(JSON.parse(textOf(posts))).toHaveLength(10);

      // Prompts and resources come through too, prompts named like tools.
      expect((await agent.client.listPrompts()).prompts.map((p) => p.name)).toEqual(["flaky-tools__greet"]);
      const greeting: any = await agent.client.getPrompt({ name: "flaky-tools__greet", arguments: { who: "Ada" } });
      expect(greeting.messages[0].content.text).toBe("Hello, Ada");
      expect((await agent.client.listResources()).resources.map((r) => r.uri)).toEqual(["flaky://pid"]);
      expect((await agent.client.readResource({ uri: "flaky://pid" })).contents[0]).toMatchObject({ uri: "flaky://pid", text: expect.stringMatching(/^\d+$/) });

      // A tool hidden by the CLI disappears from the running gateway, and is not callable.
      const changes = agent.listChanged();
      expect((await mcpm(["tools", "disable", "flaky-tools", "pid"])).code).toBe(0);
      await agent.waitForListChanged(changes);
      expect((await agent.client.listTools()).tools.map((t) => t.name)).not.toContain("flaky-tools__pid");
      const hidden: any = await agent.client.callTool({ name: "flaky-tools__pid", arguments: {} });
      expect(hidden.isError).toBe(true);
      expect(textOf(hidden)).toContain('No tool "flaky-tools__pid"');
      expect((await mcpm(["tools", "enable", "flaky-tools", "pid"])).code).toBe(0);
      await until("the tool to come back", async () => (await agent.client.listTools()).tools.some((t) => t.name === "flaky-tools__pid"));

      // Unused for the idle time: stopped.
      await until("idle servers to stop", async () => Object.values(await gatewayOf(agent)).every((g: any) => !g.running));
    } finally {
      await agent.close();
    }

    const search = await connectAgent(["--tool-search", "--registry", world.registryUrl], { home });
    try {
      const names = (await search.client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(["mcpm_search", "mcpm_info", "mcpm_list", "mcpm_check", "mcpm_install", "mcpm_uninstall", "mcpm_find_tools", "mcpm_call_tool"]);
      const found: any = await search.client.callTool({ name: "mcpm_find_tools", arguments: { query: "recent posts" } });
      expect(found.structuredContent.tools[0]).toMatchObject({ name: "github-posts__get_posts", inputSchema: { properties: { limit: { type: "number" } } } });
      const posts: any = await search.client.callTool({ name: "mcpm_call_tool", arguments: { name: "github-posts__get_posts", arguments: { limit: 3 } } });
      expect(JSON.parse(textOf(posts))).toHaveLength(3);
    } finally {
      await search.close();
    }

    // Agents as tools: another user's gateway, installed here as a server (an agent that is an MCP server), serves
    // this home's servers one level down: its tools arrive as mcpm-agent__<its gateway name>.
    const outer = await makeTmpDir("mcpm-gateway-outer-");
    const installAgent = await runMcpm(["install", AGENT, "--env", `MCPM_BIN=${MCPM_BIN}`, "--env", `AGENT_HOME=${home}`, "--client", "claude-desktop", "--registry", world.registryUrl], { home: outer, timeoutMs: 60_000 });
    expect(installAgent.code).toBe(0);
    const chain = await connectAgent(["--registry", world.registryUrl], { home: outer });
    try {
      const chained: any = await chain.client.callTool({ name: "mcpm-agent__github-posts__get_posts", arguments: { limit: 2 } });
      expect(JSON.parse(textOf(chained))).toHaveLength(2);
    } finally {
      await chain.close();
    }

    const disabled = await mcpm(["gateway", "disable", "--client", "claude-desktop"]);
    expect(disabled.stdout).toContain("restored io.github.acme/github-posts, io.github.acme/flaky-tools");
    expect(readFileSync(configFile, "utf8")).toBe(installed);
  }, 180_000);
});
