import type { Context } from '../context.js';
import type { CheckResult, ProbeResult } from '../commands/check.js';
import { own } from '../json.js';
import { readState } from '../state/installed.js';
import { saveObserved, savePins } from './record.js';
import { comparable, describeChanges, diffPins, pinSurface } from './surface.js';

/**
 * `mcpm check`'s part in the pins: each surface a handshake returned is compared with the server's pins. A server
 * without pins is pinned now (its install could not start it); a difference is drift, which fails the entry and
 * names what changed. The raw surface leaves the result here (check's output stays what it was).
 */
export async function comparePins(ctx: Context, results: Array<CheckResult & Pick<ProbeResult, 'surface'>>): Promise<void> {
  const state = readState(ctx);
  const pinnedNow = new Set<string>();
  for (const result of results) {
    const surface = result.surface;
    delete result.surface;
    const server = own(state.servers, result.name);
    if (!result.ok || !surface || !server) continue;
    const live = pinSurface(surface, { version: server.version, now: new Date(ctx.now()) });
    const pins = server.trust?.pins;
    if (!comparable(pins)) {
      // Pinned from its first entry that connects; its other entries start the same server.
      if (!pinnedNow.has(server.name)) {
        await savePins(ctx, server.name, live);
        pinnedNow.add(server.name);
        result.pinned = true;
      }
      continue;
    }
    const changes = diffPins(pins, live);
    await saveObserved(ctx, server.name, live);
    if (changes.length === 0) continue;
    result.ok = false;
    result.drift = changes.map((c) => ({ kind: c.kind, name: c.name, change: c.change, ...(c.fields ? { fields: c.fields } : {}) }));
    result.failure = {
      reason: 'drift',
      message: `the server's surface changed since it was pinned (${pins.version}): ${describeChanges(changes)}; review with \`mcpm trust diff ${result.key}\`, then \`mcpm trust accept ${result.key}\``,
    };
  }
}
