import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { withFileLock, writeFileAtomicSafe } from '../fs/files.js';
import { parseData } from '../json.js';

/** Hidden tools by server name: neither listed nor callable through the gateway. */
export type ToolFilters = Record<string, string[]>;

export function filtersFile(ctx: Context): string {
  return path.join(ctx.paths.state, 'gateway-tools.json');
}

export function readToolFilters(ctx: Context): ToolFilters {
  const file = filtersFile(ctx);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  let value: { hidden?: ToolFilters } | undefined;
  try {
    value = parseData(text) as typeof value;
  } catch (error) {
    // Showing tools the user hid would be worse than refusing to go on.
    throw new McpmError('EPARSE', `${file} does not parse: ${(error as Error).message}`, { hint: 'Fix or delete it (it lists the tools `mcpm tools disable` hid).' });
  }
  return value && typeof value === 'object' && value.hidden && typeof value.hidden === 'object' ? value.hidden : {};
}

/** Hides or shows one tool of a server; returns the server's hidden tools after the change. */
export async function setToolHidden(ctx: Context, server: string, tool: string, hidden: boolean): Promise<string[]> {
  if (!/^[\w.:/-]{1,128}$/.test(tool)) throw new McpmError('EUSAGE', `"${tool}" is not a tool name`, { hint: 'Use the name `mcpm tools list` shows.' });
  const file = filtersFile(ctx);
  return withFileLock(file, async () => {
    const all = readToolFilters(ctx);
    const set = new Set(all[server] ?? []);
    if (hidden) set.add(tool);
    else set.delete(tool);
    if (set.size > 0) all[server] = [...set].sort();
    else delete all[server];
    await writeFileAtomicSafe(file, `${JSON.stringify({ hidden: all }, null, 2)}\n`);
    return all[server] ?? [];
  });
}
