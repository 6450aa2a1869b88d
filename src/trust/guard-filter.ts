import { hashTool, itemKey, type Pins } from './surface.js';

/**
 * The guard's decisions, one JSON-RPC line at a time, without I/O (guard.ts moves the bytes): a `tools/list`
 * answer loses the tools whose definition differs from its pin or that were never pinned; a `tools/call` of such a
 * tool is answered by the guard itself with an error naming the command to run, and never reaches the server.
 * Every other line passes byte for byte.
 */
export const GUARD_ERROR_CODE = -32001;

type Id = string | number;
type Message = { id?: Id; method?: string; params?: { name?: unknown }; result?: { tools?: unknown[] } };

export class GuardFilter {
  /** Ids of the client's tools/list requests still unanswered. */
  private readonly lists = new Set<Id>();
  /** Tools withheld so far (drifted or unpinned), with why. */
  readonly withheld = new Map<string, string>();

  constructor(
    private readonly pins: Pins,
    /** How the user names the server (the entry key), for the command in the error. */
    private readonly key: string,
  ) {}

  /** A line from the client: what to pass to the server, or what to answer the client directly. */
  fromClient(line: string): { forward: string } | { answer: string } {
    const message = parse(line);
    if (!message || Array.isArray(message) || message.id === undefined) return { forward: line };
    if (message.method === 'tools/list') this.lists.add(message.id);
    if (message.method === 'tools/call' && typeof message.params?.name === 'string') {
      const why = this.refusal(message.params.name);
      if (why) return { answer: JSON.stringify({ jsonrpc: '2.0', id: message.id, error: { code: GUARD_ERROR_CODE, message: why } }) };
    }
    return { forward: line };
  }

  /** A line from the server, as the client gets it. */
  fromServer(line: string): string {
    const message = parse(line);
    if (!message || Array.isArray(message) || message.id === undefined || message.method !== undefined || !this.lists.delete(message.id)) return line;
    const tools = message.result?.tools;
    if (!Array.isArray(tools)) return line;
    const kept = tools.filter((tool) => this.verdict(tool) === undefined);
    if (kept.length === tools.length) return line;
    return JSON.stringify({ ...message, result: { ...message.result, tools: kept } });
  }

  /** Why a tool is withheld (and remembered as such), or undefined when it matches its pin. */
  private verdict(tool: unknown): string | undefined {
    const name = (tool as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return 'nameless';
    const pinned = this.pins.items[itemKey('tool', name)];
    const why = !pinned ? this.added() : pinned.hash !== hashTool(tool) ? `has changed since it was pinned at ${this.pins.version}` : undefined;
    if (why) this.withheld.set(name, why);
    else this.withheld.delete(name);
    return why;
  }

  /** A call's refusal: a tool seen drifted, or one that has no pin at all. */
  private refusal(name: string): string | undefined {
    const why = this.withheld.get(name) ?? (this.pins.items[itemKey('tool', name)] ? undefined : this.added());
    if (!why) return undefined;
    return `mcpm guard: the tool "${name}" ${why}, so it is withheld. Review it with \`mcpm trust diff ${this.key}\`, then run \`mcpm trust accept ${this.key} --tool ${name}\``;
  }

  private added(): string {
    return `was not among the tools pinned at ${this.pins.version}`;
  }
}

function parse(line: string): Message | Message[] | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    return value && typeof value === 'object' ? (value as Message | Message[]) : undefined;
  } catch {
    return undefined;
  }
}
