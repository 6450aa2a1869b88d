import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { prepareInstall } from '../install/prepare.js';
import { noPrompts } from '../prompter.js';
import { own } from '../json.js';
import { readState } from '../state/installed.js';
import { putInStore } from '../store/put.js';
import { plannedSurface } from './planned-surface.js';
import { scanSurface } from './scan.js';
import { comparable, describeChanges, diffPins } from './surface.js';

/** `mcpm outdated --tools`: what a newer version's tools look like against the installed version's pins. */
export interface ToolPreview {
  version: string;
  /** Added, removed and changed items (empty: the same surface). Absent when the new version could not be started. */
  changes?: Array<{ kind: string; name: string; change: 'added' | 'removed' | 'changed'; fields?: string[] }>;
  /** describeChanges' one line, "no change", or why nothing can be said. */
  summary: string;
  /** Description findings of the new version (see rules.ts). */
  findings?: number;
}

/** No questions from a command that only reports: what would need an answer is said in the row instead. */
const NO_PROMPTS = noPrompts('It needs an answer only an install can ask for', 'Run `mcpm update` to answer it.');

/**
 * Puts `version` in the store (no client entry, state record or lock moves: prune removes it like any version
 * nothing uses, update reuses it), starts it as install would (or knows its surface: surface-cache.ts) and compares
 * it with the installed version's pins. A version that cannot be planned or started says why in `summary`.
 */
export async function previewTools(ctx: Context, name: string, version: string): Promise<ToolPreview> {
  const quiet: Context = Object.create(ctx, { prompter: { value: NO_PROMPTS } });
  try {
    const plan = await prepareInstall(quiet, `${name}@${version}`, {});
    if (plan.source.kind !== 'npm') return { version, summary: `not started (${plan.package?.registryType ?? plan.source.kind} servers are started by \`mcpm check\` once installed)` };
    const stored = await putInStore(quiet, plan.store);
    const live = await plannedSurface(quiet, plan, stored);
    if ('note' in live) return { version, summary: `not started: ${live.note}` };
    const findings = scanSurface(Object.values(live.pins.items)).length;
    const pins = own(readState(ctx).servers, name)?.trust?.pins;
    if (!comparable(pins)) return { version, findings, summary: `the installed version has no pins to compare with (\`mcpm check ${name}\` pins them)` };
    const diff = diffPins(pins, live.pins);
    const changes = diff.map(({ kind, name: item, change, fields }) => ({ kind, name: item, change, ...(fields?.length ? { fields } : {}) }));
    return { version, changes, findings, summary: diff.length === 0 ? `no change since ${pins.version}` : describeChanges(diff) };
  } catch (error) {
    if (!(error instanceof McpmError)) throw error;
    return { version, summary: `not started: ${error.message}` };
  }
}
