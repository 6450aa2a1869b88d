import type { Context } from '../context.js';
import { machineOf } from '../install/machine.js';
import { fillLaunch, launchTemplate } from '../plan/entry-form.js';
import type { InstallPlan } from '../plan/install.js';
import type { ArgValues } from '../plan/request.js';
import type { StoredPackage } from '../plan/store-action.js';
import { SURFACE_TIMEOUT_MS } from './live.js';
import { readCachedSurface, saveCachedSurface, sha256Hex, surfaceKey } from './surface-cache.js';
import { pinSurface, type Pins, type RawSurface } from './surface.js';

/**
 * The surface of a version that is in the store but not (yet) what any client starts: the launch the install is
 * about to record, built from the plan and the stored package, with the plan's own secret values (nothing has been
 * written yet, not even the secrets file). Only npm servers are started this way; see pin-install.ts for why.
 */
export type PlannedSurface = { pins: Pins; cached: boolean } | { note: string };

interface PlannedLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** surface-cache.ts's key of this start, when the package's integrity is known. */
  key?: string;
}

export function plannedLaunch(ctx: Context, plan: InstallPlan, stored: StoredPackage): PlannedLaunch | { note: string } {
  if (plan.source.kind !== 'npm') return { note: `not started at install (${plan.package?.registryType ?? plan.source.kind})` };
  const template = launchTemplate(plan.source, plan.inputs, stored, machineOf(ctx));
  const secrets: ArgValues = { ...plan.inputs.secretEnv, ...plan.inputs.secretArgs };
  const { launch, missing } = fillLaunch(template, secrets);
  if (missing.length > 0) return { note: `The secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${plan.server} ${missing.length > 1 ? 'are' : 'is'} not set` };
  // Secret env values go to the process itself: the secrets file the launch names is written only if the install
  // goes on (and node prefers the environment's value over the file's).
  const env = { ...launch.env, ...plan.inputs.secretEnv };
  const hashed = Object.fromEntries(Object.entries(secrets).map(([name, value]) => [name, Array.isArray(value) ? value.map(sha256Hex) : sha256Hex(value)]));
  const key =
    stored.integrity && plan.package
      ? surfaceKey({ registryType: plan.package.registryType, identifier: plan.package.identifier, version: plan.version, integrity: stored.integrity, command: launch.command, args: fillLaunch(template, hashed).launch.args, env })
      : undefined;
  return { command: launch.command, args: launch.args, env, ...(key ? { key } : {}) };
}

/**
 * The new version's surface: from the cache when these bytes were started this way before and what was learnt
 * then does not contradict pins already taken of this version (`known`: a `trust accept` after a start that saw
 * other tools, a project lock's pins), else from a handshake, which is cached. A start that cannot happen is a
 * note, never an error (the server then stays unpinned, as before).
 */
export async function plannedSurface(ctx: Context, plan: InstallPlan, stored: StoredPackage, known: Pins[] = []): Promise<PlannedSurface> {
  const launch = plannedLaunch(ctx, plan, stored);
  if ('note' in launch) return launch;
  const at = { version: plan.version, now: new Date(ctx.now()) };
  if (launch.key) {
    const cached = await readCachedSurface(ctx, launch.key);
    const pins = cached && pinSurface(cached, at);
    if (pins && known.every((other) => other.hash === pins.hash)) return { pins, cached: true };
  }
  ctx.out.progress(`Starting ${plan.server}@${plan.version} to learn its tools`);
  const { probe } = await import('../commands/check.js');
  const result = await probe(ctx, launch, SURFACE_TIMEOUT_MS);
  if (!result.ok || !result.surface) return { note: `no MCP handshake: ${result.failure?.reason ?? 'error'}: ${result.failure?.message ?? 'no surface'}` };
  if (launch.key) await saveCachedSurface(ctx, launch.key, { server: plan.server, version: plan.version }, result.surface as RawSurface);
  return { pins: pinSurface(result.surface, at), cached: false };
}
