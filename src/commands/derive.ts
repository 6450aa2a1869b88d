import type { Context } from '../context.js';

/** The same context seen from another folder or with other registries (getters such as timeoutMs keep working). */
export function deriveContext(ctx: Context, change: { cwd?: string; registry?: string; cacheTtlMs?: number }): Context {
  return Object.create(ctx, {
    ...(change.cacheTtlMs !== undefined ? { cacheTtlMs: { value: change.cacheTtlMs } } : {}),
    ...(change.cwd ? { cwd: { value: change.cwd } } : {}),
    ...(change.registry ? { options: { value: { ...ctx.options, registry: change.registry } } } : {}),
  }) as Context;
}
