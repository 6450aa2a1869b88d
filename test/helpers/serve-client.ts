// An agent for `mcpm serve`: the MCP SDK v2 client, connected to `mcpm serve` over stdio in a test HOME, that
// answers consent forms as the test says and records what it was shown and every tools/list_changed.
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { MCPM_BIN, scrubbedEnv } from "./cli.js";

export interface Agent {
  client: Client;
  /** The consent forms shown, in order (their message). */
  forms: string[];
  /** How many tools/list_changed arrived. */
  listChanged(): number;
  /** Resolves at the next tools/list_changed after `count` of them. */
  waitForListChanged(count: number): Promise<void>;
  /** What the next consent form is answered: accept (approve ticked), decline. */
  answer: "accept" | "decline";
  stderr(): string;
  close(): Promise<void>;
}

export async function connectAgent(args: string[], opts: { home: string; env?: Record<string, string>; elicitation?: boolean; /** speak 2025-11-25 (initialize) instead of 2026-07-28 */ legacy?: boolean }): Promise<Agent> {
  let changes = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const agent = { forms: [] as string[], answer: "accept" as "accept" | "decline" } as Agent;
  const client = new Client(
    { name: "test-agent", version: "1.0.0" },
    {
      versionNegotiation: { mode: opts.legacy ? "legacy" : "auto" },
      capabilities: opts.elicitation === false ? {} : { elicitation: { form: {} } },
      listChanged: {
        tools: {
          autoRefresh: false,
          onChanged: () => {
            changes++;
            for (const waiter of waiters.filter((w) => changes > w.count)) waiter.resolve();
          },
        },
      },
    } as never,
  );
  if (opts.elicitation !== false) {
    client.setRequestHandler("elicitation/create", async (request: any) => {
      agent.forms.push(request.params.message);
      return agent.answer === "accept" ? { action: "accept", content: { approve: true } } : { action: "decline" };
    });
  }
  const transport = new StdioClientTransport({ command: process.execPath, args: [MCPM_BIN, "serve", ...args], env: scrubbedEnv(opts), stderr: "pipe", cwd: opts.home });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await client.connect(transport);
  return Object.assign(agent, {
    client,
    listChanged: () => changes,
    waitForListChanged: (count: number) => (changes > count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }))),
    stderr: () => stderr,
    close: () => client.close(),
  });
}

/** The text of a tool result. */
export function textOf(result: any): string {
  return (result.content ?? []).map((c: any) => c.text ?? "").join("\n");
}
