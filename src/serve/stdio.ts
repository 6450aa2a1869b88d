import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import type { Context } from '../context.js';
import type { ServeFlags } from '../commands/serve.js';
import type { Server } from '@modelcontextprotocol/server';
import { Gateway } from './gateway.js';
import { createServer } from './server.js';

/** Per call and start limits of the servers behind the gateway. */
export const CHILD_LIMITS = { startTimeoutMs: 30_000, callTimeoutMs: 120_000 };

/** The files whose change means another set of tools: the installed servers, the tool filters. */
const WATCHED = new Set(['installed.json', 'gateway-tools.json']);

/** `mcpm serve` on stdio: runs until the client closes stdin or a signal comes; then every server is stopped. */
export async function serveStdioGateway(ctx: Context, flags: ServeFlags, idleMs: number): Promise<number> {
  const { serveStdio } = await import('@modelcontextprotocol/server/stdio');
  const gateway = new Gateway(ctx, { idleMs, ...CHILD_LIMITS });
  const options = { allowInstall: Boolean(flags.allowInstall), manage: true, toolSearch: Boolean(flags.toolSearch) };
  let server: Server | undefined;
  const handle = serveStdio(
    () => {
      server = createServer(ctx, gateway, options);
      return server;
    },
    { onerror: (error) => process.stderr.write(`mcpm serve: ${error.message}\n`) },
  );
  const watcher = watchChanges(ctx, () => {
    try {
      gateway.refresh();
    } catch (error) {
      // A file broken by hand: the gateway keeps the set it had, and says why.
      process.stderr.write(`mcpm serve: ${(error as Error).message}\n`);
      return;
    }
    void server?.sendToolListChanged().catch(() => undefined);
  });
  await new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, resolve);
  });
  watcher?.close();
  await gateway.close();
  await handle.close().catch(() => undefined);
  return 0;
}

/**
 * Installs, uninstalls and tool filters changed by the CLI (or another agent) while this gateway runs: the client
 * hears tools/list_changed without a restart. Several writes in a row make one notification.
 */
function watchChanges(ctx: Context, onChange: () => void): FSWatcher | undefined {
  let timer: NodeJS.Timeout | undefined;
  try {
    // Made now if nothing was installed yet, so the first install by the CLI is seen too.
    mkdirSync(ctx.paths.state, { recursive: true });
    const watcher = watch(ctx.paths.state, { persistent: false }, (_event, file) => {
      if (!file || !WATCHED.has(String(file))) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, 150);
    });
    watcher.on('error', () => undefined);
    return watcher;
  } catch {
    // A file system without watching: installs through this gateway still notify (management.ts).
    return undefined;
  }
}
