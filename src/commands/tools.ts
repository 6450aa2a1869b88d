import { defineCommand } from './spec.js';
import type { Context } from '../context.js';
import { byName, readState, requireInstalled, type InstalledServer } from '../state/installed.js';
import { readToolFilters, setToolHidden } from '../serve/filters.js';
import { keyOf } from '../serve/gateway.js';
import { gatewayToolName } from '../serve/names.js';
import { table } from './list.js';

export interface ToolRow {
  server: string;
  tool: string;
  /** The name an agent calls it by through `mcpm serve`. */
  gatewayName: string;
  hidden: boolean;
  description?: string;
}

/**
 * `mcpm tools list [name]`: the tools of installed servers (each started as the gateway starts it, then stopped)
 * and whether the gateway hides them. A server that does not start is said and skipped.
 */
async function listTools(ctx: Context, name: string | undefined): Promise<ToolRow[]> {
  const { Child } = await import('../serve/child.js');
  const state = readState(ctx);
  const servers: InstalledServer[] = name ? [requireInstalled(state, name)] : Object.values(state.servers).sort(byName);
  const hidden = readToolFilters(ctx);
  const rows: ToolRow[] = [];
  for (const server of servers) {
    const child = new Child(ctx, server, keyOf(server), { idleMs: 0, startTimeoutMs: ctx.options.timeout ? ctx.timeoutMs : 15_000, callTimeoutMs: 15_000 });
    try {
      for (const tool of await child.listTools()) {
        rows.push({ server: server.name, tool: tool.name, gatewayName: gatewayToolName(child.key, tool.name), hidden: (hidden[server.name] ?? []).includes(tool.name), ...(tool.description ? { description: tool.description } : {}) });
      }
    } catch (error) {
      ctx.out.warn((error as Error).message);
    } finally {
      await child.stop();
    }
  }
  return rows;
}

async function toggle(ctx: Context, name: string, tool: string, hide: boolean) {
  const server = requireInstalled(readState(ctx), name);
  const hidden = await setToolHidden(ctx, server.name, tool, hide);
  return { name: server.name, tool, hidden: hide, allHidden: hidden };
}

export const group = { name: 'tools', description: 'the tools of installed servers, and which ones `mcpm serve` hides' };

export const commands = [
  defineCommand({
    name: 'tools list',
    description: 'list the tools of installed servers (starts each one), with their gateway names and whether hidden',
    arguments: [['[name]', 'one server (default: all)']],
    run: async (ctx, { args }) => ({ result: await listTools(ctx, args.name) }),
    render: (rows) => (rows.length ? table(['TOOL', 'SERVER', 'GATEWAY NAME', ''], rows.map((r) => [r.tool, r.server, r.gatewayName, r.hidden ? 'hidden' : ''])) : 'No tools.'),
  }),
  defineCommand({
    name: 'tools disable',
    description: 'hide a tool from `mcpm serve`: neither listed nor callable through the gateway',
    arguments: [['<name>', 'the server'], ['<tool>', 'the tool, by the server\'s own name for it']],
    run: async (ctx, { args }) => ({ result: await toggle(ctx, args.name, args.tool, true) }),
    render: (r) => `Hidden ${r.tool} of ${r.name} from mcpm serve`,
  }),
  defineCommand({
    name: 'tools enable',
    description: 'show a hidden tool through `mcpm serve` again',
    arguments: [['<name>', 'the server'], ['<tool>', 'the tool']],
    run: async (ctx, { args }) => ({ result: await toggle(ctx, args.name, args.tool, false) }),
    render: (r) => `${r.tool} of ${r.name} is available through mcpm serve again`,
  }),
];
