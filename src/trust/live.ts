import type { Context } from '../context.js';
import type { InstalledServer } from '../state/installed.js';
import { pinSurface, type Pins } from './surface.js';

/** How long a handshake made only to learn a surface may take (install, trust diff/accept, a guarded start). */
export const SURFACE_TIMEOUT_MS = 10_000;

export type LiveSurface = { pins: Pins } | { note: string };

/**
 * The surface an installed server shows right now, from a real handshake with the SDK client: a stdio server
 * started as `mcpm run` starts it (secrets filled at spawn), a remote one reached at its URL with its headers.
 * A handshake that cannot happen (a secret not set, the remote unreachable or asking for authorization) is a
 * note, never an error: the server stays unpinned and the next check or guarded run tries again.
 */
export async function liveSurface(ctx: Context, server: InstalledServer, timeoutMs = SURFACE_TIMEOUT_MS): Promise<LiveSurface> {
  const { probe } = await import('../commands/check.js');
  let launch;
  try {
    if (server.remote) {
      const { remoteTarget } = await import('../auth/target.js');
      const target = await remoteTarget(ctx, server as InstalledServer & { remote: NonNullable<InstalledServer['remote']> });
      launch = { args: [], env: {}, url: target.url.href, headers: target.headers };
    } else {
      const { launchOf } = await import('../commands/run.js');
      const { command, args, env } = await launchOf(ctx, server);
      launch = { command, args, env: Object.fromEntries(Object.entries(env).filter((pair): pair is [string, string] => pair[1] !== undefined)) };
    }
  } catch (error) {
    return { note: (error as Error).message };
  }
  const result = await probe(ctx, launch, timeoutMs);
  if (!result.ok || !result.surface) return { note: `no MCP handshake: ${result.failure?.reason ?? 'error'}: ${result.failure?.message ?? 'no surface'}` };
  return { pins: pinSurface(result.surface, { version: server.version, now: new Date(ctx.now()) }) };
}
