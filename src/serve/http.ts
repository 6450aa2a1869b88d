import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import type { ServeFlags } from '../commands/serve.js';

export async function serveHttp(_ctx: Context, _flags: ServeFlags, _idleMs: number): Promise<number> {
  throw usageError('--http is not available yet', 'Use stdio (without --http).');
}
