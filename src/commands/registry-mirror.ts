import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { configuredRegistries, deriveName, normalizeRegistryUrl, registryKind, type RegistryRef } from '../registry/config.js';
import { mirrorRegistry, type MirrorSummary } from '../registry/mirror.js';

/**
 * `mcpm registry mirror <upstream> <dir> [--allow <file>] [--full]`: upstream is a registry URL, the name of a
 * configured registry (its token is used), or a static index.
 */
export async function registryMirror(ctx: Context, upstream: string, dir: string, options: { allow?: string; full?: boolean }): Promise<MirrorSummary> {
  const configured = configuredRegistries(ctx.settings(), ctx.cwd).find((r) => r.name === upstream);
  const url = configured?.url ?? normalizeRegistryUrl(upstream, ctx.cwd);
  if (url === 'embedded') throw new McpmError('EUSAGE', 'The embedded index cannot be mirrored', { hint: 'Mirror a registry URL or an index file.' });
  const ref: RegistryRef = { ...(configured ?? { name: deriveName(url), url }), kind: registryKind(url), configured: Boolean(configured) };
  const target = path.resolve(ctx.cwd, dir);
  return mirrorRegistry(ctx, ref, target, options.allow === undefined ? undefined : path.resolve(ctx.cwd, options.allow), { full: options.full });
}
