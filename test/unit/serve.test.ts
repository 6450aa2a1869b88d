// The pure parts of `mcpm serve`: gateway tool names, tool search, the command and plan shown for consent.
import { pinnedTools } from '../../src/serve/child.js';
import { describe, expect, it } from 'vitest';
import { gatewayToolName, MAX_TOOL_NAME } from '../../src/serve/names.js';
import { findTools } from '../../src/serve/tool-search.js';
import { installCommand, planLines, shellWord } from '../../src/serve/consent.js';

describe('gateway tool names', () => {
  it('are <entry key>__<tool>, with characters clients refuse turned into _', () => {
    expect(gatewayToolName('github-posts', 'get_posts')).toBe('github-posts__get_posts');
    expect(gatewayToolName('acme.search', 'find/all items')).toBe('acme_search__find_all_items');
  });

  it('longer than 64 characters keep their start and end in a stable hash, distinct per tool', () => {
    const a = gatewayToolName('a-server-with-a-rather-long-key', 'and_a_tool_whose_name_goes_on_and_on_for_ever');
    const b = gatewayToolName('a-server-with-a-rather-long-key', 'and_a_tool_whose_name_goes_on_and_on_for_ever_2');
    expect(a).toHaveLength(MAX_TOOL_NAME);
    expect(a).toMatch(/^a-server-with-a-rather-long-key__and_a_tool_whose_name__[0-9a-f]{8}$/);
    expect(gatewayToolName('a-server-with-a-rather-long-key', 'and_a_tool_whose_name_goes_on_and_on_for_ever')).toBe(a);
    expect(b).not.toBe(a);
    expect(b).toHaveLength(MAX_TOOL_NAME);
  });

  it('differ when only a replaced character differs', () => {
    expect(gatewayToolName('k', 'a.b'.repeat(30))).not.toBe(gatewayToolName('k', 'a_b'.repeat(30)));
  });
});

describe('tool search', () => {
  const tools = [
    { name: 'github-posts__get_posts', description: 'List recent posts from the posts API', inputSchema: {} },
    { name: 'files__read_file', description: 'Read a file', inputSchema: {} },
    { name: 'notes__list', description: 'Lists the notes, with their posts', inputSchema: {} },
  ];

  it('ranks name matches above description matches, and leaves out what does not match', () => {
    expect(findTools(tools, 'posts', 10).map((t) => t.name)).toEqual(['github-posts__get_posts', 'notes__list']);
    expect(findTools(tools, 'read a FILE', 10).map((t) => t.name)).toEqual(['files__read_file']);
    expect(findTools(tools, 'weather', 10)).toEqual([]);
  });

  it('keeps to the limit', () => {
    expect(findTools(tools, 'posts', 1)).toHaveLength(1);
  });
});

describe('consent', () => {
  it('gives the exact command, quoted for a shell', () => {
    expect(installCommand('io.github.acme/github-posts', '^1', { POSTS_API_URL: 'http://127.0.0.1:1' }, {}, undefined, 'http://r')).toBe(
      'mcpm install io.github.acme/github-posts@^1 --registry http://r --env POSTS_API_URL=http://127.0.0.1:1',
    );
    expect(installCommand('x', undefined, { ROOT: "/tmp/it's here" }, { mode: 'a b' }, 'work')).toBe("mcpm install x --env 'ROOT=/tmp/it'\\''s here' --arg 'mode=a b' --profile work");
    expect(shellWord('$(rm -rf ~)')).toBe("'$(rm -rf ~)'");
  });

  it('shows the plan with secrets by name only and registry text on one printable line', () => {
    const plan: any = {
      name: 'io.github.acme/github-posts',
      version: '1.0.0',
      registry: 'http://r',
      package: { registryType: 'npm', identifier: 'github-posts', version: '1.0.0' },
      inputs: { env: { POSTS_API_URL: 'http://x\n\u001b[31mred' }, secretEnv: { POSTS_API_TOKEN: '********' }, args: {} },
      clients: [],
    };
    const lines = planLines(plan, { command: '/usr/bin/node', args: ['/store/index.js'] });
    expect(lines).toContain('Package: npm package github-posts@1.0.0');
    expect(lines).toContain('Will run: /usr/bin/node /store/index.js');
    expect(lines).toContain('Secret POSTS_API_TOKEN: the value kept by `mcpm secrets set`');
    expect(lines.find((l) => l.startsWith('Input POSTS_API_URL'))).not.toMatch(/[\n\u001b]/);
  });
});

describe('pinnedTools', () => {
  const tool = (name: string) => ({ kind: 'tool' as const, name, hash: 'h', value: { name, description: `does ${name}`, inputSchema: { type: 'object' } } });
  const server = (over: Record<string, unknown> = {}) =>
    ({
      name: 'io.github.acme/posts',
      version: '1.0.0',
      trust: { pins: { formatVersion: 1, hash: 'x', pinnedAt: '', version: '1.0.0', items: { 'tool:b': tool('b'), 'tool:a': tool('a'), 'prompt:p': { kind: 'prompt', name: 'p', hash: 'h', value: { name: 'p' } } } } },
      ...over,
    }) as never;
  it('lists the approved tools of the installed version without starting it', () => {
    expect(pinnedTools(server())?.map((t) => t.name)).toEqual(['a', 'b']);
  });
  it('nothing to trust: pins of another version, a drift seen, no pins', () => {
    expect(pinnedTools(server({ version: '1.1.0' }))).toBeUndefined();
    expect(pinnedTools(server({ trust: { ...(server() as any).trust, drift: { detectedAt: '', summary: 'x', live: {} } } }))).toBeUndefined();
    expect(pinnedTools(server({ trust: undefined }))).toBeUndefined();
  });
});
