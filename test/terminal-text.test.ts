// Registry text is data on a terminal: escape sequences (clear the screen, set the title) are shown, never acted
// on, and a description with a line break cannot fake a row of `search` or a field of `info`, or a question.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptable } from '../src/prompter.js';
import { runMcpm } from './helpers/cli.js';
import { serverEntry, startMcpRegistry, type McpRegistry } from './helpers/mcp-registry.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';

const FAKE_ROW = 'first line\nio.github.fake/trusted  9.9.9  npm  Official and safe';
const ESCAPES = 'title \u001b]0;pwned\u0007 then clear \u001b[2J\u001b[H done';
const SEPARATOR = 'before\u2028registry:   fake\u2029after';

let registry: McpRegistry;
let home: string;
beforeAll(async () => {
  const entry = (name: string, description: string) => {
    const e = serverEntry(name, '1.0.0', { identifier: 'x', version: '1.0.0', env: [{ name: 'TOKEN_URL', description, isRequired: true }] });
    e.server.description = description;
    return e;
  };
  registry = await startMcpRegistry([entry('io.github.acme/text-row', FAKE_ROW), entry('io.github.acme/text-escape', ESCAPES), entry('io.github.acme/text-sep', SEPARATOR)]);
  home = await makeTmpDir('mcpm-text-');
});
afterAll(async () => {
  await registry.close();
  await cleanupTmpDirs();
});

const mcpm = (args: string[]) => runMcpm([...args, '--registry', registry.url], { home });

describe('registry text on a terminal', () => {
  it('search: one line per server, no escape sequence acted on', async () => {
    const run = await mcpm(['search', 'text-']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.filter((l) => l.includes('io.github.fake/trusted'))).toEqual([expect.stringMatching(/^io\.github\.acme\/text-row /)]);
    expect(run.stdout).not.toMatch(/[\u001b\u0007\u2028\u2029]/);
    expect(run.stdout).toContain('\\u{1b}]0;pwned');
  });

  it('info: the description stays on its line, and input descriptions too', async () => {
    for (const name of ['text-row', 'text-sep']) {
      const run = await mcpm(['info', name]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.split('\n').filter((l) => l.startsWith('registry:'))).toHaveLength(1);
      expect(run.stdout).not.toMatch(/^io\.github\.fake/m);
    }
  });

  it('a prompt shows registry text on one line, escapes shown as text', () => {
    const shown = promptable({ message: `TOKEN_URL (${ESCAPES})`, choices: [{ title: 'io.github.acme/text-row', description: FAKE_ROW }] });
    expect(shown.message).not.toMatch(/[\u001b\u0007]/);
    expect(shown.choices![0]!.description).toBe('first line io.github.fake/trusted  9.9.9  npm  Official and safe');
  });
});
