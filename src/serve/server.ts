import { CLIENT_CAPABILITIES_META_KEY, Server, inputRequired, inputResponse, type ServerContext } from '@modelcontextprotocol/server';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { mcpmVersion } from '../version.js';
import type { Gateway } from './gateway.js';
import { managementTools, type Consent, type ManagementTool, type Services } from './management.js';
import { errorResult, textResult, type ToolResult } from './results.js';
import { CALL_TOOL, FIND_TOOLS, findTools } from './tool-search.js';

export interface ServeOptions {
  allowInstall: boolean;
  /** Expose mcpm_search/info/list/check/install/uninstall (off over HTTP unless --allow-manage). */
  manage: boolean;
  toolSearch: boolean;
  /** How a change of the tool set reaches clients (HTTP: the handler's subscriptions); default: this connection. */
  notifyChanged?: () => void;
}

const CONSENT_KEY = 'consent';

/**
 * One MCP server instance (per connection): the management tools and the gateway's tools in one tools/list,
 * each call answered as a tool result (an error is a result with isError, never a failed gateway). Consent is an
 * elicitation through the SDK's multi round-trip return (input_required on 2026-07-28; the SDK turns it into an
 * elicitation/create request for 2025 clients).
 */
export function createServer(ctx: Context, gateway: Gateway, options: ServeOptions): Server {
  const server = new Server({ name: 'mcpm', version: mcpmVersion() }, { capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, resources: { listChanged: true } } });
  const services: Services = {
    ctx,
    gateway,
    allowInstall: options.allowInstall,
    changed: options.notifyChanged ?? (() => void server.sendToolListChanged().catch(() => undefined)),
  };
  const management = options.manage ? managementTools(options.allowInstall) : [];
  const byName = new Map<string, ManagementTool>(management.map((t) => [t.name, t]));
  const listed = (t: { name: string; description: string; inputSchema: Record<string, unknown> }) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema });

  server.setRequestHandler('tools/list', async () => {
    const own = management.map(listed);
    if (options.toolSearch) return { tools: [...own, listed(FIND_TOOLS), listed(CALL_TOOL)] } as never;
    return { tools: [...own, ...(await gateway.tools()).map((t) => t.tool)] } as never;
  });

  // The installed servers' prompts and resources, routed like their tools (a failure is a protocol error here).
  server.setRequestHandler('prompts/list', async () => ({ prompts: await gateway.prompts() }) as never);
  server.setRequestHandler('prompts/get', async (request) => (await gateway.getPrompt(request.params.name, (request.params.arguments ?? {}) as Record<string, string>)) as never);
  server.setRequestHandler('resources/list', async () => ({ resources: await gateway.resources() }) as never);
  server.setRequestHandler('resources/read', async (request) => (await gateway.readResource(request.params.uri)) as never);

  server.setRequestHandler('tools/call', async (request, rctx) => {
    const name = request.params.name;
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    try {
      const tool = byName.get(name);
      if (tool) {
        const outcome = await tool.run(services, args, consentOf(server, rctx));
        if ('ask' in outcome) return inputRequired({ inputRequests: { [CONSENT_KEY]: inputRequired.elicit(outcome.ask) }, ...(outcome.shown ? { requestState: outcome.shown } : {}) }) as never;
        return outcome as never;
      }
      if (options.toolSearch) return (await searchMode(gateway, name, args)) as never;
      return (await gateway.call(name, args)) as never;
    } catch (error) {
      return errorResult(error) as never;
    }
  });
  return server;
}

async function searchMode(gateway: Gateway, name: string, args: Record<string, unknown>): Promise<unknown> {
  if (name === FIND_TOOLS.name) {
    const query = typeof args.query === 'string' ? args.query : '';
    const limit = typeof args.limit === 'number' && args.limit > 0 ? Math.min(50, Math.floor(args.limit)) : 10;
    const found = findTools((await gateway.tools()).map((t) => t.tool), query, limit);
    return textResult(found.length ? JSON.stringify(found, null, 2) : `No tool matches "${query}".`, { tools: found });
  }
  if (name === CALL_TOOL.name) {
    if (typeof args.name !== 'string') throw new McpmError('EUSAGE', '"name" must be the name mcpm_find_tools gave');
    const inner = args.arguments === undefined ? {} : args.arguments;
    if (!inner || typeof inner !== 'object' || Array.isArray(inner)) throw new McpmError('EUSAGE', '"arguments" must be an object');
    return gateway.call(args.name, inner as Record<string, unknown>);
  }
  return errorResult(new McpmError('ENOTFOUND', `No tool "${name}"`, { hint: `Use ${FIND_TOOLS.name} and ${CALL_TOOL.name}.` })) satisfies ToolResult;
}

/** What the user answered on a retried request, and whether this client can show a form at all. */
function consentOf(server: Server, rctx: ServerContext): Consent {
  const envelope = rctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const capabilities = (envelope?.[CLIENT_CAPABILITIES_META_KEY] ?? server.getClientCapabilities()) as { elicitation?: { form?: unknown; url?: unknown } } | undefined;
  // An empty elicitation capability means form mode (the 2025-06-18 shape).
  const canAsk = Boolean(capabilities?.elicitation && (capabilities.elicitation.form !== undefined || capabilities.elicitation.url === undefined));
  const view = inputResponse(rctx.mcpReq.inputResponses, CONSENT_KEY) as { kind: string; action?: string; content?: Record<string, unknown> };
  if (view.kind !== 'elicit') return { answer: undefined, canAsk };
  const state = rctx.mcpReq.requestState();
  return { answer: view.action === 'accept' && view.content?.approve === true ? 'accept' : 'decline', canAsk, ...(typeof state === 'string' ? { shown: state } : {}) };
}
