import { existsSync } from 'node:fs';
import type { Context } from '../context.js';
import { own } from '../json.js';
import { updateState } from '../state/installed.js';
import { lockPath, updateLock } from '../state/lockfile.js';
import { diffPins, describeChanges, lockPins, type Pins } from './surface.js';
import type { TrustRecord } from './types.js';

/**
 * Writes what was learnt of a server's surface: pins into the state (whole items, for `trust diff`) and into the
 * setup's mcpm-lock.json (hashes only), an unpinned note, or a drift. The only writer of InstalledServer.trust.
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

export async function saveUnpinned(ctx: Context, name: string, note: string): Promise<void> {
  await changeTrust(ctx, name, (trust) => ({ ...(trust?.pins ? { pins: trust.pins } : {}), unpinned: { note, at: new Date(ctx.now()).toISOString() } }));
}

/** Records the live surface against the pins: a drift when they differ, nothing left of an old drift when not. */
export async function saveObserved(ctx: Context, name: string, live: Pins): Promise<void> {
  await changeTrust(ctx, name, (trust) => {
    if (!trust?.pins) return trust ?? {};
    const changes = diffPins(trust.pins, live);
    if (changes.length === 0) return { pins: trust.pins };
    return { pins: trust.pins, drift: { detectedAt: new Date(ctx.now()).toISOString(), summary: describeChanges(changes), live } };
  });
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
