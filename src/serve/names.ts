import { createHash } from 'node:crypto';

/** What MCP clients accept in a tool name, and the most the gateway gives one. */
export const MAX_TOOL_NAME = 64;
const SEPARATOR = '__';

/**
 * Pure: the name a server's tool has through the gateway: `<entry key>__<tool>`, with every character outside
 * letters, digits, `_` and `-` turned into `_`, at most 64 characters. A longer name keeps its start and ends
 * with 8 hex digits of a hash of the full name, so it is always the same and two long names do not collide.
 */
export function gatewayToolName(key: string, tool: string): string {
  const full = `${clean(key)}${SEPARATOR}${clean(tool)}`;
  if (full.length <= MAX_TOOL_NAME) return full;
  const hash = createHash('sha256').update(`${key}\0${tool}`).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX_TOOL_NAME - hash.length - 1)}_${hash}`;
}

function clean(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}
