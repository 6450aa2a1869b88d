import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import type { InstallPlan } from '../plan/install.js';
import type { StoredPackage } from '../plan/store-action.js';
import { evaluatePolicy, type Violation } from '../supply/policy.js';
import { loadPolicy, policyError } from '../supply/policy-load.js';
import { plannedSurface } from './planned-surface.js';
import type { Vetted } from '../install/apply.js';
import { withObserved, withUnpinned } from './record.js';
import { visible, type Finding } from './rules.js';
import { scanSurface } from './scan.js';
import { describeChanges, diffPins, comparable, lockPins, pinsFromLock, PINS_FORMAT, type ItemChange, type LockPins, type Pins } from './surface.js';

export interface PinOutcome {
  pinned: boolean;
  hash?: string;
  tools?: number;
  note?: string;
  findings: number;
  /** The surface was known from the same bytes started the same way before (surface-cache.ts): not started now. */
  cached?: boolean;
}

/** What an install learnt of the new version's surface before any entry moved, and what it will record. */
export type SurfaceVerdict =
  | { server: string; unpinned: string }
  | { server: string; pins: Pins; observed?: Pins; outcome: PinOutcome };

export interface VetOptions {
  /** A project's lock pins this very version: its pins are what was approved, not the surface seen now. */
  locked?: LockPins;
  /** The user accepted that the tools differ from the installed version's pins (`--accept-tools`). */
  acceptTools?: boolean;
}

/**
 * Between putting the new version in the store and writing any client file, state or lock: one handshake with the
 * new version (or its cached surface, see planned-surface.ts), its descriptions scanned (findings are warnings;
 * audit lists them), the change against the installed version's pins said, and the policy applied: findings under
 * `block-on-findings`, a change of tools under `block-on-drift` (unless accepted) refuse the install with EPOLICY,
 * so nothing moves. Only npm servers are started: other package types start a runtime (uvx, docker, dnx) and
 * remotes need the network and maybe a login first; they are pinned by the first `mcpm check` or `mcpm run --guard`.
 */
export async function vetSurface(ctx: Context, plan: InstallPlan, stored: StoredPackage, options: VetOptions = {}): Promise<SurfaceVerdict> {
  const name = plan.server;
  if (plan.source.kind !== 'npm') {
    return { server: name, unpinned: `not started at install (${plan.source.kind === 'remote' ? 'remote' : plan.package?.registryType ?? 'package'}): \`mcpm check\` pins its tools` };
  }
  const before = plan.previous?.trust?.pins;
  const approved = options.locked?.formatVersion === PINS_FORMAT ? pinsFromLock(options.locked, plan.version, new Date(ctx.now())) : undefined;
  const known = [...(comparable(before) && before.version === plan.version ? [before] : []), ...(approved ? [approved] : [])];
  const live = await plannedSurface(ctx, plan, stored, known);
  if ('note' in live) {
    ctx.out.note(`${name}'s tools are not pinned yet (${live.note}); the next \`mcpm check\` or \`mcpm run --guard\` pins them`);
    return { server: name, unpinned: live.note };
  }
  const findings = scanSurface(Object.values(live.pins.items));
  const cached = live.cached ? { cached: true } : {};
  if (approved) {
    const changes = diffPins(approved, live.pins);
    if (changes.length > 0) {
      // The lock's pins are what the project approved: a server that shows other tools is refused, as a package whose
      // signatures or provenance no longer match the lock is, unless the user takes it knowingly.
      if (!options.acceptTools) {
        throw new McpmError('EINTEGRITY', `${name}@${plan.version}'s tools no longer match the pins in mcpm-lock.json: ${describeChanges(changes)}`, {
          hint: `Nothing was installed. The lock holds the tools the project approved, and this server shows others here. Find out why; to install it anyway, run the same install with --accept-tools: the lock's pins stay, \`mcpm check\` fails and \`mcpm run --guard\` withholds the changed tools until \`mcpm trust accept ${name}\`.`,
        });
      }
      enforce(ctx, plan, findings, [], 'the pins in mcpm-lock.json');
      ctx.out.warn(`${name}'s tools differ from the pins in mcpm-lock.json: ${describeChanges(changes)}; \`mcpm check\` fails and \`mcpm run --guard\` withholds them until \`mcpm trust accept ${name}\``);
      return { server: name, pins: approved, observed: live.pins, outcome: { pinned: true, hash: approved.hash, note: `drift from the lock: ${describeChanges(changes)}`, findings: findings.length, ...cached } };
    }
  }
  for (const finding of findings) ctx.out.warn(`${name}: ${finding.where}: ${finding.rule} (${finding.severity}): ${visible(finding.excerpt)}`);
  const changes = comparable(before) ? diffPins(before, live.pins) : [];
  if (changes.length > 0) ctx.out.warn(`${name}'s tools changed since ${before!.version}: ${describeChanges(changes)}`);
  enforce(ctx, plan, findings, options.acceptTools ? [] : changes, `the pins of ${before?.version ?? 'the installed version'}`);
  const tools = Object.values(live.pins.items).filter((item) => item.kind === 'tool').length;
  return { server: name, pins: live.pins, outcome: { pinned: true, hash: live.pins.hash, tools, findings: findings.length, ...cached } };
}

/**
 * The verdict as the install writes it, in its own state and lock writes (apply.ts): the trust record (from the
 * one before, by record.ts's rules) and the lock's pin hashes.
 */
export function vettedOf(verdict: SurfaceVerdict, now: string): Vetted {
  if ('unpinned' in verdict) return { trust: (before) => withUnpinned(before, verdict.unpinned, now) };
  const { pins, observed } = verdict;
  return { trust: () => (observed ? withObserved({ pins }, observed, now) : { pins }), lockPins: lockPins(pins) };
}

/** What the install says of its pins. */
export const outcomeOf = (verdict: SurfaceVerdict): PinOutcome => ('unpinned' in verdict ? { pinned: false, note: verdict.unpinned, findings: 0 } : verdict.outcome);

/** block-on-findings and block-on-drift, judged by the one policy function, refused before anything moves. */
function enforce(ctx: Context, plan: InstallPlan, findings: Finding[], changes: ItemChange[], pinsOf: string): void {
  if (findings.length === 0 && changes.length === 0) return;
  const policy = loadPolicy(ctx);
  const judged = evaluatePolicy(
    { ...(policy.blockOnFindings ? { blockOnFindings: policy.blockOnFindings } : {}), ...(policy.blockOnDrift ? { blockOnDrift: policy.blockOnDrift } : {}) },
    { server: plan.server, findings: findings.length > 0, drift: changes.length > 0 },
  );
  if (judged.length === 0) return;
  const violations: Violation[] = judged.map((v) => ({
    ...v,
    message:
      v.rule === 'block-on-findings'
        ? `${v.message}: ${findings.map((f) => `${f.where}: ${f.rule} (${f.severity})`).join(', ')}`
        : `${plan.server}@${plan.version}'s tools differ from ${pinsOf}: ${describeChanges(changes)}`,
  }));
  const ways = violations.map((v) =>
    v.rule === 'block-on-drift'
      ? `review the change above, then take it with \`mcpm install ${plan.server}@${plan.version} --accept-tools\` (or \`mcpm update ${plan.server} --accept-tools\`)`
      : `if you judge the findings harmless, turn the rule off (\`mcpm config set policy.block-on-findings false\`; a rule from MCPM_POLICY is your organisation's)`,
  );
  const { message } = policyError(`${plan.server}@${plan.version}`, violations);
  throw new McpmError('EPOLICY', message, { hint: `Nothing was installed: client files, the state and the lock are as they were. To go on, ${ways.join('; or ')}.` });
}
