import type { Context } from '../context.js';
import { describePlan } from '../plan/describe.js';
import { applyInstall } from './apply.js';
import { machineOf } from './machine.js';
import { prepareInstall, type InstallOptions } from './prepare.js';
import type { InstallPlan } from '../plan/install.js';
import { own } from '../json.js';
import { readLock } from '../state/lockfile.js';
import type { SurfaceVerdict } from '../trust/pin-install.js';

export type { InstallOptions } from './prepare.js';
export type { InstallResult } from './apply.js';

/**
 * One install, as every command that installs runs it (install, update, rollback, import --adopt, doctor --fix, a
 * project's lock): plan (prepare.ts gathers the facts, plan/install.ts decides), say what the plan says, then apply
 * it, or with `dryRun` describe it.
 */
export async function install(ctx: Context, spec: string, options: InstallOptions & { dryRun?: boolean }) {
  const plan = await prepareInstall(ctx, spec, options);
  for (const warning of plan.warnings) ctx.out.warn(warning);
  for (const note of plan.notes) ctx.out.note(note);
  if (options.dryRun) return describePlan(plan, machineOf(ctx));
  return applyPlan(ctx, plan, { acceptTools: Boolean(options.acceptTools) });
}

/**
 * Carries out a plan with its tool pins: the surface the user approves by installing, learnt and judged (policy)
 * before any entry moves, and recorded with the install (see trust/pin-install.ts). Also what `mcpm serve`'s
 * install tool runs once the user approved its plan.
 */
export async function applyPlan(ctx: Context, plan: InstallPlan, options: { acceptTools: boolean }) {
  // A project's lock may pin the tools of this very version (read now: apply rewrites the lock's record).
  const locked = plan.scope === 'project' ? own((await readLock(plan.project ?? ctx.cwd).catch(() => undefined))?.servers, plan.server) : undefined;
  const { vetSurface, vettedOf, outcomeOf } = await import('../trust/pin-install.js');
  let verdict: SurfaceVerdict | undefined;
  const vetting = { ...(locked?.version === plan.version && locked.pins ? { locked: locked.pins } : {}), ...(options.acceptTools ? { acceptTools: true } : {}) };
  const result = await applyInstall(ctx, plan, async (stored) => {
    verdict = await vetSurface(ctx, plan, stored, vetting);
    return vettedOf(verdict, new Date(ctx.now()).toISOString());
  });
  return { ...result, pins: outcomeOf(verdict!) };
}
