import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { EditRecord, FormatEditor } from '../../src/clients/format-editor.js';
import { yamlListEditor, yamlMapEditor } from '../../src/clients/yaml-editor.js';

const KEY = 'github-posts';
const gooseEntry = { name: KEY, cmd: '/usr/bin/node', args: ['/a b/x.js'], envs: { A: 'b' }, enabled: true, type: 'stdio', timeout: 300 };
const continueEntry = { name: KEY, command: '/usr/bin/node', args: ['/a b/x.js', '--port', '8080'], env: { A: 'b' } };

type Data = Record<string, unknown>;

/** The data a file must hold after set: the old data (parsed) with the entry added or replaced. */
function withEntry(text: string, path: string[], list: boolean, value: unknown): Data {
  const data = (parse(text) ?? {}) as Data;
  let map = data;
  for (const step of path.slice(0, -1)) map = (map[step] ??= {}) as Data;
  const last = path[path.length - 1]!;
  if (!list) ((map[last] ??= {}) as Data)[KEY] = value;
  else {
    const items = (map[last] ??= []) as Data[];
    const at = items.findIndex((item) => item?.name === KEY);
    if (at >= 0) items[at] = value as Data;
    else items.push(value as Data);
  }
  return data;
}

function roundTrip(editor: FormatEditor, text: string, path: string[], value: unknown) {
  const { text: added, record } = editor.set('f.yaml', text, path, KEY, value);
  const removed = editor.remove('f.yaml', added, path, KEY, record);
  return { added, record, removed };
}

function expectRoundTrip(editor: FormatEditor, text: string, path: string[], value: unknown) {
  const { added, removed, record } = roundTrip(editor, text, path, value);
  expect(added).not.toBe(text);
  expect(parse(added)).toEqual(withEntry(text, path, editor === yamlListEditor, value));
  expect(editor.get('f.yaml', added, path, KEY)).toEqual(value);
  expect(editor.keys('f.yaml', added, path)).toContain(KEY);
  // The record is stored as JSON in mcpm's state.
  expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  expect(removed).toBe(text);
  return added;
}

const GOOSE_DOCS = `# Goose configuration (goose configure)
GOOSE_PROVIDER: "anthropic"
GOOSE_MODEL: 'claude-3-5-sonnet-latest'
GOOSE_MODE: smart_approve

extensions:
  developer:
    bundled: true
    enabled: true
    name: developer
    timeout: 300
    type: builtin
  memory:   # keeps notes between sessions
    bundled: true
    display_name: Memory
    enabled: false
    name: memory
    timeout: 300
    type: builtin # last line of the map
  # github: disabled for now

# end of file
`;

// What goose itself writes (serde_yaml): sorted keys, lists not indented under their key.
const GOOSE_SERDE = `extensions:
  computercontroller:
    bundled: true
    display_name: Computer Controller
    enabled: true
    name: computercontroller
    timeout: 300
    type: builtin
  fetch:
    args:
    - mcp-server-fetch
    cmd: uvx
    enabled: true
    envs: {}
    name: fetch
    timeout: 300
    type: stdio
GOOSE_MODEL: gpt-4o
GOOSE_PROVIDER: openai
`;

const gooseFixtures: Record<string, string> = {
  'docs example with comments and a comment on the last line of the map': GOOSE_DOCS,
  'written by goose (serde_yaml style)': GOOSE_SERDE,
  'four-space indentation': 'GOOSE_PROVIDER: openai\nextensions:\n    developer:\n        enabled: true\n        args:\n            - a\n    # trailing\n',
  'CRLF line endings': GOOSE_DOCS.replace(/\n/g, '\r\n'),
  'empty flow map with a comment': 'GOOSE_PROVIDER: openai\nextensions: {}  # none yet\nGOOSE_MODEL: gpt-4o\n',
  'empty value followed by other keys': 'extensions:\n# later\nGOOSE_MODEL: gpt-4o\n',
  'tilde value at the end without a final newline': 'GOOSE_MODEL: gpt-4o\nextensions: ~',
  'no extensions key, no final newline': 'GOOSE_PROVIDER: openai\nGOOSE_MODEL: gpt-4o',
  'no extensions key, closing comments and blank lines': 'GOOSE_PROVIDER: openai\n\n# settings end here\n\n',
  'comments only': '# goose config\n# nothing here yet\n',
  'last entry ends with a block scalar': 'extensions:\n  notes:\n    description: |\n      multi\n      line\n\n    enabled: false\n    prompt: |\n      keep me\n\nGOOSE_MODEL: x\n',
  'a block scalar right before the next key': 'extensions:\n  notes:\n    prompt: >-\n      folded\n      text\nGOOSE_MODEL: x\n',
  'last entry ends with a multi-line flow list and a comment': 'extensions:\n  a:\n    args: [x,\n      y]  # flow\nother: 1\n',
  'document start marker and quoted keys': '---\n"extensions":\n  "developer": {"enabled": true}\n',
};

describe('yaml map editor (Goose): install then uninstall restores the file byte for byte', () => {
  for (const [name, text] of Object.entries(gooseFixtures)) {
    it(name, () => {
      expectRoundTrip(yamlMapEditor, text, ['extensions'], gooseEntry);
    });
  }

  it('appends after the last entry with the map\'s indentation, lists styled like the file', () => {
    const added = yamlMapEditor.set('f', GOOSE_SERDE, ['extensions'], KEY, gooseEntry).text;
    expect(added).toBe(
      GOOSE_SERDE.replace(
        '    type: stdio\n',
        '    type: stdio\n  github-posts:\n    name: github-posts\n    cmd: /usr/bin/node\n    args:\n    - /a b/x.js\n    envs:\n      A: b\n    enabled: true\n    type: stdio\n    timeout: 300\n',
      ),
    );
  });

  it('keeps a comment on the last line of the map on its line, and closing comments after the new entry', () => {
    const added = yamlMapEditor.set('f', GOOSE_DOCS, ['extensions'], KEY, { cmd: 'x' }).text;
    expect(added).toContain('    type: builtin # last line of the map\n  github-posts:\n    cmd: x\n  # github: disabled for now\n\n# end of file\n');
  });

  it('creates the block at the end of the document, adding and recording a final newline', () => {
    const { text, record } = yamlMapEditor.set('f', 'GOOSE_MODEL: gpt-4o', ['extensions'], KEY, { cmd: 'x' });
    expect(text).toBe('GOOSE_MODEL: gpt-4o\nextensions:\n  github-posts:\n    cmd: x\n');
    expect(record).toEqual({ created: 1, addedNewline: true });
  });

  it('fills an empty map, keeping its comment, and restores it', () => {
    const { text, record } = yamlMapEditor.set('f', 'extensions: {} # none\nx: 1\n', ['extensions'], KEY, { cmd: 'x' });
    expect(text).toBe('extensions: # none\n  github-posts:\n    cmd: x\nx: 1\n');
    expect(record).toEqual({ emptyValue: ' {} # none' });
  });

  it('creates a missing or empty file, and deletes it again on removal', () => {
    const created = yamlMapEditor.set('f', '', ['extensions'], KEY, gooseEntry);
    expect(created.record).toEqual({ created: 1, wholeFile: null });
    expect(parse(created.text)).toEqual({ extensions: { [KEY]: gooseEntry } });
    expect(yamlMapEditor.remove('f', created.text, ['extensions'], KEY, created.record)).toBeNull();
    expect(roundTrip(yamlMapEditor, '\n\n', ['extensions'], gooseEntry).removed).toBe('\n\n');
  });

  it('replaces its own entry in place on upgrade, keeping what follows', () => {
    const { text: added, record } = yamlMapEditor.set('f', GOOSE_DOCS, ['extensions'], KEY, gooseEntry);
    const upgraded = yamlMapEditor.set('f', added, ['extensions'], KEY, { cmd: 'new' });
    expect(upgraded.text).toBe(added.replace(/  github-posts:\n[\s\S]*?timeout: 300\n/, '  github-posts:\n    cmd: new\n'));
    expect(yamlMapEditor.remove('f', upgraded.text, ['extensions'], KEY, record)).toBe(GOOSE_DOCS);
  });

  it('removes only its lines when the user added an entry after it', () => {
    const text = 'extensions: {}\nGOOSE_MODEL: x\n';
    const { text: added, record } = yamlMapEditor.set('f', text, ['extensions'], KEY, gooseEntry);
    const edited = added.replace('GOOSE_MODEL', '  mine:\n    cmd: y\nGOOSE_MODEL');
    expect(yamlMapEditor.remove('f', edited, ['extensions'], KEY, record)).toBe('extensions:\n  mine:\n    cmd: y\nGOOSE_MODEL: x\n');
    // A comment the user put on mcpm's last line goes with it.
    const appended = yamlMapEditor.set('f', GOOSE_SERDE, ['extensions'], KEY, gooseEntry);
    const commented = appended.text.replace('timeout: 300\nGOOSE_MODEL', 'timeout: 300  # mcpm\'s\nGOOSE_MODEL');
    expect(commented).not.toBe(appended.text);
    expect(yamlMapEditor.remove('f', commented, ['extensions'], KEY, appended.record)).toBe(GOOSE_SERDE);
    const noMap = 'GOOSE_MODEL: x';
    const created = yamlMapEditor.set('f', noMap, ['extensions'], KEY, gooseEntry);
    const userAdded = created.text + '  mine: {cmd: y}\n';
    expect(yamlMapEditor.remove('f', userAdded, ['extensions'], KEY, created.record)).toBe('GOOSE_MODEL: x\nextensions:\n  mine: {cmd: y}\n');
  });

  it('returns the text unchanged when its entry is absent', () => {
    expect(yamlMapEditor.remove('f', GOOSE_DOCS, ['extensions'], KEY, {})).toBe(GOOSE_DOCS);
    expect(yamlMapEditor.remove('f', 'a: 1', ['extensions'], KEY, { created: 1 })).toBe('a: 1');
  });

  it('creates nested maps and removes them again', () => {
    for (const text of ['theme: dark\n', 'a:\n  other: 1\n', 'a: {}\n', 'a:\n']) expectRoundTrip(yamlMapEditor, text, ['a', 'b'], gooseEntry);
  });

  it('quotes whatever a YAML reader could misread, so values round-trip', () => {
    const tricky = ['yes', 'No', 'on', 'null', '~', '', ' lead', 'trail ', '1.0', '0o14', '014', '0x1F', '1e3', '12:30', 'a: b', 'a #b', '#x', '- x', '[x', '{x', '*a', '&a', '!t', '|', '>', '"q', "'q", '@x', '%x', 'multi\nline\n', 'tab\tx', 'ünï', '--flag=1'];
    const value = { cmd: '/usr/bin/node', args: tricky, envs: { ON: 'true', '123': '456', 'a b': 'c: d' }, timeout: 300, enabled: false, none: null, nested: [{ x: [] }, {}] };
    const added = expectRoundTrip(yamlMapEditor, GOOSE_SERDE, ['extensions'], value);
    expect(parse(added, { version: '1.1' }).extensions[KEY]).toEqual(value);
  });

  it('reads entries and keys', () => {
    expect(yamlMapEditor.keys('f', GOOSE_DOCS, ['extensions'])).toEqual(['developer', 'memory']);
    expect(yamlMapEditor.get('f', GOOSE_DOCS, ['extensions'], 'developer')).toEqual({ bundled: true, enabled: true, name: 'developer', timeout: 300, type: 'builtin' });
    expect(yamlMapEditor.get('f', GOOSE_DOCS, ['extensions'], 'nope')).toBeUndefined();
    expect(yamlMapEditor.keys('f', '', ['extensions'])).toEqual([]);
  });
});

const CONTINUE_DOCS = `name: My Config
version: 0.0.1
schema: v1

models:
  - name: Claude 3.5 Sonnet
    provider: anthropic
    model: claude-3-5-sonnet-latest
    apiKey: \${{ secrets.ANTHROPIC_API_KEY }}
    roles:
      - chat
      - edit

mcpServers:
  - name: SQLite MCP
    command: npx
    args:
      - "-y"
      - "mcp-sqlite"
      - "/path/to/your/database.db"
    env: {} # no secrets

context:
  - provider: code
`;

const continueFixtures: Record<string, string> = {
  'docs example (list indented under its key)': CONTINUE_DOCS,
  'list not indented under its key': 'name: My Config\nversion: 0.0.1\nschema: v1\nmcpServers:\n- name: a\n  command: x\n- name: b # second\n  command: y\n',
  'four-space indentation': 'name: c\nmcpServers:\n    -   name: a\n        command: x\n        env:\n            K: v\n',
  'CRLF line endings': CONTINUE_DOCS.replace(/\n/g, '\r\n'),
  'empty flow list with a comment': 'name: c\nversion: 0.0.1\nschema: v1\nmcpServers: []  # add some\nmodels: []\n',
  'empty value followed by comment lines': 'name: c\nmcpServers:\n  # servers go here\n\nrules:\n  - Be brief\n',
  'no mcpServers key, no final newline': 'name: My Config\nversion: 0.0.1\nschema: v1\nmodels:\n  - name: m\n    provider: ollama',
  'list last in the file with a closing comment': 'name: c\nmcpServers:\n  - name: a\n    command: x\n  # - name: b\n  #   command: y\n',
  'items of other shapes (hub blocks, dash on its own line)': 'name: c\nmcpServers:\n  - uses: anthropic/memory-mcp\n  -\n    name: a\n    command: x\n',
  'comments only': '# Continue config\n',
  'single-quoted scalars and a blank line inside the list': "name: 'c'\nmcpServers:\n  - name: 'a'\n\n    command: 'x'\n\n  - name: 'b'\n    command: 'y'\n",
};

describe('yaml list editor (Continue): install then uninstall restores the file byte for byte', () => {
  for (const [name, text] of Object.entries(continueFixtures)) {
    it(name, () => {
      expectRoundTrip(yamlListEditor, text, ['mcpServers'], continueEntry);
    });
  }

  it('appends a `- name:` item after the last one, at its indentation', () => {
    const text = 'name: c\nmcpServers:\n- name: a\n  command: x\nmodels: []\n';
    expect(yamlListEditor.set('f', text, ['mcpServers'], KEY, continueEntry).text).toBe(
      'name: c\nmcpServers:\n- name: a\n  command: x\n- name: github-posts\n  command: /usr/bin/node\n  args:\n  - /a b/x.js\n  - --port\n  - "8080"\n  env:\n    A: b\nmodels: []\n',
    );
    expect(yamlListEditor.set('f', CONTINUE_DOCS, ['mcpServers'], KEY, { name: KEY, command: 'x' }).text).toContain(
      '    env: {} # no secrets\n  - name: github-posts\n    command: x\n\ncontext:',
    );
  });

  it('fills an empty list as a block, indented like the file\'s other lists', () => {
    const { text, record } = yamlListEditor.set('f', 'mcpServers: []\nmodels:\n- name: m\n', ['mcpServers'], KEY, { name: KEY, command: 'x' });
    expect(text).toBe('mcpServers:\n- name: github-posts\n  command: x\nmodels:\n- name: m\n');
    expect(record).toEqual({ emptyValue: ' []' });
  });

  it('replaces the item with the same name in place, and gets it whole', () => {
    const text = 'mcpServers:\n  - name: github-posts\n    command: old\n  - name: z\n';
    const { text: upgraded, record } = yamlListEditor.set('f', text, ['mcpServers'], KEY, continueEntry);
    expect(record).toEqual({});
    expect(upgraded).toMatch(/^mcpServers:\n  - name: github-posts\n    command: \/usr\/bin\/node\n[\s\S]*\n  - name: z\n$/);
    expect(yamlListEditor.get('f', upgraded, ['mcpServers'], KEY)).toEqual(continueEntry);
    expect(yamlListEditor.keys('f', upgraded, ['mcpServers'])).toEqual([KEY, 'z']);
  });

  it('removes only its item when the user added one after it', () => {
    const text = 'name: c\nmcpServers: []\n';
    const { text: added, record } = yamlListEditor.set('f', text, ['mcpServers'], KEY, continueEntry);
    const edited = added + '  - name: mine\n    command: y\n';
    expect(yamlListEditor.remove('f', edited, ['mcpServers'], KEY, record)).toBe('name: c\nmcpServers:\n  - name: mine\n    command: y\n');
  });

  it('creates a missing file and deletes it again; leaves a file without its item alone', () => {
    const { text, record } = yamlListEditor.set('f', '', ['mcpServers'], KEY, continueEntry);
    expect(parse(text)).toEqual({ mcpServers: [continueEntry] });
    expect(yamlListEditor.remove('f', text, ['mcpServers'], KEY, record)).toBeNull();
    expect(yamlListEditor.remove('f', CONTINUE_DOCS, ['mcpServers'], KEY)).toBe(CONTINUE_DOCS);
  });

  it('insists that a list entry carries its name', () => {
    expect(() => yamlListEditor.set('f', '', ['mcpServers'], KEY, { command: 'x' })).toThrow(/must carry its name/);
  });
});

describe('yaml editors: refuse what they cannot edit safely', () => {
  const refusals: [string, FormatEditor, string, RegExp][] = [
    ['bad indentation', yamlMapEditor, 'extensions:\n  a: 1\n b: 2\n', /^f\.yaml:3:1: cannot parse \(All mapping items must start at the same column\)$/],
    ['an unclosed quote', yamlMapEditor, 'x: 1\nextensions:\n  a: "open\n', /^f\.yaml:\d+:\d+: cannot parse \(Missing closing "quote\)$/],
    ['duplicate keys', yamlListEditor, 'name: a\nmcpServers: []\nname: b\n', /^f\.yaml:3:1: cannot parse \(Map keys must be unique\)$/],
    ['several documents', yamlMapEditor, 'a: 1\n---\nb: 2\n', /^f\.yaml:2:1: cannot parse \(more than one YAML document \(---\)\)$/],
    ['a document end marker', yamlMapEditor, 'a: 1\n...\n', /^f\.yaml:2:1: cannot parse \(a document end marker/],
    ['a top level that is a list', yamlListEditor, '- a\n- b\n', /^f\.yaml:1:1: cannot parse \(the top level is not a block mapping\)$/],
    ['a map editor path holding a list', yamlMapEditor, 'extensions:\n  - a\n', /^f\.yaml:2:3: cannot parse \("extensions" is not a map\)$/],
    ['a map editor path holding a scalar', yamlMapEditor, 'extensions: 5\n', /"extensions" is not a map/],
    ['a list editor path holding a map', yamlListEditor, 'mcpServers:\n  a: 1\n', /^f\.yaml:2:3: cannot parse \("mcpServers" is not a list\)$/],
    ['a list editor path holding an empty map', yamlListEditor, 'mcpServers: {}\n', /"mcpServers" is not a list/],
    ['an anchor in the collection', yamlMapEditor, 'extensions:\n  a: &base\n    cmd: x\n', /^f\.yaml:2:6: cannot parse \("extensions" uses anchors or aliases\)$/],
    ['an alias in the collection', yamlListEditor, 'base: &b {command: x}\nmcpServers:\n  - *b\n', /"mcpServers" uses anchors or aliases/],
    ['an anchored collection', yamlMapEditor, 'extensions: &e\n  a: 1\nother: *e\n', /"extensions" uses anchors or aliases/],
    ['a merge key in the collection', yamlMapEditor, 'extensions:\n  a:\n    <<: {cmd: x}\n', /"extensions" uses a merge key/],
    ['a non-empty flow collection', yamlListEditor, 'mcpServers: [{name: a}]\n', /"mcpServers" is written in flow style/],
    // Found by test/unit/editor-fuzz.test.ts: parsed without an error, then threw a ReferenceError when read.
    ['an alias with no anchor', yamlMapEditor, 'a: 1\nb: *nowhere\n', /^f\.yaml:2:4: cannot parse \(the alias \*nowhere has no anchor\)$/],
  ];
  for (const [name, editor, text, message] of refusals) {
    it(name, () => {
      const path = [editor === yamlListEditor ? 'mcpServers' : 'extensions'];
      for (const call of [
        () => editor.check('f.yaml', text, path),
        () => editor.set('f.yaml', text, path, KEY, { name: KEY }),
      ]) {
        let error: unknown;
        try {
          call();
        } catch (caught) {
          error = caught;
        }
        expect(error).toMatchObject({ code: 'EPARSE', message: expect.stringMatching(message) });
      }
    });
  }

  it('two list items with the same name (found by the fuzzer): which one the client uses is unknown, so neither is touched', () => {
    const text = 'mcpServers:\n  - name: github-posts\n    command: a\n  - name: github-posts\n    command: b\n';
    expect(() => yamlListEditor.get('f.yaml', text, ['mcpServers'], KEY)).toThrow(/^f\.yaml:4:5: cannot parse \(two entries are named "github-posts"\)$/);
    expect(() => yamlListEditor.set('f.yaml', text, ['mcpServers'], KEY, continueEntry)).toThrow(/two entries are named/);
    expect(() => yamlListEditor.remove('f.yaml', text, ['mcpServers'], KEY, {})).toThrow(/two entries are named/);
  });

  it('accepts anchors elsewhere in the file', () => {
    expectRoundTrip(yamlListEditor, 'defaults: &d {provider: ollama}\nmodels:\n  - <<: *d\n    name: m\nmcpServers:\n  - name: a\n', ['mcpServers'], continueEntry);
  });
});

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(items: T[]): T => items[Math.floor(next() * items.length)]! };
}

/** A random small config: other keys, comments, 2/4-space indentation, lists indented or not, LF or CRLF. */
function randomDocument(seed: number, list: boolean): string {
  const r = random(seed);
  const unit = ' '.repeat(r.pick([2, 4]));
  const dash = r.next() < 0.5 ? unit : '';
  const scalar = () => r.pick(['x', '"quoted"', "'single'", '42', 'true', '~', 'a b c', '"a: b"', '/usr/bin/node']);
  const comment = () => (r.next() < 0.3 ? `  # ${r.pick(['note', 'keep: me', 'x #y'])}` : '');
  const blank = () => (r.next() < 0.2 ? (r.next() < 0.5 ? '\n' : `# ${r.pick(['section', 'TODO'])}\n`) : '');
  const entry = (name: string, indent: string): string => {
    const fields = [`cmd: ${scalar()}${comment()}`, `args:\n${indent}${unit}${dash}- ${scalar()}\n${indent}${unit}${dash}- ${scalar()}${comment()}`, `envs: {}`, `timeout: ${r.int(500)}`];
    const chosen = fields.filter(() => r.next() < 0.6);
    const body = (chosen.length ? chosen : ['enabled: true']).map((f) => `${indent}${list ? '  ' : unit}${f}`).join('\n');
    return list ? `${indent}- name: ${name}${comment()}\n${body}\n` : `${indent}${name}:${comment()}\n${body}\n`;
  };
  const collectionKey = list ? 'mcpServers' : 'extensions';
  const count = r.int(4);
  let collection: string;
  if (count > 0) {
    const indent = list ? dash : unit;
    collection = `${collectionKey}:${comment()}\n` + Array.from({ length: count }, (_, i) => blank().replace(/^#/, `${indent}#`) + entry(`s${i}`, indent)).join('');
    if (r.next() < 0.3) collection += `${indent}# closing comment\n`;
  } else {
    collection = r.pick(['', `${collectionKey}:\n`, `${collectionKey}: ${list ? '[]' : '{}'}${comment()}\n`, `${collectionKey}: ~\n`]);
  }
  const others = [
    `name: ${scalar()}${comment()}\n`,
    `version: 0.0.1\n`,
    `GOOSE_MODEL: ${scalar()}\n`,
    `models:\n${dash}- name: m\n${dash}  provider: ${scalar()}\n`,
    `nested:\n${unit}deep:\n${unit}${unit}key: ${scalar()}${comment()}\n`,
  ].filter(() => r.next() < 0.5);
  others.splice(r.int(others.length + 1), 0, collection);
  let text = (r.next() < 0.3 ? '# config\n' : '') + others.map((part) => blank() + part).join('');
  if (r.next() < 0.3) text = text.replace(/\n$/, '');
  if (r.next() < 0.3) text = text.replace(/\n/g, '\r\n');
  return text;
}

describe('yaml editors: fuzz', () => {
  for (const [name, editor, path, value] of [
    ['map', yamlMapEditor, ['extensions'], gooseEntry],
    ['list', yamlListEditor, ['mcpServers'], continueEntry],
  ] as const) {
    it(`${name}: 200 random documents round-trip and keep their data`, () => {
      for (let seed = 1; seed <= 200; seed++) {
        const text = randomDocument(seed, editor === yamlListEditor);
        const context = `seed ${seed}:\n${text}`;
        let added: { text: string; record: EditRecord };
        try {
          added = editor.set('f.yaml', text, [...path], KEY, value);
        } catch (error) {
          throw new Error(`${context}\n${String(error)}`);
        }
        expect(parse(added.text), context).toEqual(withEntry(text, [...path], editor === yamlListEditor, value));
        expect(editor.remove('f.yaml', added.text, [...path], KEY, added.record), context).toBe(text);
      }
    });
  }
});
