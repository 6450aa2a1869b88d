import { isDeepStrictEqual } from 'node:util';
import { createRequire } from 'node:module';
import type * as YamlLibrary from 'yaml';
import type { CST, Pair, YAMLMap, YAMLSeq } from 'yaml';
import { McpmError } from '../errors.js';
import { parseError, parseErrorAt, type EditRecord, type FormatEditor } from './format-editor.js';

/**
 * A format-preserving editor for YAML files that other programs own (Goose, Continue).
 *
 * `yaml` parses with offsets, but re-stringifying a document loses blank lines, quoting and comment placement, so,
 * as in the JSON editor, edits are plain text insertions and deletions of whole lines that belong to mcpm's entry.
 * Only the entry itself is rendered (by `yaml`, so quoting is always safe). Every insertion has an exact inverse
 * given the record `set` returns:
 *   created      how many of the path's maps the insertion created (0: the collection existed)
 *   emptyValue   the original text after the colon of an empty collection (`{}`, `[]`, `~`, nothing) it filled
 *   addedNewline the file lacked a final newline and got one
 *   wholeFile    the original text of an empty / comment-only file (null: there was none), as in the JSON editor
 */

type Kind = 'map' | 'list';
type Collection = YAMLMap<unknown, unknown> | YAMLSeq<unknown>;
/** One step of the path: the collection found there (undefined when the value is empty: `key:` or `key: ~`). */
type Level = { node: Collection | undefined; pair?: Pair<unknown, unknown> };
type Style = { eol: string; unit: number; indentSeq: boolean };
/**
 * `yaml` is loaded on first use: it costs ~40 ms of start-up, and most commands (an install into a JSON client) never
 * touch a YAML file. A plain require: the package's node build is CommonJS, and this editor's API is synchronous.
 */
let yamlLibrary: typeof YamlLibrary | undefined;
const Y = (): typeof YamlLibrary => (yamlLibrary ??= createRequire(import.meta.url)('yaml') as typeof YamlLibrary);

type Parsed = ReturnType<typeof YamlLibrary.parseDocument>;


/** Parses one block-mapping document, refusing anything else with the file's line and column. */
function parseYaml(file: string, text: string): Parsed | undefined {
  const doc = Y().parseDocument(text, { keepSourceTokens: true });
  const error = doc.errors[0];
  if (error) {
    const what = error.code === 'MULTIPLE_DOCS' ? 'more than one YAML document (---)' : error.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
    const at = error.linePos?.[0];
    throw at ? parseErrorAt(file, at.line, at.col, what) : parseError(file, text, error.pos[0], what);
  }
  // `...` ends the document: anything appended after it would land outside.
  const end = /^\.\.\.(?=\s|$)/m.exec(text);
  if (end) throw parseError(file, text, end.index, 'a document end marker (...)');
  // An alias to an anchor that is not defined (before it) parses, but no reader can load it: refuse it here.
  Y().visit(doc, {
    Alias: (_, node) => {
      if (!node.resolve(doc)) throw parseError(file, text, node.range?.[0] ?? 0, `the alias *${node.source} has no anchor`);
    },
  });
  const root = doc.contents;
  if (root === null) return undefined;
  if (!Y().isMap(root) || root.flow) throw parseError(file, text, root.range?.[0] ?? 0, 'the top level is not a block mapping');
  return doc;
}

/** Walks the path; levels[i] is the collection at path.slice(0, i), as far as it exists. */
function open(file: string, text: string, path: string[], kind: Kind): { doc: Parsed | undefined; levels: Level[] } {
  const doc = parseYaml(file, text);
  const levels: Level[] = doc ? [{ node: doc.contents as YAMLMap }] : [];
  for (const [i, step] of path.entries()) {
    const map = levels[i]?.node;
    const pair = Y().isMap(map) ? map.items.find((p) => Y().isScalar(p.key) && String(p.key.value) === step) : undefined;
    if (!pair) break;
    const where = `"${path.slice(0, i + 1).join('.')}"`;
    const value = pair.value;
    const offset = Y().isNode(value) ? (value.range?.[0] ?? 0) : 0;
    // Anchors, aliases and merge keys make one text span mean several places: editing lines there is unsafe.
    if (Y().isNode(value) || Y().isAlias(value)) {
      Y().visit(value, {
        Node: (_, node) => {
          if (!Y().isAlias(node) && !node.anchor) return;
          const at = node.range?.[0] ?? offset;
          const anchor = node.anchor ? text.lastIndexOf(`&${node.anchor}`, at) : -1; // point at `&name`, not the value
          throw parseError(file, text, anchor >= 0 ? anchor : at, `${where} uses anchors or aliases`);
        },
        Pair: (_, p) => {
          if (Y().isScalar(p.key) && p.key.value === '<<') throw parseError(file, text, p.key.range?.[0] ?? offset, `${where} uses a merge key (<<)`);
        },
      });
    }
    if (value === null || (Y().isScalar(value) && value.value === null)) {
      levels.push({ node: undefined, pair });
      continue;
    }
    const list = i === path.length - 1 && kind === 'list';
    if (list ? !Y().isSeq(value) : !Y().isMap(value)) throw parseError(file, text, offset, `${where} is not a ${list ? 'list' : 'map'}`);
    const node = value as Collection;
    if (node.flow && node.items.length > 0) throw parseError(file, text, offset, `${where} is written in flow style ({...} or [...])`);
    levels.push({ node, pair });
  }
  return { doc, levels };
}

/** The index of mcpm's entry: the pair whose key is `key`, or the list item whose `name` is `key`. */
function findEntry(file: string, text: string, node: Collection, kind: Kind, key: string): number {
  if (kind === 'map') return node.items.findIndex((p) => Y().isPair(p) && Y().isScalar(p.key) && String(p.key.value) === key);
  const named = node.items.flatMap((item, index) => (Y().isMap(item) && item.has('name') && String(item.get('name')) === key ? [index] : []));
  // Two items with one name: which one a client uses is anyone's guess, so mcpm touches neither.
  if (named.length > 1) throw parseError(file, text, (node.items[named[1]!] as YAMLMap).range?.[0] ?? 0, `two entries are named "${key}"`);
  return named[0] ?? -1;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The end of the line holding `offset`, before its line break. */
function lineEnd(text: string, offset: number): number {
  const at = text.indexOf('\n', offset);
  if (at === -1) return text.length;
  return text[at - 1] === '\r' ? at - 1 : at;
}

/** Where a node's content ends: its last value character, not the comments or blank lines that follow it. */
function contentEnd(text: string, node: unknown): number {
  if (Y().isPair(node)) return Math.max(contentEnd(text, node.key), contentEnd(text, node.value));
  if (Y().isScalar(node) && node.range) {
    const end = node.range[1];
    // Block scalars (| and >) end after their last line break; the entry ends on that line.
    const block = node.type === Y().Scalar.BLOCK_LITERAL || node.type === Y().Scalar.BLOCK_FOLDED;
    return block && text[end - 1] === '\n' ? end - 1 : end;
  }
  if ((Y().isMap(node) || Y().isSeq(node)) && node.range) {
    return node.flow ? node.range[1] : Math.max(node.range[0], ...node.items.map((item) => contentEnd(text, item)));
  }
  return -1;
}

/** An entry's lines: the start of its first line (the key's, or the `-`'s), its column, and its content end. */
function span(text: string, node: Collection, index: number): { start: number; column: number; end: number } {
  const item = node.items[index];
  let first: number | undefined;
  if (Y().isPair(item)) first = Y().isNode(item.key) ? item.key.range?.[0] : undefined;
  else first = (node.srcToken as CST.BlockSequence | undefined)?.items[index]?.start.find((t) => t.type === 'seq-item-ind')?.offset;
  if (first === undefined) throw new McpmError('EPARSE', 'cannot locate a YAML entry (unusual syntax such as `? key`)');
  const start = lineStart(text, first);
  return { start, column: first - start, end: Math.max(first + 1, contentEnd(text, item)) };
}

/** The file's own habits: line ending, indentation unit, and whether `- ` items sit deeper than their key. */
function detectStyle(text: string): Style {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  let unit: number | undefined;
  let indentSeq: boolean | undefined;
  lines.forEach((line, i) => {
    const opener = /^( *)((?:- +)?)[^\s#][^#]*:(?:\s+#.*)?$/.exec(line); // `key:` opening a block
    const next = lines[i + 1];
    if (!opener || next === undefined) return;
    const column = (opener[1] ?? '').length + (opener[2] ?? '').length;
    const indent = /^ */.exec(next)![0].length;
    if (/^ *-( |$)/.test(next)) indentSeq ??= indent > column;
    else if (indent > column) unit ??= indent - column;
  });
  return { eol: text.includes('\r\n') ? '\r\n' : '\n', unit: unit ?? 2, indentSeq: indentSeq ?? true };
}

/** True when a plain (unquoted) scalar would read back as exactly `s` under both YAML 1.1 and 1.2. */
function plainIsSafe(s: string): boolean {
  return (['1.1', '1.2'] as const).every((version) => {
    const doc = Y().parseDocument(s, { version });
    return doc.errors.length === 0 && Y().isScalar(doc.contents) && doc.contents.value === s;
  });
}

/** Renders data as block YAML at `column`, in the file's style, quoting every string a YAML reader could misread. */
function render(data: unknown, column: number, style: Style): string {
  const doc = new (Y().Document)(data, { version: '1.1', aliasDuplicateObjects: false });
  Y().visit(doc, {
    Scalar: (_, node) => {
      if (typeof node.value === 'string' && !plainIsSafe(node.value)) node.type = Y().Scalar.QUOTE_DOUBLE;
    },
  });
  const yaml = doc.toString({ indent: style.unit, indentSeq: style.indentSeq, lineWidth: 0, blockQuote: false });
  const pad = ' '.repeat(column);
  return yaml.replace(/\n$/, '').split('\n').map((line) => (line ? pad + line : line)).join(style.eol);
}

/** The data the file must hold after `set`: the old data with the entry set, used to verify the edit. */
function expectedAfter(doc: Parsed | undefined, path: string[], kind: Kind, key: string, value: unknown): unknown {
  const root = (doc?.toJS() ?? {}) as Record<string, unknown>;
  let map = root;
  for (const step of path.slice(0, -1)) map = (map[step] ??= {}) as Record<string, unknown>;
  const last = path[path.length - 1]!;
  if (kind === 'map') ((map[last] ??= {}) as Record<string, unknown>)[key] = value;
  else {
    const list = (map[last] ??= []) as unknown[];
    const index = list.findIndex((item) => (item as { name?: unknown } | null)?.name !== undefined && String((item as { name: unknown }).name) === key);
    if (index >= 0) list[index] = value;
    else list.push(value);
  }
  return root;
}

function setEntry(kind: Kind, file: string, text: string, path: string[], key: string, value: unknown) {
  if (kind === 'list' && (value as { name?: unknown } | null)?.name !== key) {
    throw new McpmError('EINTERNAL', `a list entry must carry its name ("${key}")`);
  }
  const style = detectStyle(text);
  const { doc, levels } = open(file, text, path, kind);
  const collection = levels[path.length]?.node;
  const index = collection ? findEntry(file, text, collection, kind, key) : -1;
  const record: EditRecord = {};
  let at: number;
  let length = 0;
  let insert: string;
  if (collection && index >= 0) {
    // Upgrade: mcpm's entry is rewritten where it stands; a comment after its last line stays.
    const entry = span(text, collection, index);
    const rendered = render(kind === 'map' ? { [key]: value } : [value], entry.column, style);
    [at, length, insert] = [entry.start, entry.end - entry.start, rendered];
  } else {
    const depth = levels.length - 1; // deepest level that exists; -1: the document is empty
    const missing = path.slice(Math.max(depth, 0));
    const data = missing.reduceRight<unknown>((inner, step) => ({ [step]: inner }), kind === 'map' ? { [key]: value } : [value]);
    if (missing.length > 0) record.created = missing.length;
    const target = levels[depth];
    const seqItem = kind === 'list' && missing.length === 0;
    if (!target || depth === 0) {
      if (depth === -1) record.wholeFile = text === '' ? null : text;
      if (text.trim() === '') {
        [at, length, insert] = [0, text.length, render(data, 0, style) + style.eol];
      } else if (/\n$/.test(text)) {
        // A new top-level key goes at the very end, after any closing comments, before the final line break.
        [at, insert] = [text.length - (text.endsWith('\r\n') ? 2 : 1), style.eol + render(data, 0, style)];
      } else {
        [at, insert] = [text.length, style.eol + render(data, 0, style) + style.eol];
        record.addedNewline = true;
      }
    } else if (!target.node || target.node.items.length === 0) {
      // `key:`, `key: ~`, `key: {}` or `key: []`: the empty value (and nothing else) makes way for a block.
      const pair = target.pair!;
      const keyStart = (pair.key as { range: [number, number, number] }).range;
      const colonEnd = text.indexOf(':', keyStart[1]) + 1;
      const stop = lineEnd(text, Math.max(colonEnd, contentEnd(text, pair.value)));
      const original = text.slice(colonEnd, stop);
      const comment = original.includes('#') ? ' ' + original.slice(original.indexOf('#')) : '';
      const column = keyStart[0] - lineStart(text, keyStart[0]) + (seqItem && !style.indentSeq ? 0 : style.unit);
      [at, length, insert] = [colonEnd, original.length, comment + style.eol + render(data, column, style)];
      record.emptyValue = original;
    } else {
      const last = span(text, target.node, target.node.items.length - 1);
      [at, insert] = [lineEnd(text, last.end), style.eol + render(data, last.column, style)];
    }
  }
  const out = text.slice(0, at) + insert + text.slice(at + length);
  // Belt and braces: the new file must parse to the old data plus the entry, or nothing is written.
  if (!isDeepStrictEqual(parseYaml(file, out)?.toJS(), expectedAfter(doc, path, kind, key, value))) {
    throw parseError(file, text, at, `mcpm cannot add "${key}" here without changing other settings`);
  }
  return { text: out, record };
}

/** Deletes an entry's lines with the line break before them (or after them, for the file's first line). */
function deleteLines(text: string, start: number, end: number): string {
  const stop = lineEnd(text, end);
  if (start > 0) return text.slice(0, start - (text[start - 2] === '\r' ? 2 : 1)) + text.slice(stop);
  return text.slice(text[stop] === '\r' ? stop + 2 : text[stop] === '\n' ? stop + 1 : stop);
}

function removeEntry(kind: Kind, file: string, text: string, path: string[], key: string, record: EditRecord = {}) {
  const { levels } = open(file, text, path, kind);
  const collection = levels[path.length]?.node;
  const index = collection ? findEntry(file, text, collection, kind, key) : -1;
  if (!collection || index < 0) return text;
  let { start, end } = span(text, collection, index);
  // Climb through the maps mcpm created for as long as they hold nothing but what is being removed.
  const createdFrom = path.length - (typeof record.created === 'number' ? record.created : 0);
  let level = path.length;
  let count = collection.items.length;
  while (level > createdFrom && count === 1) {
    const key = levels[level]!.pair!.key as { range: [number, number, number] };
    start = lineStart(text, key.range[0]);
    level--;
    count = levels[level]!.node!.items.length;
  }
  const undone = level === createdFrom; // everything the insertion created is about to go
  let out: string;
  if (undone && typeof record.emptyValue === 'string' && count === 1 && levels[level]?.pair) {
    const keyEnd = (levels[level]!.pair!.key as { range: [number, number, number] }).range[1];
    const colonEnd = text.indexOf(':', keyEnd) + 1;
    out = text.slice(0, colonEnd) + record.emptyValue + text.slice(lineEnd(text, end));
  } else {
    out = deleteLines(text, start, end);
    if (undone && level === 0 && record.addedNewline === true) out = out.replace(/\r?\n$/, '');
  }
  if (record.wholeFile !== undefined) {
    const root = Y().parseDocument(out).contents;
    if (root === null || (Y().isMap(root) && root.items.length === 0)) return record.wholeFile as string | null;
  }
  return out;
}

function editor(kind: Kind): FormatEditor {
  const entry = (file: string, text: string, path: string[], key: string) => {
    const { doc, levels } = open(file, text, path, kind);
    const collection = levels[path.length]?.node;
    const index = collection ? findEntry(file, text, collection, kind, key) : -1;
    const item = collection?.items[index];
    return { doc, item: Y().isPair(item) ? item.value : item };
  };
  return {
    check: (file, text, path) => void open(file, text, path, kind),
    get(file, text, path, key) {
      const { doc, item } = entry(file, text, path, key);
      return Y().isNode(item) && doc ? item.toJS(doc) : undefined;
    },
    keys(file, text, path) {
      const items = open(file, text, path, kind).levels[path.length]?.node?.items ?? [];
      if (kind === 'map') return items.flatMap((p) => (Y().isPair(p) && Y().isScalar(p.key) ? [String(p.key.value)] : []));
      return items.flatMap((item) => (Y().isMap(item) && item.has('name') ? [String(item.get('name'))] : []));
    },
    document: (file, text) => parseYaml(file, text)?.toJS() ?? null,
    set: (file, text, path, key, value) => setEntry(kind, file, text, path, key, value),
    remove: (file, text, path, key, record) => removeEntry(kind, file, text, path, key, record),
  };
}

/** Servers in a map at `path`, keyed by name (Goose: `extensions` in ~/.config/goose/config.yaml). */
export const yamlMapEditor: FormatEditor = editor('map');
/** Servers in a list at `path` of maps identified by `name` (Continue: `mcpServers` in ~/.continue/config.yaml). */
export const yamlListEditor: FormatEditor = editor('list');
