import { existsSync } from 'node:fs';
import type { Context } from '../context.js';
import { own } from '../json.js';
import { updateState } from '../state/installed.js';
import { lockPath, updateLock } from '../state/lockfile.js';
import { diffPins, describeChanges, lockPins, type Pins } from './surface.js';
import type { TrustRecord } from './types.js';

/**
 * Writes what was learnt of a server's surface: pins into the state (whole items, for `trust diff`) and into the
 * setup's mcpm-lock.json (hashes only), an unpinned note, or a drift. An install writes the record it builds
 * with withUnpinned and withObserved in the same state write as its entries (install/apply.ts); nothing else
 * writes InstalledServer.trust.
 */
export async function savePins(ctx: Context, name: string, pins: Pins): Promise<void> {
  const lockDirs = await changeTrust(ctx, name, () => ({ pins }));
  // A setup's lock gets the hashes when it records the server (a project without a lock does not get one here).
  for (const dir of lockDirs.filter((d) => existsSync(lockPath(d)))) {
    await updateLock(dir, (lock) => {
      const locked = own(lock.servers, name);
      if (locked) locked.pins = lockPins(pins);
    }, { backup: dir === ctx.paths.state });
  }
}

/** No handshake could happen: the note says why, and pins taken before stay. */
export function withUnpinned(trust: TrustRecord | undefined, note: string, now: string): TrustRecord {
  return { ...(trust?.pins ? { pins: trust.pins } : {}), unpinned: { note, at: now } };
}

/** A live surface against the pins: a drift when they differ, nothing left of an old drift when not. */
export function withObserved(trust: TrustRecord | undefined, live: Pins, now: string): TrustRecord {
  if (!trust?.pins) return trust ?? {};
  const changes = diffPins(trust.pins, live);
  if (changes.length === 0) return { pins: trust.pins };
  return { pins: trust.pins, drift: { detectedAt: now, summary: describeChanges(changes), live } };
}

/** Records the live surface against the pins (see withObserved). */
export async function saveObserved(ctx: Context, name: string, live: Pins): Promise<void> {
  await changeTrust(ctx, name, (trust) => withObserved(trust, live, new Date(ctx.now()).toISOString()));
}

/** Applies a change to one server's trust record; returns the lock folders (global, projects) that hold it. */
async function changeTrust(ctx: Context, name: string, change: (trust: TrustRecord | undefined) => TrustRecord): Promise<string[]> {
  return updateState(ctx, (state) => {
    const server = own(state.servers, name);
    if (!server) return [];
    server.trust = change(server.trust);
    const projects = new Set(server.entries.filter((e) => e.scope === 'project' && e.project).map((e) => e.project!));
    return [ctx.paths.state, ...projects];
  });
}
