import type { ServerTool } from './child.js';

/**
 * Pure: the tools that best match a query, for `--tool-search` (a client with hundreds of tools lists two and
 * finds the rest): each word of the query found in a tool's name counts 3, in its description 1; ties keep the
 * gateway's order.
 */
export function findTools(tools: ServerTool[], query: string, limit: number): ServerTool[] {
  const words = query.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 1);
  if (words.length === 0) return tools.slice(0, limit);
  const scored = tools.map((tool, index) => {
    const name = tool.name.toLowerCase();
    const description = (tool.description ?? '').toLowerCase();
    const score = words.reduce((sum, word) => sum + (name.includes(word) ? 3 : 0) + (description.includes(word) ? 1 : 0), 0);
    return { tool, index, score };
  });
  return scored
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, limit)
    .map((s) => s.tool);
}

export const FIND_TOOLS = {
  name: 'mcpm_find_tools',
  description: 'Find tools of the installed MCP servers by what they do (this gateway lists only these two tools to keep your context small). Returns the best matching tools with their full input schemas; then call one with mcpm_call_tool. Cheap: no server is called.',
  inputSchema: { type: 'object', properties: { query: { type: 'string', description: 'What the tool should do, in a few words.' }, limit: { type: 'number', description: 'At most this many tools (default 10).' } }, required: ['query'] },
};

export const CALL_TOOL = {
  name: 'mcpm_call_tool',
  description: 'Call a tool found with mcpm_find_tools, by its exact name, with arguments matching its input schema. The result is the tool\'s own.',
  inputSchema: { type: 'object', properties: { name: { type: 'string' }, arguments: { type: 'object' } }, required: ['name'] },
};
