import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { tomlEditor } from '../../src/clients/toml-editor.js';

const P = ['mcp_servers'];
const entry = { command: '/usr/bin/node', args: ['/store/x/index.js', '--stdio'], startup_timeout_sec: 20, env: { API_KEY: 'b', DEBUG: '1' } };

function roundTrip(text: string, key = 'github-posts', value: Record<string, unknown> = entry, path = P) {
  const { text: added, record } = tomlEditor.set('config.toml', text, path, key, value);
  const removed = tomlEditor.remove('config.toml', added, path, key, record);
  return { added, record, removed };
}

/** parse(before) with the entry added: what parse(after set) must equal. */
function withEntry(text: string, key: string, value: unknown, path = P): unknown {
  const data = parse(text) as Record<string, any>;
  let node = data;
  for (const step of path) node = node[step] ??= {};
  node[key] = value;
  return data;
}

// Shapes of ~/.codex/config.toml from Codex's docs (docs/config.md), with comments.
const fixtures: Record<string, string> = {
  'top-level settings only': 'model = "o3"\napproval_policy = "untrusted"\nsandbox_mode = "workspace-write"\n',
  'servers from the docs, with comments': `# ~/.codex/config.toml
model = "gpt-5"

[mcp_servers.server-name]
command = "npx"
# Optional
args = ["-y", "mcp-server"]
# Optional: propagate additional env vars to the MCP server.
env = { "API_KEY" = "value" }

# Remote server
[mcp_servers.figma]
url = "https://mcp.figma.com/mcp"
bearer_token_env_var = "FIGMA_OAUTH_TOKEN"
http_headers = { "X-Figma-Region" = "us-east-1" }
`,
  'profiles and providers after the servers': `model = "o3"

[mcp_servers.docs]
command = "docs-server" # trailing comment
startup_timeout_sec = 30
enabled = false

[model_providers.openai-chat-completions]
# Name of the provider that will be displayed in the Codex UI.
name = "OpenAI using Chat Completions"
base_url = "https://api.openai.com/v1"
env_key = "OPENAI_API_KEY"
wire_api = "chat"
query_params = {}

[profiles.o3]
model = "o3"
model_provider = "openai"
approval_policy = "never"
model_reasoning_effort = "high"
`,
  'inline-table servers under [mcp_servers]': '[mcp_servers]\nother = { command = "npx", args = ["-y", "x"] }\n# more later\n',
  'empty [mcp_servers] header': 'model = "o3"\n\n[mcp_servers]\n',
  'dotted keys at the top level': 'model = "o3"\nmcp_servers.dotted.command = "x"\nmcp_servers.dotted.args = ["a"]\n',
  'no final newline, ends in a comment': '[tui]\n# theme = "dark"',
  'comments only': '# nothing configured yet\n# model = "o3"\n',
  'CRLF with sub-tables': '[mcp_servers.mingli]\r\ncommand = "uvx"\r\nargs = ["mingli-mcp@1.0.1"]\r\nstartup_timeout_sec = 60 # seconds\r\n\r\n[mcp_servers.mingli.env]\r\nTRANSPORT_TYPE = "stdio"\r\n',
  'multi-line strings and arrays that look like headers': `notify = [
  "python3",
  # [not.a.header]
  "/Users/me/notify.py",
]
instructions = """
[mcp_servers.fake]
command = "no"
"""
[shell_environment_policy]
inherit = "core"
exclude = ["AWS_*", "AZURE_*"]
`,
  'quoted project tables, blank lines at the end': '[projects."/Users/me/code/app"]\ntrust_level = "trusted"\n\n\n',
  'array of tables and dates': '[[history.entries]]\nat = 1979-05-27T07:32:00Z\n\n[[history.entries]]\nat = 1979-05-28\n',
};

describe('toml editor: set then remove restores the file byte for byte', () => {
  for (const [name, text] of Object.entries(fixtures)) {
    it(name, () => {
      const { added, removed } = roundTrip(text);
      expect(parse(added)).toEqual(withEntry(text, 'github-posts', entry));
      expect(removed).toBe(text);
    });
  }

  it('writes a readable block after a blank line', () => {
    const { added, record } = roundTrip('model = "o3"\n');
    expect(added).toBe(
      'model = "o3"\n\n[mcp_servers.github-posts]\ncommand = "/usr/bin/node"\nargs = ["/store/x/index.js", "--stdio"]\nstartup_timeout_sec = 20\n' +
        '[mcp_servers.github-posts.env]\nAPI_KEY = "b"\nDEBUG = "1"\n',
    );
    expect(record).toEqual({ lead: '\n' });
  });

  it('keeps CRLF files CRLF', () => {
    const { added } = roundTrip(fixtures['CRLF with sub-tables']!);
    expect(added.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('a missing or empty file is created, and deleted or restored on removal', () => {
    expect(roundTrip('').removed).toBeNull();
    expect(roundTrip('\n  \n').removed).toBe('\n  \n');
    expect(roundTrip('').record).toEqual({ wholeFile: null });
    expect(parse(roundTrip('').added)).toEqual({ mcp_servers: { 'github-posts': entry } });
  });

  it('quotes keys that are not bare', () => {
    for (const key of ['io.github.x', 'a b', 'quote"and\\slash', 'ünï']) {
      const text = fixtures['servers from the docs, with comments']!;
      const { added, removed } = roundTrip(text, key);
      expect(parse(added)).toEqual(withEntry(text, key, entry));
      expect(removed).toBe(text);
    }
    expect(roundTrip('', 'io.github.x').added).toMatch(/^\[mcp_servers\."io\.github\.x"\]\n/);
  });

  it('escapes string values so they parse back exactly', () => {
    const value = {
      command: 'C:\\Program Files\\node "quoted".exe',
      args: ['line1\nline2', 'tab\there', 'ünïcødé ✓ 😀', '\u0001\u007f', "it's", ''],
      env: { 'WEIRD KEY': 'a"b\\c', EMPTY: '' },
      enabled: true,
    };
    const { added, removed } = roundTrip('model = "o3"\n', 'k', value);
    expect(parse(added)).toEqual(withEntry('model = "o3"\n', 'k', value));
    expect(added).toContain('ünïcødé ✓ 😀');
    expect(removed).toBe('model = "o3"\n');
  });

  it('works under any path of bare keys', () => {
    const text = 'model = "o3"\n[profiles.work]\nmodel = "x"\n';
    const { added, removed } = roundTrip(text, 'k', entry, ['profiles', 'work', 'servers']);
    expect(parse(added)).toEqual(withEntry(text, 'k', entry, ['profiles', 'work', 'servers']));
    expect(removed).toBe(text);
  });

  it('removes its block wherever the user wrote around it, keeping theirs', () => {
    const { added, record } = roundTrip('model = "o3"');
    const edited = `${added}# my notes\n[tui]\nnotifications = true\n`;
    const removed = tomlEditor.remove('c', edited, P, 'github-posts', record);
    expect(removed).toBe('model = "o3"\n# my notes\n[tui]\nnotifications = true\n');
    const spaced = tomlEditor.remove('c', `${added}\n[tui]\n`, P, 'github-posts', record);
    expect(spaced).toBe('model = "o3"\n\n[tui]\n');
  });

  it('takes comments inside its block along, and leaves the key absent untouched', () => {
    const { added, record } = roundTrip('a = 1\n');
    const edited = added.replace('args =', '# pinned by mcpm\nargs =');
    expect(tomlEditor.remove('c', edited, P, 'github-posts', record)).toBe('a = 1\n');
    expect(tomlEditor.remove('c', 'a = 1\n', P, 'missing', {})).toBe('a = 1\n');
  });

  it('without a record, removes a table block without leaving a double blank line', () => {
    const text = 'a = 1\n\n[mcp_servers.k]\ncommand = "x"\n\n[tui]\n';
    expect(tomlEditor.remove('c', text, P, 'k')).toBe('a = 1\n\n[tui]\n');
  });
});

describe('toml editor: replaces its own entry in place', () => {
  it('swaps the block, neighbours and comments untouched', () => {
    const text = '[mcp_servers.a]\ncommand = "a"\n\n[mcp_servers.k]\ncommand = "old"\n[mcp_servers.k.env]\nX = "1"\n\n# about b\n[mcp_servers.b]\ncommand = "b"\n';
    const { text: upgraded } = tomlEditor.set('c', text, P, 'k', { command: 'new', args: ['1'] });
    expect(upgraded).toBe('[mcp_servers.a]\ncommand = "a"\n\n[mcp_servers.k]\ncommand = "new"\nargs = ["1"]\n\n# about b\n[mcp_servers.b]\ncommand = "b"\n');
  });

  it('keeps a block at the end of a file without a final newline that way', () => {
    const { text } = tomlEditor.set('c', 'x = 1\n[mcp_servers.k]\ncommand = "old"', P, 'k', { command: 'new' });
    expect(text).toBe('x = 1\n[mcp_servers.k]\ncommand = "new"');
  });

  it('upgrading then removing with the first record restores the original', () => {
    const original = fixtures['profiles and providers after the servers']!;
    const { text: added, record } = tomlEditor.set('c', original, P, 'k', entry);
    const upgraded = tomlEditor.set('c', added, P, 'k', { command: 'v2' }).text;
    expect(tomlEditor.get('c', upgraded, P, 'k')).toEqual({ command: 'v2' });
    expect(tomlEditor.remove('c', upgraded, P, 'k', record)).toBe(original);
  });
});

describe('toml editor: reads and refuses', () => {
  it('get and keys see tables, inline tables and dotted keys alike', () => {
    const text = fixtures['servers from the docs, with comments']! + '[mcp_servers.x]\ny.command = "z"\n';
    expect(tomlEditor.keys('c', text, P)).toEqual(['server-name', 'figma', 'x']);
    expect(tomlEditor.get('c', text, P, 'server-name')).toEqual({ command: 'npx', args: ['-y', 'mcp-server'], env: { API_KEY: 'value' } });
    expect(tomlEditor.keys('c', 'model = "o3"', P)).toEqual([]);
  });

  it('names the line and column of a syntax error', () => {
    const text = 'model = "o3"\n[mcp_servers.a]\ncommand = "x\n';
    expect(() => tomlEditor.set('/h/.codex/config.toml', text, P, 'k', entry)).toThrow(/\/h\/\.codex\/config\.toml:3:\d+: cannot parse/);
    expect(() => tomlEditor.check('f', '[a]\n[a]\n', P)).toThrow(/^f:2:\d+: cannot parse/);
  });

  it('refuses a server collection that is not a table', () => {
    for (const text of ['mcp_servers = 1\n', 'mcp_servers = ["a"]\n', '[[mcp_servers]]\nname = "a"\n']) {
      expect(() => tomlEditor.check('f', text, P)).toThrow(expect.objectContaining({ code: 'EPARSE', message: 'f: "mcp_servers" is not a table' }));
    }
  });

  it('refuses to replace or remove an entry it did not write as a table', () => {
    const inline = '[mcp_servers]\nk = { command = "npx" }\n';
    expect(() => tomlEditor.set('f', inline, P, 'k', entry)).toThrow(/inline table or dotted keys/);
    expect(() => tomlEditor.remove('f', inline, P, 'k', {})).toThrow(/inline table or dotted keys/);
    expect(() => tomlEditor.set('f', 'mcp_servers.k.command = "x"\n', P, 'k', entry)).toThrow(/inline table or dotted keys/);
    const split = '[mcp_servers.k]\ncommand = "x"\n[tui]\n[mcp_servers.k.env]\nA = "1"\n';
    expect(() => tomlEditor.set('f', split, P, 'k', entry)).toThrow(/^f:4:1: cannot parse \(.*split/);
  });

  it('refuses to add under a server map written as an inline table', () => {
    expect(() => tomlEditor.set('f', 'mcp_servers = { a = { command = "x" } }\n', P, 'k', entry)).toThrow(/would change other settings/);
  });
});

describe('toml editor: fuzz', () => {
  it('set then remove restores ~200 generated files exactly and preserves their data', () => {
    let seed = 42;
    // mulberry32: a small seeded generator, so a failure reproduces.
    const rand = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const pick = <T>(items: T[]): T => items[rand(items.length)]!;
    const pieces = [
      () => `model = ${pick(['"o3"', '"gpt-5"'])}`,
      () => `# ${pick(['comment', '[mcp_servers.fake]', 'model = "x"'])}`,
      () => '',
      () => `approval_policy = "on-request" # why`,
      () => `[profiles.p${rand(1000)}]\nmodel = "o3"`,
      () => `[mcp_servers.s${rand(1000)}]\ncommand = "npx"\nargs = ["-y", "s"]`,
      () => `[mcp_servers.t${rand(1000)}]\nurl = "https://x"\n[mcp_servers.t${rand(1000)}.http_headers]\nA = "b"`,
      () => `[mcp_servers]\ni${rand(1000)} = { command = "npx", args = ["-y", "x"] }`,
      () => `notify = [\n  "a",\n  # [x]\n]`,
      () => `[tui]\nnotifications = ["a", "b"]\n\n`,
    ];
    let checked = 0;
    for (let attempt = 0; checked < 200 && attempt < 1000; attempt++) {
      const eol = rand(2) ? '\r\n' : '\n';
      const lines = Array.from({ length: rand(8) }, () => pick(pieces)());
      let text = lines.join('\n').replace(/\n/g, eol);
      if (rand(2) && text !== '') text += eol;
      let before: unknown;
      try {
        before = parse(text); // random pieces can redefine a table: skip those, they are invalid TOML
      } catch {
        continue;
      }
      const key = pick(['github-posts', 'io.github.x', 'a b']);
      const { text: added, record } = tomlEditor.set('f', text, P, key, entry);
      expect(parse(added)).toEqual(withEntry(text, key, entry));
      if (eol === '\r\n' && text.includes('\n')) expect(added.replace(/\r\n/g, '')).not.toContain('\n');
      const removed = tomlEditor.remove('f', added, P, key, record);
      expect(removed).toBe(text === '' ? null : text);
      if (removed) expect(parse(removed)).toEqual(before);
      checked++;
    }
    expect(checked).toBe(200);
  });
});
