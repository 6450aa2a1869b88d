import type { Client } from '@modelcontextprotocol/client';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { byName, type InstalledServer } from '../state/installed.js';

/** A tool as a server lists it (what tools/list carries). */
export interface ServerTool {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  [field: string]: unknown;
}

export interface ChildOptions {
  /** Stop a server nobody used for this long (ms); 0 keeps it running. */
  idleMs: number;
  /** How long starting a server may take. */
  startTimeoutMs: number;
  /** How long one call may take before the caller gets an error (the server keeps running). */
  callTimeoutMs: number;
}

/**
 * One installed server behind the gateway: started on first use exactly as its entry starts it (`launchOf`, the
 * code `mcpm run` uses: the same store version, secrets filled in at spawn time; a remote server through
 * `mcpm run`'s bridge), stopped after an idle time, and started again on the next use if it died; the error it
 * died with goes to the caller whose call it broke. What one server does (floods, hangs, dies) touches only the
 * calls made to it.
 */
export class Child {
  private client: Client | undefined;
  private starting: Promise<Client> | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private stderr = '';
  private tools: ServerTool[] | undefined;
  /** Why the last process ended when nobody asked it to (said to the next caller). */
  private died: string | undefined;
  /** How many times the process was started (mcpm_list shows it). */
  starts = 0;
  /**
   * The protocol era found at the first start: restarts skip the `server/discover` probe, which for a 2025-era
   * stdio server costs a second process start.
   */
  private negotiation: 'auto' | 'legacy' | { pin: string } = 'auto';

  constructor(
    private readonly ctx: Context,
    readonly server: InstalledServer,
    readonly key: string,
    private readonly options: ChildOptions,
  ) {}

  get running(): boolean {
    return this.client !== undefined;
  }

  async listTools(): Promise<ServerTool[]> {
    if (this.tools) return this.tools;
    // The surface the user approved answers without starting the server: the pins taken for this very version
    // (src/trust), while no drift has been seen since. The server starts on the first call, as always.
    const pinned = pinnedTools(this.server);
    if (pinned) return (this.tools = pinned);
    const client = await this.connected();
    const tools: ServerTool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {});
      tools.push(...(page.tools as ServerTool[]));
      cursor = page.nextCursor;
    } while (cursor);
    this.tools = tools;
    this.touch();
    return tools;
  }

  async callTool(name: string, args: Record<string, unknown>): Promise<unknown> {
    return this.request((client) => client.callTool({ name, arguments: args }, { timeout: this.options.callTimeoutMs }));
  }

  /** The server's prompts, or none when it offers none. */
  async listPrompts(): Promise<Array<{ name: string; description?: string; [field: string]: unknown }>> {
    return this.request(async (client) => (client.getServerCapabilities()?.prompts ? (await client.listPrompts()).prompts : []));
  }

  async getPrompt(name: string, args: Record<string, string>): Promise<unknown> {
    return this.request((client) => client.getPrompt({ name, arguments: args }, { timeout: this.options.callTimeoutMs }));
  }

  /** The server's resources, or none when it offers none. */
  async listResources(): Promise<Array<{ uri: string; name: string; [field: string]: unknown }>> {
    return this.request(async (client) => (client.getServerCapabilities()?.resources ? (await client.listResources()).resources : []));
  }

  async readResource(uri: string): Promise<unknown> {
    return this.request((client) => client.readResource({ uri }, { timeout: this.options.callTimeoutMs }));
  }

  /** One request to the server, started if need be; a death during it is told to this caller in the server's words. */
  private async request<T>(send: (client: Client) => Promise<T>): Promise<T> {
    const before = this.died;
    const client = await this.connected();
    try {
      return await send(client);
    } catch (error) {
      // A process that died during the request: its own words (stderr) say more than "connection closed".
      const died = this.died !== undefined && this.died !== before;
      throw new McpmError('EINTERNAL', `${this.key}: ${died ? this.died : (error as Error).message}`, { hint: died ? 'The gateway starts the server again on the next call.' : '' });
    } finally {
      this.touch();
    }
  }

  async stop(): Promise<void> {
    clearTimeout(this.idleTimer);
    const client = this.client;
    this.client = undefined;
    this.starting = undefined;
    await client?.close().catch(() => undefined);
  }

  private connected(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(): Promise<Client> {
    const { Client } = await import('@modelcontextprotocol/client');
    const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');
    const { launchOf } = await import('../commands/run.js');
    const launch = this.server.remote
      ? { command: this.ctx.nodePath, args: [process.argv[1]!, 'run', this.server.name], env: { ...this.ctx.env } }
      : await launchOf(this.ctx, this.server);
    const env = Object.fromEntries(Object.entries(launch.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
    // The first start learns the protocol version as check does (check-era.ts); later starts reuse what it learnt.
    const { negotiationFor, stdioTransportClass, closedDuringProbe } = await import('../commands/check-era.js');
    const how = this.negotiation === 'auto' ? negotiationFor(this.ctx, { command: launch.command, args: launch.args, env }) : undefined;
    if (how === 'legacy') this.negotiation = 'legacy';
    const Transport = stdioTransportClass(StdioClientTransport, how ?? 'auto');
    const transport = new Transport({ command: launch.command, args: launch.args, env, stderr: 'pipe', cwd: this.ctx.home });
    this.stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      // A flooding server costs a bounded buffer, nothing more.
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    const client = new Client({ name: 'mcpm-gateway', version: '1' }, { versionNegotiation: { mode: this.negotiation } });
    client.onclose = () => {
      if (this.client !== client) return;
      const tail = this.stderr.trim().split('\n').slice(-5).join(' | ');
      this.died = `the server exited${tail ? `: ${tail}` : ''}`;
      this.client = undefined;
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.connect(transport),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.options.startTimeoutMs} ms`)), this.options.startTimeoutMs);
        }),
      ]);
    } catch (error) {
      await client.close().catch(() => undefined);
      if (how === 'in-place' && closedDuringProbe(error)) {
        // It exits on the discover probe: a 2025 server, started again with initialize only.
        this.negotiation = 'legacy';
        return this.start();
      }
      const tail = this.stderr.trim().split('\n').slice(-5).join(' | ');
      throw new McpmError('EINTERNAL', `${this.key} did not start: ${(error as Error).message}${tail ? ` (${tail})` : ''}`, { hint: `Run \`mcpm check ${this.server.name}\` to see why.` });
    } finally {
      clearTimeout(timer);
    }
    this.starts++;
    const version = client.getNegotiatedProtocolVersion();
    if (this.negotiation === 'auto' && version) this.negotiation = version.startsWith('2025') || version.startsWith('2024') ? 'legacy' : { pin: version };
    this.client = client;
    this.touch();
    return client;
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    if (this.options.idleMs <= 0 || !this.client) return;
    this.idleTimer = setTimeout(() => void this.stop(), this.options.idleMs);
    this.idleTimer.unref();
  }
}

/** The tools pinned for the installed version, as tools/list gives them; undefined when there is nothing to trust. */
export function pinnedTools(server: InstalledServer): ServerTool[] | undefined {
  const trust = server.trust;
  if (!trust?.pins || trust.pins.version !== server.version || trust.drift) return undefined;
  const tools = Object.values(trust.pins.items)
    .filter((item) => item.kind === 'tool' && typeof item.value.inputSchema === 'object' && item.value.inputSchema !== null)
    .map((item) => item.value as ServerTool);
  return tools.sort(byName);
}
