import { defineCommand } from './spec.js';
import type { Context } from '../context.js';
import { parseDuration } from '../duration.js';
import { usageError } from '../errors.js';

export interface ServeFlags {
  allowInstall?: boolean;
  idle?: string;
  toolSearch?: boolean;
  http?: boolean;
  port?: string;
  newToken?: boolean;
  allowManage?: boolean;
}

const DEFAULT_IDLE = '10m';

/**
 * `mcpm serve`: mcpm as an MCP server (stdio, or with --http a 127.0.0.1 port behind a bearer token). It offers
 * the management tools (search, info, list, check, install, uninstall: an agent finds and installs tools itself,
 * with the user's consent) and fronts every installed server of the profile as one gateway (see src/serve/).
 */
async function serve(ctx: Context, flags: ServeFlags): Promise<number> {
  const idleMs = parseDuration(flags.idle ?? DEFAULT_IDLE, 's');
  if (idleMs === undefined) throw usageError(`Invalid --idle "${flags.idle}"`, 'Give a duration: 30s, 10m, 1h (0 keeps servers running).');
  if (flags.http) {
    const { serveHttp } = await import('../serve/http.js');
    return serveHttp(ctx, flags, idleMs);
  }
  if (flags.port || flags.newToken || flags.allowManage) throw usageError('--port, --new-token and --allow-manage go with --http', 'Add --http, or leave them out for stdio.');
  const { serveStdioGateway } = await import('../serve/stdio.js');
  return serveStdioGateway(ctx, flags, idleMs);
}

export const commands = [
  defineCommand<never>({
    name: 'serve',
    description: 'run mcpm as an MCP server: agents search and install servers (with your consent) and use every installed server through it',
    options: [
      { flags: '--allow-install', description: 'install and uninstall without asking the user (sandboxes only; the tool descriptions say so)' },
      { flags: '--idle <duration>', description: `stop a server unused for this long (default ${DEFAULT_IDLE}; 0: never)` },
      { flags: '--tool-search', description: 'list only mcpm_find_tools and mcpm_call_tool instead of every tool (large sets)' },
      { flags: '--http', description: 'serve streamable HTTP on 127.0.0.1 with a bearer token (default: stdio)' },
      { flags: '--port <port>', description: 'with --http: the port (default: any free one, printed)' },
      { flags: '--new-token', description: 'with --http: replace the bearer token (printed once)' },
      { flags: '--allow-manage', description: 'with --http: offer the management tools too (never without a token)' },
    ],
    ownsStdout: true,
    ownsSignals: true,
    run: async (ctx, { options }) => ({ rawExitCode: await serve(ctx, options as ServeFlags) }),
  }),
];
