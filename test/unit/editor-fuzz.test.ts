// @module-tag deep
// Fuzzing the client-file editors with generated files: JSON with comments, YAML (map and list), TOML. For every
// case the edit either is refused with EPARSE (the caller then leaves the file untouched), or it applies cleanly:
// the result parses to exactly the old data plus mcpm's entry, an upgrade in place parses to the old data plus the
// new entry, and removing the entry with the record `set` returned gives back the original text byte for byte.
// Seeded: a failure names its case number; FUZZ_SEED / FUZZ_CASES change the run.
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { parse as parseToml } from 'smol-toml';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { editorFor } from '../../src/clients/editor.js';
import type { FileFormat } from '../../src/clients/table.js';
import { McpmError } from '../../src/errors.js';
import { data, entryValue, jsonStyle, mutate, rng, word, writeJsonc, writeToml, writeYaml, yamlStyle, type Rng } from '../helpers/gen-config.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const SCALE = Number(process.env.FUZZ_CASES ?? 1);

interface Case {
  text: string;
  path: string[];
  key: string;
  value: Record<string, unknown>;
  upgrade: Record<string, unknown>;
  mutated: boolean;
}

type Outcome = 'applied' | 'refused';

/** What a client reading the file sees (undefined: the file is empty; throws: the client cannot read it). */
type Reader = (text: string) => unknown;

const readJsonc: Reader = (text) => {
  if (text.trim() === '') return undefined;
  const errors: ParseError[] = [];
  const value = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) throw new Error(`jsonc error ${errors[0]!.error} at ${errors[0]!.offset}`);
  return value;
};

const readYaml: Reader = (text) => {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return undefined;
  if (docs.length > 1) throw new Error('several documents');
  const doc = docs[0];
  if (!doc) return undefined;
  if (doc.errors.length > 0) throw new Error(doc.errors[0]!.message);
  return doc.toJS() ?? undefined;
};

const readToml: Reader = (text) => parseToml(text);

/** The old data with the entry set at path + key (a list path: the item named key replaced or appended). */
function withEntry(before: unknown, path: string[], key: string, value: unknown, list: boolean): unknown {
  const root = structuredClone((before ?? {}) as Record<string, unknown>);
  let node = root;
  for (const step of path.slice(0, -1)) {
    node[step] ??= {};
    node = node[step] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (list) {
    if (node[last] === null || node[last] === undefined) node[last] = [];
    const items = node[last] as Array<Record<string, unknown>>;
    const at = items.findIndex((item) => item !== null && typeof item === 'object' && item.name !== undefined && String(item.name) === key);
    if (at >= 0) items[at] = value as Record<string, unknown>;
    else items.push(value as Record<string, unknown>);
  } else {
    if (node[last] === null || node[last] === undefined) node[last] = {};
    (node[last] as Record<string, unknown>)[key] = value;
  }
  return root;
}

function hasEntry(before: unknown, path: string[], key: string, list: boolean): boolean {
  let node = before as Record<string, unknown> | undefined;
  for (const step of path) node = node && typeof node === 'object' ? (node[step] as Record<string, unknown>) : undefined;
  if (list) return Array.isArray(node) && node.some((item) => item && typeof item === 'object' && String((item as { name?: unknown }).name) === key);
  return node !== null && typeof node === 'object' && Object.hasOwn(node, key);
}

/** Runs one case through set (new entry), set (upgrade in place) and remove, checking every invariant. */
function check(format: FileFormat, read: Reader, c: Case): Outcome {
  const editor = editorFor(format);
  const list = format === 'yaml-list';
  const file = `/fuzz/config.${format}`;
  let set: { text: string; record: Record<string, unknown> };
  try {
    set = editor.set(file, c.text, c.path, c.key, c.value);
  } catch (error) {
    // Refusing is always allowed, but only as a one-line EPARSE naming the file (never a TypeError or a crash).
    if (!(error instanceof McpmError) || error.code !== 'EPARSE') throw new Error(`set threw ${String(error)}`, { cause: error });
    expect(error.message).toContain(file);
    expect(error.message).not.toContain('\n');
    return 'refused';
  }
  // The editor accepted the file: a client must be able to read it, before and after.
  const before = read(c.text);
  const existed = hasEntry(before, c.path, c.key, list);
  const after = read(set.text);
  expect(after, 'parse(after set) = parse(before) + entry').toEqual(withEntry(before, c.path, c.key, c.value, list));
  expect(editor.get(file, set.text, c.path, c.key)).toEqual(c.value);
  // The record is kept in mcpm's state as JSON.
  const record = JSON.parse(JSON.stringify(set.record)) as Record<string, unknown>;

  // Upgrade: mcpm replaces its own entry in place.
  const upgraded = editor.set(file, set.text, c.path, c.key, c.upgrade).text;
  expect(read(upgraded), 'parse(after upgrade) = parse(before) + new entry').toEqual(withEntry(before, c.path, c.key, c.upgrade, list));

  if (!existed) {
    const removed = editor.remove(file, upgraded, c.path, c.key, record);
    // null: the file did not exist (empty text) and is deleted again.
    expect(removed === null ? '' : removed, 'remove(set(text)) = text').toBe(c.text);
  } else {
    const removed = editor.remove(file, upgraded, c.path, c.key, record);
    if (typeof removed === 'string') expect(hasEntry(read(removed), c.path, c.key, list)).toBe(false);
  }
  return 'applied';
}

function run(format: FileFormat, read: Reader, count: number, make: (r: Rng, n: number) => Case) {
  const tally = { applied: 0, refused: 0, mutatedApplied: 0, cleanApplied: 0, clean: 0 };
  for (let n = 0; n < count; n++) {
    const r = rng(SEED + n * 7919 + format.length);
    const c = make(r, n);
    let outcome: Outcome;
    try {
      outcome = check(format, read, c);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${format} case ${n} (seed ${SEED}) failed: ${message}\n--- text ---\n${JSON.stringify(c.text)}\n--- path ${JSON.stringify(c.path)} key ${JSON.stringify(c.key)}`, { cause: error });
    }
    tally[outcome]++;
    if (!c.mutated) tally.clean++;
    if (outcome === 'applied') tally[c.mutated ? 'mutatedApplied' : 'cleanApplied']++;
  }
  return tally;
}

const KEYS = ['github-posts', 'memory', 'a', 'x.y', 'posts-v1', 'Ünï'];

function entries(r: Rng, shape: 'map' | 'list' | 'toml', count: number): Array<[string, Record<string, unknown>]> {
  return Array.from({ length: count }, () => {
    const key = r.chance(0.15) ? r.pick(KEYS) : word(r);
    return [key, entryValue(r, shape, key)];
  });
}

describe('editor fuzz', () => {
  it('JSON with comments: generated files, about 1200 cases', () => {
    const tally = run('jsonc', readJsonc, 1200 * SCALE, (r) => {
      const path = r.pick([['mcpServers'], ['mcpServers'], ['servers'], ['context_servers'], ['mcp'], ['a', 'b']]);
      const key = r.pick(KEYS);
      const root: Record<string, unknown> = {};
      for (let i = r.int(4); i > 0; i--) root[word(r)] = data(r, 3);
      if (r.chance(0.8)) {
        const servers = Object.fromEntries(entries(r, 'map', r.int(4)));
        if (r.chance(0.1)) servers[key] = entryValue(r, 'map', key); // an entry under the same key already there
        const container = path.length === 1 ? servers : { [path[1]!]: servers, other: data(r, 2) };
        if (r.chance(0.5)) root[path[0]!] = container;
        else Object.assign(root, { [path[0]!]: container }, Object.fromEntries(Object.entries(root)));
      }
      if (r.chance(0.04)) root[path[0]!] = r.pick([null, [], 'x', 1]);
      const style = jsonStyle(r);
      let text = r.chance(0.03) ? r.pick(['', ' ', '\n', '// only a comment\n']) : writeJsonc(r, root, style) + (r.chance(0.8) ? style.eol : '');
      if (r.chance(0.05)) text = text.replace('{', `{"${path[0]}": {"dup": {"command": "x"}},`); // a duplicate key
      if (r.chance(0.05)) text = `/* head */${style.eol}${text}`;
      const mutated = r.chance(0.2);
      if (mutated) text = mutate(r, text);
      return { text, path, key, value: entryValue(r, 'map', key), upgrade: entryValue(r, 'map', key), mutated };
    });
    expect(tally.cleanApplied).toBeGreaterThan(tally.clean * 0.8);
  });

  for (const [format, shape] of [['yaml-map', 'map'], ['yaml-list', 'list']] as const) {
    it(`YAML (${shape}): generated files, about 500 cases`, () => {
      const tally = run(format, readYaml, 500 * SCALE, (r) => {
        const path = shape === 'list' ? ['mcpServers'] : r.pick([['extensions'], ['extensions'], ['a', 'b']]);
        const key = r.pick(KEYS);
        const root: Record<string, unknown> = {};
        for (let i = r.int(4); i > 0; i--) root[word(r).replace(/^$/, 'k')] = data(r, 3);
        if (r.chance(0.8)) {
          const list = entries(r, shape, r.int(4));
          if (r.chance(0.1)) list.push([key, entryValue(r, shape, key)]);
          const servers = shape === 'list' ? list.map(([, v]) => v) : Object.fromEntries(list);
          const empty = r.chance(0.1) ? r.pick([null, shape === 'list' ? [] : {}]) : undefined;
          const container = empty !== undefined ? empty : servers;
          root[path[0]!] = path.length === 1 ? container : { [path[1]!]: container, other: word(r) };
        }
        const style = yamlStyle(r);
        let lines = writeYaml(r, root, style);
        if (r.chance(0.05)) lines = ['---', ...lines];
        if (r.chance(0.05)) lines = [`# ${word(r).replace(/[\r\n]/g, ' ')}`, ...lines];
        if (r.chance(0.03)) lines = [...lines, '---', 'other: doc'];
        if (r.chance(0.05)) lines = lines.map((line, i) => (i === 0 && /:$/.test(line) ? `${line} &anchor` : line)).concat(['alias_user: *anchor']);
        let text = lines.join(style.eol) + (r.chance(0.85) ? style.eol : '');
        if (r.chance(0.03)) text = r.pick(['', '\n', '# just a comment\n', '{}\n']);
        const mutated = r.chance(0.2);
        if (mutated) text = mutate(r, text);
        return { text, path, key, value: entryValue(r, shape, key), upgrade: entryValue(r, shape, key), mutated };
      });
      expect(tally.cleanApplied).toBeGreaterThan(tally.clean * 0.6);
    });
  }

  it('TOML: generated files, about 800 cases', () => {
    const tally = run('toml', readToml, 800 * SCALE, (r) => {
      const path = ['mcp_servers'];
      const key = r.pick(KEYS);
      const top: Record<string, unknown> = {};
      for (let i = r.int(4); i > 0; i--) top[word(r)] = data(r, 2, { nulls: false });
      const tables: Array<{ header: string[]; array?: boolean; body: Record<string, unknown> }> = [];
      for (let i = r.int(3); i > 0; i--) tables.push({ header: [r.pick(['profile', 'tools', 'ünï', 'a b', 'mcp'])].concat(r.chance(0.3) ? [word(r)] : []), array: r.chance(0.2), body: Object.fromEntries(entries(r, 'toml', 1).map(([k]) => [k, data(r, 1, { nulls: false })])) });
      if (r.chance(0.8)) {
        const servers = entries(r, 'toml', r.int(4));
        if (r.chance(0.1)) servers.push([key, entryValue(r, 'toml', key)]);
        for (const [name, value] of servers) {
          const { env, ...rest } = value as { env?: Record<string, unknown> };
          tables.push({ header: ['mcp_servers', name], body: rest });
          if (env && r.chance(0.7)) tables.push({ header: ['mcp_servers', name, 'env'], body: env });
          else if (env) rest.env = env;
        }
        if (r.chance(0.05)) tables.push({ header: ['mcp_servers'], body: { flag: true } });
        if (tables.length > 1 && r.chance(0.3)) tables.push(tables.splice(r.int(tables.length), 1)[0]!); // servers not always last
      }
      if (r.chance(0.05)) top.mcp_servers = r.pick([{}, { inline: { command: 'x' } }, 'x']);
      const eol = r.chance(0.15) ? '\r\n' : '\n';
      let text = r.chance(0.03) ? r.pick(['', '\n', '# nothing\n']) : writeToml(r, top, tables, eol);
      if (r.chance(0.04)) text += `${eol}mcp_servers.dotted.command = "x"${eol}`;
      const mutated = r.chance(0.2);
      if (mutated) text = mutate(r, text);
      return { text, path, key, value: entryValue(r, 'toml', key), upgrade: entryValue(r, 'toml', key), mutated };
    });
    expect(tally.cleanApplied).toBeGreaterThan(tally.clean * 0.5);
  });
});
