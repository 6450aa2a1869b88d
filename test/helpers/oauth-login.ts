// `mcpm login` with the test as the browser: it opens the printed authorization URL, whose redirect goes to mcpm's
// loopback listener, as a user who clicks "Allow" would.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { runMcpm } from "./cli.js";
import type { ServerEntry } from "./mcp-client.js";
import { spawnMcpm } from "./spawn.js";
import { makeTmpDir } from "./tmp.js";

export async function loginAsBrowser(home: string, args: string[], env: Record<string, string> = {}) {
  const live = spawnMcpm(["login", ...args, "--json"], { home, env });
  const [url] = await live.waitFor(/https?:\/\/\S+\/authorize\?\S+/);
  const page = await fetch(url!);
  const text = await page.text();
  const code = await live.exited;
  const stdout = live.stdout().toString("utf8");
  return { code, page: text, status: page.status, stdout, stderr: live.stderr(), json: stdout ? JSON.parse(stdout) : undefined, url: url! };
}

/** A fresh HOME with one remote server of `registryUrl` installed into Claude Desktop (an `mcpm run` entry). */
export async function remoteHome(registryUrl: string, name = "notes", extra: string[] = []) {
  const home = await makeTmpDir("mcpm-credentials-");
  const mcpm = (args: string[], env: Record<string, string> = {}) =>
    runMcpm([...args, "--registry", registryUrl], { home, env: { MCPM_CACHE_TTL: "0", ...env }, timeoutMs: 60_000 });
  const install = await mcpm(["install", name, "--client", "claude-desktop", ...extra, "--json"]);
  expect(install.json?.ok, install.stderr + install.stdout).toBe(true);
  const entry = (): ServerEntry => JSON.parse(readFileSync(path.join(home, ".config", "Claude", "claude_desktop_config.json"), "utf8")).mcpServers[name];
  const file = (profile = "default", server = `io.github.acme/${name}`) =>
    path.join(home, ".mcpm", "secrets", ...(profile === "default" ? [] : [`@${profile}`]), ...server.split("/")) + ".oauth.json";
  const login = (args: string[] = [], env: Record<string, string> = {}) => loginAsBrowser(home, [name, ...args, "--registry", registryUrl], { MCPM_CACHE_TTL: "0", ...env });
  return { home, mcpm, entry, file, login };
}

/** The notes server's `whoami` tool: who the resource server thinks is calling. */
export async function whoami(client: any) {
  const result: any = await client.callTool({ name: "whoami", arguments: {} });
  expect(result.isError ?? false, JSON.stringify(result)).toBe(false);
  return JSON.parse(result.content[0].text);
}
