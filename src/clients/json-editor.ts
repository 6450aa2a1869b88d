import { isDeepStrictEqual } from 'node:util';
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { parseError } from './format-editor.js';

/**
 * A format-preserving editor for JSON and JSON-with-comments files that other programs own.
 *
 * jsonc-parser parses (with offsets), but its `modify` re-formats neighbouring entries, so the edits are made here
 * as plain text insertions and deletions that touch nothing but mcpm's entry. Each insertion has an exact inverse:
 * removing an entry mcpm added restores the file byte for byte, given the small record `insert` returns (what it
 * had to create, and the original text of an empty object it filled).
 */

export type InsertRecord = {
  /** How many of the path's objects the insertion created (0: the server map already existed). */
  createdDepth?: number;
  /** The whitespace that stood inside the object the entry went into when that object was empty. */
  emptyInside?: string;
  /** The whole original text when the file was empty or missing (undefined: missing). */
  wholeFile?: string | null;
};

export interface JsonDocument {
  readonly file: string;
  readonly text: string;
}

const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false };

/**
 * Parses leniently (comments, trailing commas) and refuses anything else with the file's path, line and column.
 * Given the servers' path, also refuses a key that appears twice where mcpm would read or write: JSON readers take
 * the last of duplicate keys and this editor would find the first, so an entry could land where no client looks.
 */
export function parseJsonFile(file: string, text: string, path?: string[]): Node | undefined {
  if (text.trim() === '') return undefined;
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, PARSE_OPTIONS);
  const first = errors[0];
  if (first) throw parseFailure(file, text, first.offset, printParseErrorCode(first.error));
  if (!root || root.type !== 'object') throw parseFailure(file, text, 0, 'the top level is not an object');
  if (path) assertUniqueKeys(file, text, root, path);
  return root;
}

/** Each step of `path` once in its object, and every key of the servers object once. */
function assertUniqueKeys(file: string, text: string, root: Node, path: string[]): void {
  let node: Node | undefined = root;
  for (let depth = 0; node?.type === 'object'; depth++) {
    const step = path[depth];
    const seen = new Set<string>();
    for (const property of node.children ?? []) {
      const name = String(property.children?.[0]?.value);
      if ((step === undefined || name === step) && seen.has(name)) {
        throw parseFailure(file, text, property.offset, `the key ${JSON.stringify(name)} appears twice in one object`);
      }
      seen.add(name);
    }
    if (step === undefined) return;
    node = findValue(node, [step]);
  }
}

export const parseFailure = parseError;

/** The value at `path` (an object key per step), or undefined. */
export function findValue(root: Node | undefined, path: string[]): Node | undefined {
  let node = root;
  for (const key of path) {
    if (!node || node.type !== 'object') return undefined;
    node = node.children?.find((property) => property.children?.[0]?.value === key)?.children?.[1];
  }
  return node;
}

/** Reads the plain value of a node (comments dropped). */
export function nodeValue(node: Node | undefined): unknown {
  if (!node) return undefined;
  switch (node.type) {
    case 'object':
      return Object.fromEntries((node.children ?? []).map((p) => [p.children?.[0]?.value as string, nodeValue(p.children?.[1])]));
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

interface Style {
  eol: string;
  unit: string;
}

function detectStyle(text: string): Style {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indented = /\n([ \t]+)["/}\]]/.exec(text);
  const unit = indented?.[1]?.startsWith('\t') ? '\t' : indented?.[1] ? ' '.repeat(Math.min(indented[1].length, 8)) : '  ';
  return { eol, unit };
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function indentOfLine(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start))?.[0] ?? '';
}

function serialize(value: unknown, indent: string, style: Style): string {
  return JSON.stringify(value, null, style.unit).split('\n').join(style.eol + indent);
}

/** Builds `{ path[1]: { ... { key: value } } }` for the part of the path that does not exist yet. */
function nest(path: string[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

type Edit = { offset: number; length: number; text: string };

function apply(text: string, edit: Edit): string {
  return text.slice(0, edit.offset) + edit.text + text.slice(edit.offset + edit.length);
}

/** Sets `path + [key]` to `value`: replaces mcpm's existing value in place, or appends a new property. */
export function setEntry(doc: JsonDocument, path: string[], key: string, value: unknown): { text: string; record: InsertRecord } {
  const root = parseJsonFile(doc.file, doc.text, path);
  const style = detectStyle(doc.text);
  if (!root) {
    const fresh = serialize(nest([...path, key], value), '', style) + style.eol;
    return { text: fresh, record: { createdDepth: path.length, wholeFile: doc.text === '' ? null : doc.text } };
  }
  let depth = 0;
  let container: Node = root;
  for (const step of path) {
    const next = findValue(container, [step]);
    if (!next) break;
    if (next.type !== 'object') throw parseFailure(doc.file, doc.text, next.offset, `"${path.join('.')}" is not an object`);
    container = next;
    depth++;
  }
  const existing = depth === path.length ? findValue(container, [key]) : undefined;
  if (existing) {
    const property = existing.parent!;
    const indent = indentOfLine(doc.text, property.offset);
    const edit = { offset: existing.offset, length: existing.length, text: serialize(value, indent, style) };
    const text = apply(doc.text, edit);
    verify(doc, text, withValue(nodeValue(root), [...path, key], value), `replace "${key}"`);
    return { text, record: {} };
  }
  const missing = path.slice(depth);
  const [name, inner] = missing.length > 0 ? [missing[0]!, nest([...missing.slice(1), key], value)] : [key, value];
  const { edit, emptyInside } = appendProperty(doc.text, container, name, inner, style);
  const text = apply(doc.text, edit);
  verify(doc, text, withValue(nodeValue(root), [...path, key], value), `add "${key}"`);
  return { text, record: { createdDepth: missing.length, emptyInside } };
}

/** A copy of `data` with `path` set to `value`, creating objects on the way. */
function withValue(data: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = { ...(data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : {}) };
  Object.defineProperty(copy, path[0]!, { value: withValue(copy[path[0]!], path.slice(1), value), enumerable: true, writable: true, configurable: true });
  return copy;
}

/** Belt and braces, as in the YAML and TOML editors: the new text must parse to exactly the expected data. */
function verify(doc: JsonDocument, text: string, expected: unknown, what: string): void {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, PARSE_OPTIONS);
  if (errors.length > 0 || !isDeepStrictEqual(nodeValue(root), expected)) {
    throw parseFailure(doc.file, doc.text, 0, `mcpm cannot ${what} here without changing other settings`);
  }
}

function appendProperty(text: string, object: Node, key: string, value: unknown, style: Style): { edit: Edit; emptyInside?: string } {
  const open = object.offset;
  const close = object.offset + object.length - 1;
  const properties = object.children ?? [];
  const last = properties[properties.length - 1];
  const singleLine = !text.slice(open, close).includes('\n');
  if (!last) {
    const inside = text.slice(open + 1, close);
    if (inside.trim() !== '') return appendInline(text, open + 1, key, value, style, '');
    const outer = indentOfLine(text, open);
    const propertyText = `${JSON.stringify(key)}: ${serialize(value, outer + style.unit, style)}`;
    return {
      edit: { offset: open + 1, length: inside.length, text: `${style.eol}${outer}${style.unit}${propertyText}${style.eol}${outer}` },
      emptyInside: inside,
    };
  }
  const valueEnd = last.offset + last.length;
  if (singleLine) return appendInline(text, valueEnd, key, value, style, ', ');
  const indent = indentOfLine(text, last.offset);
  const propertyText = `${JSON.stringify(key)}: ${serialize(value, indent, style)}`;
  const eolAt = text.indexOf('\n', valueEnd);
  const lineEnd = eolAt === -1 ? text.length : text[eolAt - 1] === '\r' ? eolAt - 1 : eolAt;
  const rest = text.slice(valueEnd, lineEnd);
  const restIsQuiet = /^\s*,?\s*(\/\/.*|\/\*.*\*\/\s*)?$/.test(rest);
  if (!restIsQuiet) return appendInline(text, valueEnd, key, value, style, ', ');
  if (/^\s*,/.test(rest)) {
    // The file already ends its list with a trailing comma (JSONC): keep that style after our entry.
    return { edit: { offset: lineEnd, length: 0, text: `${style.eol}${indent}${propertyText},` } };
  }
  return { edit: { offset: valueEnd, length: lineEnd - valueEnd, text: `,${rest}${style.eol}${indent}${propertyText}` } };
}

function appendInline(_text: string, offset: number, key: string, value: unknown, _style: Style, lead: string): { edit: Edit } {
  return { edit: { offset, length: 0, text: `${lead}${JSON.stringify(key)}: ${JSON.stringify(value)}` } };
}

/**
 * Removes `path + [key]`, undoing `setEntry` exactly when given its record: the comma it added, the line it added,
 * the objects it created, the whitespace of the empty object it filled, the file it created.
 */
export function removeEntry(doc: JsonDocument, path: string[], key: string, record: InsertRecord = {}): string | null | undefined {
  const root = parseJsonFile(doc.file, doc.text, path);
  const container = findValue(root, path);
  const target = container?.type === 'object' ? findValue(container, [key]) : undefined;
  if (!root || !container || !target) return doc.text;
  // `emptyInside` belongs to the object the insertion went into: the server map, or the outermost object it created
  // its first container in.
  const created = record.createdDepth ?? 0;
  let text = deleteProperty(doc.text, container, target.parent!, created === 0 ? record.emptyInside : undefined);
  // Remove the objects the insertion created, innermost first, while they are empty again.
  for (let level = path.length; level > path.length - created && level > 0; level--) {
    const reparsed = parseJsonFile(doc.file, text);
    const node = findValue(reparsed, path.slice(0, level));
    const parent = findValue(reparsed, path.slice(0, level - 1));
    if (!node || !parent || (node.children?.length ?? 0) > 0) break;
    text = deleteProperty(text, parent, node.parent!, level === path.length - created + 1 ? record.emptyInside : undefined);
  }
  if (record.wholeFile !== undefined) {
    const reparsed = parseJsonFile(doc.file, text);
    if (!reparsed || (reparsed.children?.length ?? 0) === 0) return record.wholeFile;
  }
  verify(doc, text, withoutEntry(nodeValue(root), path, key, created), `remove "${key}"`);
  return text;
}

/** The data with `path + key` deleted, and the objects an insertion created deleted again while empty. */
function withoutEntry(data: unknown, path: string[], key: string, created: number): unknown {
  const copy = structuredClone(data) as Record<string, unknown>;
  const chain: Array<Record<string, unknown>> = [copy];
  for (const step of path) chain.push(chain[chain.length - 1]![step] as Record<string, unknown>);
  delete chain[path.length]![key];
  for (let level = path.length; level > path.length - created && level > 0; level--) {
    if (Object.keys(chain[level]!).length > 0) break;
    delete chain[level - 1]![path[level - 1]!];
  }
  return copy;
}

function deleteProperty(text: string, object: Node, property: Node, emptyInside: string | undefined): string {
  const siblings = object.children ?? [];
  const index = siblings.indexOf(property);
  const start = property.offset;
  const end = property.offset + property.length;
  const open = object.offset;
  const close = object.offset + object.length - 1;
  const after = /^\s*,/.exec(text.slice(end));
  if (siblings.length === 1) {
    if (emptyInside !== undefined) return text.slice(0, open + 1) + emptyInside + text.slice(close);
    // Comments beside the only property (an insertion into `{ // note }` went in before them) stay.
    const past = end + (after?.[0].length ?? 0);
    if ((text.slice(open + 1, start) + text.slice(past, close)).trim() !== '') return text.slice(0, start) + text.slice(past);
    return text.slice(0, open + 1) + text.slice(close);
  }
  const previous = siblings[index - 1];
  if (!previous) {
    // First of several: take it, its comma, and the whitespace up to the next property.
    const next = siblings[1]!;
    return text.slice(0, start) + text.slice(next.offset);
  }
  const prevEnd = previous.offset + previous.length;
  const between = text.slice(prevEnd, start);
  const lineBreak = between.lastIndexOf('\n');
  const cut = lineBreak === -1 ? prevEnd : prevEnd + (between[lineBreak - 1] === '\r' ? lineBreak - 1 : lineBreak);
  // On one line (an insertion there wrote `, "key": value` after the previous value): that comma and the entry go.
  if (lineBreak === -1) return text.slice(0, prevEnd) + text.slice(end);
  if (after) {
    // A comma follows (a next property, or trailing-comma style): the entry's own comma goes with it, and the
    // previous comma stays where it is, so it never slides into a `// comment` that follows it.
    return text.slice(0, cut) + text.slice(end + after[0].length);
  }
  // The last property: the comma that separated it from the previous one goes; a comment after that comma stays.
  const head = text.slice(prevEnd, cut).replace(/^(\s*),/, '$1');
  return text.slice(0, prevEnd) + head + text.slice(end);
}
