import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { defaultEntryKey } from '../registry/short-name.js';
import { readState, type InstalledServer } from '../state/installed.js';
import { Child, type ChildOptions, type ServerTool } from './child.js';
import { readToolFilters, type ToolFilters } from './filters.js';
import { gatewayToolName } from './names.js';

/** A tool of an installed server as the gateway lists it, and where a call to it goes. */
export interface GatewayTool {
  tool: ServerTool;
  child: Child;
  /** The server's own name for it. */
  original: string;
}

/** The key a server is known by: its first entry's, else (installed for the gateway only) its short name. */
export function keyOf(server: InstalledServer): string {
  return server.entries[0]?.key ?? defaultEntryKey(server.name);
}

/**
 * The servers of one profile behind one MCP endpoint: their tools named `<entry key>__<tool>`, each call routed to
 * the server's process (see child.ts). `refresh` reads the state again after an install or uninstall: servers that
 * are gone are stopped, a server whose version changed starts again on its next use.
 */
export class Gateway {
  private children = new Map<string, Child>();
  private filters: ToolFilters = {};
  private routes = new Map<string, GatewayTool>();
  private promptRoutes = new Map<string, { child: Child; original: string }>();
  private resourceRoutes = new Map<string, Child>();

  constructor(
    private readonly ctx: Context,
    private readonly options: ChildOptions,
  ) {
    this.refresh();
  }

  refresh(): void {
    const servers = Object.values(readState(this.ctx).servers).filter((s) => (s.profile ?? 'default') === this.ctx.profile);
    const next = new Map<string, Child>();
    for (const server of servers) {
      const current = this.children.get(server.name);
      if (current && current.server.version === server.version && current.key === keyOf(server)) next.set(server.name, current);
      else {
        void current?.stop();
        next.set(server.name, new Child(this.ctx, server, keyOf(server), this.options));
      }
    }
    for (const [name, child] of this.children) if (!next.has(name)) void child.stop();
    this.children = next;
    this.filters = readToolFilters(this.ctx);
  }

  servers(): Child[] {
    return [...this.children.values()];
  }

  /**
   * Every visible tool of every server, gateway-named. A server that cannot start is left out of the list (and said
   * on stderr) rather than failing the whole list.
   */
  async tools(): Promise<GatewayTool[]> {
    const lists = await Promise.all(
      this.servers().map(async (child) => {
        try {
          return { child, tools: await child.listTools() };
        } catch (error) {
          process.stderr.write(`mcpm serve: ${child.key}: ${(error as Error).message}\n`);
          return { child, tools: [] };
        }
      }),
    );
    const routes = new Map<string, GatewayTool>();
    for (const { child, tools } of lists) {
      const hidden = new Set(this.filters[child.server.name] ?? []);
      for (const tool of tools) {
        if (hidden.has(tool.name)) continue;
        const name = gatewayToolName(child.key, tool.name);
        routes.set(name, { child, original: tool.name, tool: { ...tool, name, description: `[${child.key}] ${tool.description ?? ''}`.trim() } });
      }
    }
    this.routes = routes;
    return [...routes.values()];
  }

  async call(name: string, args: Record<string, unknown>): Promise<unknown> {
    if (!this.routes.has(name)) await this.tools();
    const route = this.routes.get(name);
    if (!route) throw new McpmError('ENOTFOUND', `No tool "${name}" through the gateway`, { hint: 'List the tools again: the set changes when servers are installed, removed or filtered.' });
    return route.child.callTool(route.original, args);
  }

  /** The prompts of every server, named like tools (`<key>__<prompt>`). */
  async prompts(): Promise<Array<{ name: string; [field: string]: unknown }>> {
    const lists = await Promise.all(this.servers().map(async (child) => ({ child, prompts: await child.listPrompts().catch(() => []) })));
    this.promptRoutes = new Map();
    const out = [];
    for (const { child, prompts } of lists) {
      for (const prompt of prompts) {
        const name = gatewayToolName(child.key, prompt.name);
        this.promptRoutes.set(name, { child, original: prompt.name });
        out.push({ ...prompt, name });
      }
    }
    return out;
  }

  async getPrompt(name: string, args: Record<string, string>): Promise<unknown> {
    if (!this.promptRoutes.has(name)) await this.prompts();
    const route = this.promptRoutes.get(name);
    if (!route) throw new McpmError('ENOTFOUND', `No prompt "${name}" through the gateway`);
    return route.child.getPrompt(route.original, args);
  }

  /** The resources of every server, by their own URIs (the first server to list a URI serves it). */
  async resources(): Promise<Array<{ uri: string; [field: string]: unknown }>> {
    const lists = await Promise.all(this.servers().map(async (child) => ({ child, resources: await child.listResources().catch(() => []) })));
    this.resourceRoutes = new Map();
    const out = [];
    for (const { child, resources } of lists) {
      for (const resource of resources) {
        if (this.resourceRoutes.has(resource.uri)) continue;
        this.resourceRoutes.set(resource.uri, child);
        out.push({ ...resource, ...(typeof resource.description === 'string' ? { description: `[${child.key}] ${resource.description}` } : {}) });
      }
    }
    return out;
  }

  async readResource(uri: string): Promise<unknown> {
    if (!this.resourceRoutes.has(uri)) await this.resources();
    const child = this.resourceRoutes.get(uri);
    if (!child) throw new McpmError('ENOTFOUND', `No resource ${uri} through the gateway`);
    return child.readResource(uri);
  }

  async close(): Promise<void> {
    await Promise.all(this.servers().map((child) => child.stop()));
  }
}
