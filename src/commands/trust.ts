import { defineCommand } from './spec.js';
import { paint } from '../output.js';
import type { TrustAccept, TrustDiff } from '../trust/review.js';
import { visible } from '../trust/rules.js';
import type { ItemChange } from '../trust/surface.js';

/** `mcpm trust diff|accept`: review what a server's tools look like now against what was pinned, and re-pin. */
const KIND: Record<ItemChange['kind'], string> = { tool: 'tool', prompt: 'prompt', resourceTemplate: 'resource template' };

function text(value: unknown): string {
  return typeof value === 'string' ? visible(value) : value === undefined ? '(none)' : JSON.stringify(value);
}

/** Old and new value of each changed field, one above the other under the same indent, so they read side by side. */
function renderChange(change: ItemChange): string[] {
  const head = `${change.change === 'added' ? paint('yellow', 'added  ') : change.change === 'removed' ? paint('red', 'removed') : paint('yellow', 'changed')}  ${KIND[change.kind]} ${change.name}`;
  const lines = [head];
  // A pin from a lock has no fields to compare with: the new description is shown alone.
  const fields = change.change === 'changed' && change.fields?.length ? change.fields : ['description'];
  for (const field of fields) {
    lines.push(`    ${field}:`);
    if (change.before) lines.push(`      pinned: ${Object.keys(change.before).length ? text(change.before[field]) : '(only its hash is known: pinned from mcpm-lock.json)'}`);
    if (change.after) lines.push(`      now:    ${text(change.after[field])}`);
  }
  return lines;
}

export function renderDiff(result: TrustDiff): string {
  if (!result.pinned) return [`${result.name} has no pins yet; accepting pins all of this:`, ...result.changes.flatMap(renderChange)].join('\n');
  if (result.changes.length === 0) return `${result.name}: no drift (the live surface matches the pins taken at ${result.pinned.version}, ${result.pinned.pinnedAt})`;
  return [
    `${result.name}: ${result.changes.length} change${result.changes.length === 1 ? '' : 's'} since the pins taken at ${result.pinned.version} (${result.pinned.pinnedAt})`,
    ...result.changes.flatMap(renderChange),
    `Accept with \`mcpm trust accept ${result.name}\` (or --tool <name> for one tool).`,
  ].join('\n');
}

export const group = { name: 'trust', description: 'review and accept changes to a server\'s tools (tool pins)' };

export const commands = [
  defineCommand({
    name: 'trust diff',
    description: 'start the server and show what changed since its tools were pinned',
    arguments: [['<name>', 'the server']],
    run: async (ctx, { args }) => {
      const { trustDiff } = await import('../trust/review.js');
      return { result: await trustDiff(ctx, args.name) };
    },
    render: renderDiff,
  }),
  defineCommand<TrustAccept>({
    name: 'trust accept',
    description: 'pin the server\'s tools as they are now (after reviewing `trust diff`)',
    arguments: [['<name>', 'the server']],
    options: [{ flags: '--tool <name>', description: 'accept only this tool\'s change', repeatable: true }],
    run: async (ctx, { args, options }) => {
      const { trustAccept } = await import('../trust/review.js');
      const tools = options.tool === undefined ? [] : ([] as string[]).concat(options.tool);
      return { result: await trustAccept(ctx, args.name, tools) };
    },
    render: (result) => result.accepted.length === 0 ? `${result.name}: nothing changed; pins kept (${result.hash.slice(0, 19)}…)` : `${result.name}: pinned ${result.accepted.map((k) => k.replace(':', ' ')).join(', ')} (${result.hash.slice(0, 19)}…)`,
  }),
];
