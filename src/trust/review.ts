import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { readState, requireInstalled, type InstalledServer } from '../state/installed.js';
import { liveSurface } from './live.js';
import { savePins } from './record.js';
import { acceptItems, comparable, diffPins, itemKey, type ItemChange, type Pins } from './surface.js';

/** `mcpm trust diff` and `mcpm trust accept`: the live surface against the pins, and re-pinning after review. */
export interface TrustDiff {
  name: string;
  pinned?: { version: string; pinnedAt: string; hash: string };
  live: { version: string; hash: string };
  changes: ItemChange[];
}

async function live(ctx: Context, server: InstalledServer): Promise<Pins> {
  const surface = await liveSurface(ctx, server);
  if ('note' in surface) {
    throw new McpmError('EHANDSHAKE', `Cannot learn ${server.name}'s tools: ${surface.note}`, { hint: `Run \`mcpm check ${server.name}\` to see why it does not start.` });
  }
  return surface.pins;
}

export async function trustDiff(ctx: Context, name: string): Promise<TrustDiff> {
  const server = requireInstalled(readState(ctx), name);
  const now = await live(ctx, server);
  const pins = server.trust?.pins;
  return {
    name: server.name,
    ...(comparable(pins) ? { pinned: { version: pins.version, pinnedAt: pins.pinnedAt, hash: pins.hash } } : {}),
    live: { version: now.version, hash: now.hash },
    // Without pins every item is new: the whole surface is what accept would pin.
    changes: diffPins(comparable(pins) ? pins : { ...now, items: {} }, now),
  };
}

export interface TrustAccept {
  name: string;
  hash: string;
  accepted: string[];
}

/** Re-pins the whole live surface, or with `tools` only those tools (the rest keep their old pins). */
export async function trustAccept(ctx: Context, name: string, tools: string[]): Promise<TrustAccept> {
  const server = requireInstalled(readState(ctx), name);
  const now = await live(ctx, server);
  const pins = server.trust?.pins;
  let next = now;
  let accepted = diffPins(comparable(pins) ? pins : { ...now, items: {} }, now).map((c) => c.key);
  if (tools.length > 0) {
    if (!comparable(pins)) throw new McpmError('EUSAGE', `${server.name} has no pins yet; accept its whole surface first`, { hint: `Run \`mcpm trust accept ${name}\` without --tool.` });
    const keys = tools.map((tool) => itemKey('tool', tool));
    const unknown = keys.filter((key) => !pins.items[key] && !now.items[key]);
    if (unknown.length > 0) {
      throw new McpmError('EUSAGE', `${server.name} has no tool ${unknown.map((k) => k.slice(5)).join(', ')}`, { hint: `Run \`mcpm trust diff ${name}\` to see its tools.` });
    }
    next = acceptItems(pins, now, keys, new Date(ctx.now()));
    accepted = accepted.filter((key) => keys.includes(key));
  }
  await savePins(ctx, server.name, next);
  return { name: server.name, hash: next.hash, accepted };
}
