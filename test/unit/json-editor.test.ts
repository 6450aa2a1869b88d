import { describe, expect, it } from 'vitest';
import { removeEntry, setEntry } from '../../src/clients/json-editor.js';

const entry = { command: '/usr/bin/node', args: ['/store/x/index.js'], env: { A: 'b' } };

function roundTrip(text: string, path = ['mcpServers'], key = 'github-posts') {
  const { text: added, record } = setEntry({ file: 'f.json', text }, path, key, entry);
  const removed = removeEntry({ file: 'f.json', text: added }, path, key, record);
  return { added, record, removed };
}

describe('json editor: install then uninstall restores the file byte for byte', () => {
  const fixtures: Record<string, string> = {
    'servers and other keys': '{\n  "mcpServers": {\n    "other": {\n      "command": "x"\n    }\n  },\n  "globalShortcut": "Ctrl+Space"\n}\n',
    'comments and trailing commas (JSONC)': '{\n  // my servers\n  "mcpServers": {\n    "other": { "command": "x" }, // keep me\n  },\n  /* block */ "theme": "dark",\n}\n',
    'line comment after the last entry': '{\n  "mcpServers": {\n    "other": { "command": "x" } // trailing\n  }\n}',
    'empty server map': '{\n  "mcpServers": {}\n}\n',
    'empty map with whitespace': '{\n  "mcpServers": {\n  }\n}\n',
    'no server map yet': '{\n    "globalShortcut": "x"\n}\n',
    'tabs and CRLF': '{\r\n\t"mcpServers": {\r\n\t\t"a": {"command": "y"}\r\n\t}\r\n}\r\n',
    'empty object file': '{}',
    'one-line file': '{"mcpServers":{"a":{"command":"y"}},"x":1}',
    'four spaces, two entries': '{\n    "mcpServers": {\n        "a": {"command": "y"},\n        "b": {"command": "z"}\n    }\n}',
  };
  for (const [name, text] of Object.entries(fixtures)) {
    it(name, () => {
      const { added, removed } = roundTrip(text);
      expect(added).not.toBe(text);
      expect(JSON.parse(stripComments(added)).mcpServers['github-posts']).toEqual(entry);
      expect(removed).toBe(text);
    });
  }

  it('a missing or empty file is created, and deleted again on removal', () => {
    expect(roundTrip('').removed).toBeNull();
    const { added } = roundTrip('');
    expect(JSON.parse(added)).toEqual({ mcpServers: { 'github-posts': entry } });
  });

  it('adds after the existing entries without touching their formatting', () => {
    const text = '{\n  "mcpServers": {\n    "a": {"command": "y"}\n  }\n}\n';
    const { added } = roundTrip(text);
    expect(added).toBe(
      '{\n  "mcpServers": {\n    "a": {"command": "y"},\n    "github-posts": {\n      "command": "/usr/bin/node",\n      "args": [\n        "/store/x/index.js"\n      ],\n      "env": {\n        "A": "b"\n      }\n    }\n  }\n}\n',
    );
  });

  it('removes its entry wherever later edits moved it, keeping the neighbours', () => {
    const { added, record } = roundTrip('{\n  "mcpServers": {\n    "a": 1\n  }\n}\n');
    // Someone adds an entry after ours by hand.
    const edited = added.replace(/\n  \}\n\}\n$/, ',\n    "z": 2\n  }\n}\n');
    const removed = removeEntry({ file: 'f.json', text: edited }, ['mcpServers'], 'github-posts', record);
    expect(removed).toBe('{\n  "mcpServers": {\n    "a": 1,\n    "z": 2\n  }\n}\n');
  });

  it('replaces its own entry in place on upgrade', () => {
    const { added } = roundTrip('{\n  "mcpServers": {\n    "a": 1\n  },\n  "b": 2\n}\n');
    const upgraded = setEntry({ file: 'f.json', text: added }, ['mcpServers'], 'github-posts', { command: 'n' }).text;
    expect(upgraded).toBe('{\n  "mcpServers": {\n    "a": 1,\n    "github-posts": {\n      "command": "n"\n    }\n  },\n  "b": 2\n}\n');
  });

  it('creates nested containers and removes them again', () => {
    const text = '{\n  "theme": "dark"\n}\n';
    const { added, removed } = roundTrip(text, ['a', 'b']);
    expect(JSON.parse(added)).toEqual({ theme: 'dark', a: { b: { 'github-posts': entry } } });
    expect(removed).toBe(text);
  });
});

describe('json editor: cases the fuzzer found (test/unit/editor-fuzz.test.ts)', () => {
  it('a one-line object with a trailing comma keeps it', () => {
    expect(roundTrip('{"a": 1, "mcpServers": {"x": 1,}, }').removed).toBe('{"a": 1, "mcpServers": {"x": 1,}, }');
    expect(roundTrip('{"a": 1, }').removed).toBe('{"a": 1, }');
  });

  it('an object holding only comments keeps them', () => {
    expect(roundTrip('{\n  // nothing yet\n}').removed).toBe('{\n  // nothing yet\n}');
    expect(roundTrip('{"mcpServers": { /* none */ }}').removed).toBe('{"mcpServers": { /* none */ }}');
  });

  it('the whitespace of an empty top-level object comes back when the server map was created in it', () => {
    expect(roundTrip('{\r\n}\r\n').removed).toBe('{\r\n}\r\n');
  });

  it('removing an entry between others never moves a comma into a line comment', () => {
    const text = '{\n  "mcpServers": {\n    "a": 1, // mine\n    "github-posts": {"command": "x"},\n    "z": 2\n  }\n}\n';
    const removed = removeEntry({ file: 'f.json', text }, ['mcpServers'], 'github-posts', {});
    expect(removed).toBe('{\n  "mcpServers": {\n    "a": 1, // mine\n    "z": 2\n  }\n}\n');
  });
});

describe('json editor: refuses what it cannot edit safely', () => {
  it('names the line and column of a syntax error', () => {
    expect(() => setEntry({ file: '/x/claude.json', text: '{\n  "mcpServers": {\n    "a": 1\n    "b": 2\n  }\n}' }, ['mcpServers'], 'k', 1)).toThrow(
      /\/x\/claude\.json:4:5: cannot parse/,
    );
  });
  it('refuses a server map that is not an object', () => {
    expect(() => setEntry({ file: 'f', text: '{"mcpServers": []}' }, ['mcpServers'], 'k', 1)).toThrow(/is not an object/);
  });
  it('refuses duplicate keys where it would read or write: readers take the last one', () => {
    expect(() => setEntry({ file: 'f', text: '{"mcpServers": {}, "mcpServers": {"a": 1}}' }, ['mcpServers'], 'k', 1)).toThrow(/f:1:20: cannot parse \(the key "mcpServers" appears twice/);
    expect(() => setEntry({ file: 'f', text: '{"mcpServers": {"k": 1, "\\u006b": 2}}' }, ['mcpServers'], 'k', 1)).toThrow(/"k" appears twice/);
    // Elsewhere in the file duplicates are the user's business.
    expect(setEntry({ file: 'f', text: '{"x": 1, "x": 2, "mcpServers": {}}' }, ['mcpServers'], 'k', 1).text).toContain('"k": 1');
  });
  it('refuses a file whose top level is not an object', () => {
    expect(() => setEntry({ file: 'f', text: '[1]' }, ['mcpServers'], 'k', 1)).toThrow(/top level is not an object/);
  });
});

function stripComments(text: string): string {
  return text.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '').replace(/,(\s*[}\]])/g, '$1');
}

describe('json editor: a key holding a dot is one key, not a path (Amp\'s "amp.mcpServers")', () => {
  const path = ['amp.mcpServers'];
  it('adds under the literal key, next to Amp\'s other dotted settings, and takes it away again', () => {
    const text = '{\n  // Amp settings\n  "amp.notifications.enabled": false,\n  "amp.mcpServers": {\n    "other": { "command": "x" }\n  }\n}\n';
    const { added, removed } = roundTrip(text, path);
    const data = JSON.parse(stripComments(added));
    expect(data['amp.mcpServers']['github-posts']).toEqual(entry);
    expect(data.amp).toBeUndefined();
    expect(removed).toBe(text);
  });
  it('creates the literal key in a file without it', () => {
    const { added, removed } = roundTrip('{\n  "amp.notifications.enabled": false\n}\n', path);
    expect(Object.keys(JSON.parse(added))).toEqual(['amp.notifications.enabled', 'amp.mcpServers']);
    expect(removed).toBe('{\n  "amp.notifications.enabled": false\n}\n');
  });
});
