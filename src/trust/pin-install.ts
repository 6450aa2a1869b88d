import type { Context } from '../context.js';
import { own } from '../json.js';
import { readState } from '../state/installed.js';
import { liveSurface } from './live.js';
import { saveObserved, savePins, saveUnpinned } from './record.js';
import { visible } from './rules.js';
import { scanSurface } from './scan.js';
import { describeChanges, diffPins, comparable, pinsFromLock, PINS_FORMAT, type LockPins, type Pins } from './surface.js';

export interface PinOutcome {
  pinned: boolean;
  hash?: string;
  tools?: number;
  note?: string;
  findings: number;
}

/**
 * Right after an install: one handshake with the installed version, its surface pinned (the moment the user
 * approved the server), its descriptions scanned (findings are warnings here; audit lists them), and a surface
 * that changed since the version before said. Only npm servers are started here: other package types start a
 * runtime (uvx, docker, dnx) and remotes need the network and maybe a login first; they are pinned by the first
 * `mcpm check` or `mcpm run --guard`.
 */
export async function pinAfterInstall(ctx: Context, name: string, before: Pins | undefined, locked?: LockPins): Promise<PinOutcome> {
  const server = own(readState(ctx).servers, name);
  if (!server) return { pinned: false, findings: 0 };
  if (server.package?.registryType !== 'npm') {
    const note = `not started at install (${server.remote ? 'remote' : server.package?.registryType ?? 'package'}): \`mcpm check\` pins its tools`;
    await saveUnpinned(ctx, name, note);
    return { pinned: false, note, findings: 0 };
  }
  const live = await liveSurface(ctx, server);
  if ('note' in live) {
    await saveUnpinned(ctx, name, live.note);
    ctx.out.note(`${name}'s tools are not pinned yet (${live.note}); the next \`mcpm check\` or \`mcpm run --guard\` pins them`);
    return { pinned: false, note: live.note, findings: 0 };
  }
  if (locked && locked.formatVersion === PINS_FORMAT) {
    // Installing what a lock pins (a project's committed lock): its pins are what was approved, not this surface.
    const approved = pinsFromLock(locked, server.version, new Date(ctx.now()));
    const changes = diffPins(approved, live.pins);
    if (changes.length > 0) {
      await savePins(ctx, name, approved);
      await saveObserved(ctx, name, live.pins);
      ctx.out.warn(`${name}'s tools differ from the pins in mcpm-lock.json: ${describeChanges(changes)}; \`mcpm check\` fails and \`mcpm run --guard\` withholds them until \`mcpm trust accept ${name}\``);
      return { pinned: true, hash: approved.hash, note: `drift from the lock: ${describeChanges(changes)}`, findings: scanSurface(Object.values(live.pins.items)).length };
    }
  }
  await savePins(ctx, name, live.pins);
  const findings = scanSurface(Object.values(live.pins.items));
  for (const finding of findings) ctx.out.warn(`${name}: ${finding.where}: ${finding.rule} (${finding.severity}): ${visible(finding.excerpt)}`);
  if (comparable(before)) {
    const changes = diffPins(before, live.pins);
    if (changes.length > 0) ctx.out.warn(`${name}'s tools changed since ${before.version}: ${describeChanges(changes)}`);
  }
  const tools = Object.values(live.pins.items).filter((item) => item.kind === 'tool').length;
  return { pinned: true, hash: live.pins.hash, tools, findings: findings.length };
}
