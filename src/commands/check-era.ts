import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import type { ForeignLaunch } from '../plan/foreign.js';

/** The first protocol version of the stateless era (server/discover instead of initialize). */
const MODERN = '2026-07-28';

/**
 * Which protocol era a stdio server speaks, remembered for launches whose bytes cannot change: a command or argument
 * inside mcpm's store (a version folder is never rewritten; another version is another path). The SDK learns the
 * era by starting a second, throw-away copy of the server to ask `server/discover` (a server from before 2026-07-28
 * may exit on that request), so a server that once answered with the initialize handshake is connected to directly
 * next time: one process start instead of two for every check and pin of it. A launch outside the store (npx, uvx,
 * a user's own command) may start other code tomorrow, so it is asked every time.
 */
export function eraFile(ctx: Context, launch: ForeignLaunch): string | undefined {
  if (launch.url || !launch.command) return undefined;
  const store = path.resolve(ctx.paths.store) + path.sep;
  const parts = [launch.command, ...launch.args];
  if (!parts.some((part) => path.isAbsolute(part) && path.resolve(part).startsWith(store))) return undefined;
  const key = createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  return path.join(ctx.paths.cache, 'protocol-eras', `${key}.legacy`);
}

/** A launch known to speak a version before 2026-07-28: connect with initialize straight away. */
export const knownLegacy = (file: string | undefined): boolean => file !== undefined && existsSync(file);

/** Remembers a launch that settled on a version before 2026-07-28 (a cache: failing to write it changes nothing). */
export async function rememberEra(file: string | undefined, protocol: string | undefined): Promise<void> {
  if (!file || !protocol || protocol >= MODERN) return;
  await mkdir(path.dirname(file), { recursive: true }).then(() => writeFile(file, `${protocol}\n`)).catch(() => undefined);
}

/**
 * How a stdio server's protocol version is negotiated. 'auto': the SDK asks with server/discover (2026-07-28) and
 * falls back to the initialize handshake of 2024-11-05 .. 2025-11-25; on stdio it asks a throw-away second copy of
 * the server, because some servers exit on a request before initialize. 'in-place': the same question on the one
 * process, for node servers (the TypeScript SDK, and servers written by hand in JavaScript, answer an unknown method
 * with an error and go on), so the server is started once; one that exits anyway is started again with 'legacy'
 * (see closedDuringProbe). 'legacy': initialize at once, for a launch known to speak a 2025 version.
 */
export type Negotiation = 'auto' | 'in-place' | 'legacy';

export function negotiationFor(ctx: Context, launch: ForeignLaunch): Negotiation {
  if (launch.url) return 'auto';
  if (knownLegacy(eraFile(ctx, launch))) return 'legacy';
  const node = launch.command !== undefined && (launch.command === ctx.nodePath || /^node(\.exe)?$/i.test(path.basename(launch.command)));
  return node ? 'in-place' : 'auto';
}

/** The SDK probes on a second process only for its own stdio transport class exactly; a subclass is asked in place. */
// `any[]`: TypeScript lets a class extend a constructor parameter only with this exact signature.
export function stdioTransportClass<T extends new (...args: any[]) => object>(base: T, how: Negotiation): T {
  return how === 'in-place' ? class InPlaceStdio extends base {} : base;
}

/** The in-place probe ended because the server exited: start it again with 'legacy'. */
export const closedDuringProbe = (error: unknown): boolean =>
  (error as { code?: string }).code === 'ERA_NEGOTIATION_FAILED' && /closed during the server\/discover probe/.test((error as Error).message);
