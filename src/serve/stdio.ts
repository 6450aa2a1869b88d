import type { Context } from '../context.js';
import type { ServeFlags } from '../commands/serve.js';
import { Gateway } from './gateway.js';
import { createServer } from './server.js';

/** Per call and start limits of the servers behind the gateway. */
export const CHILD_LIMITS = { startTimeoutMs: 30_000, callTimeoutMs: 120_000 };

/** `mcpm serve` on stdio: runs until the client closes stdin or a signal comes; then every server is stopped. */
export async function serveStdioGateway(ctx: Context, flags: ServeFlags, idleMs: number): Promise<number> {
  const { serveStdio } = await import('@modelcontextprotocol/server/stdio');
  const gateway = new Gateway(ctx, { idleMs, ...CHILD_LIMITS });
  const options = { allowInstall: Boolean(flags.allowInstall), manage: true, toolSearch: Boolean(flags.toolSearch) };
  const handle = serveStdio(() => createServer(ctx, gateway, options), { onerror: (error) => process.stderr.write(`mcpm serve: ${error.message}\n`) });
  await new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, resolve);
  });
  await gateway.close();
  await handle.close().catch(() => undefined);
  return 0;
}
