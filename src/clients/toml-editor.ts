import { createRequire } from 'node:module';
import type * as TomlLibrary from 'smol-toml';
import { McpmError } from '../errors.js';
import { parseError, parseErrorAt, type FormatEditor } from './format-editor.js';

/**
 * A format-preserving editor for TOML files that other programs own (Codex's `~/.codex/config.toml`, where servers
 * are `[mcp_servers.NAME]` tables).
 *
 * smol-toml parses but cannot write a file back without losing comments and layout, so, like the JSON editor, edits
 * are plain text: a new entry is appended at the end of the file as a `[mcp_servers.NAME]` block (plus sub-tables
 * such as `[mcp_servers.NAME.env]`), and removed again as exactly that block. Every edit is checked by parsing the
 * result: if it does not parse to the old data plus (or minus) the entry, mcpm refuses instead of writing.
 */

/** smol-toml is loaded on first use, as `yaml` is (see yaml-editor.ts): most commands edit no TOML file. */
let tomlLibrary: typeof TomlLibrary | undefined;
const toml = (): typeof TomlLibrary => (tomlLibrary ??= createRequire(import.meta.url)('smol-toml') as typeof TomlLibrary);
const parse = (text: string) => toml().parse(text);

export type TomlRecord = {
  /** The whitespace `set` added before its block: the missing final newline and/or the blank line. */
  lead?: string;
  /** The whole original text when the file was empty or missing (null: missing, delete it again). */
  wholeFile?: string | null;
};

type Table = Record<string, unknown>;
type Header = { start: number; end: number; path: string[]; array: boolean };

const BARE = /^[A-Za-z0-9_-]+$/;

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function refuse(file: string, what: string): McpmError {
  return new McpmError('EPARSE', `${file}: ${what}`);
}

/** Parses the file, refusing invalid TOML with its line and column, and a `path` that holds something else. */
function load(file: string, text: string, path: string[]): { data: Table; servers: Table | undefined } {
  let data: Table;
  try {
    data = parse(text);
  } catch (error) {
    if (error instanceof toml().TomlError) throw parseErrorAt(file, error.line, error.column, error.message.split('\n')[0]!);
    throw error;
  }
  let node: unknown = data;
  for (const step of path) {
    if (!isTable(node) || !Object.hasOwn(node, step)) return { data, servers: undefined };
    node = node[step];
    if (!isTable(node)) throw refuse(file, `"${path.join('.')}" is not a table`);
  }
  return { data, servers: node as Table };
}

// --- Writing values -------------------------------------------------------------------------------------------

const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };

/** A TOML basic string: quotes, backslashes and control characters escaped, everything else (unicode) as is. */
function quote(s: string): string {
  const escaped = s.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `"${escaped}"`;
}

const keyText = (key: string): string => (BARE.test(key) ? key : quote(key));

function inline(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isNaN(value) ? 'nan' : Number.isFinite(value) ? String(value) : value > 0 ? 'inf' : '-inf';
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (isTable(value)) {
    const pairs = Object.entries(value).filter(([, v]) => v != null);
    return pairs.length === 0 ? '{}' : `{ ${pairs.map(([k, v]) => `${keyText(k)} = ${inline(v)}`).join(', ')} }`;
  }
  // TOML has no null (and mcpm's entries hold only strings, numbers, booleans, arrays and tables).
  throw new McpmError('EINTERNAL', `Cannot write ${String(value)} in TOML`);
}

/** `[header]` with the table's plain keys, then each nested table as its own `[header.sub]` block. */
function block(header: string[], table: Table, eol: string): string {
  let out = `[${header.map(keyText).join('.')}]${eol}`;
  const subs: [string, Table][] = [];
  for (const [k, v] of Object.entries(table)) {
    if (isTable(v)) subs.push([k, v]);
    else if (v != null) out += `${keyText(k)} = ${inline(v)}${eol}`;
  }
  for (const [k, v] of subs) out += block([...header, k], v, eol);
  return out;
}

/** What the written entry parses back to: nulls dropped, as `block` drops them. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (!isTable(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v != null).map(([k, v]) => [k, normalize(v)]));
}

// --- Finding tables in the text -------------------------------------------------------------------------------

/** Skips a string starting at `i` (all four TOML kinds); the text is already known to be valid. */
function skipString(text: string, i: number): number {
  const q = text[i]!;
  const triple = text.startsWith(q.repeat(3), i);
  let j = i + (triple ? 3 : 1);
  for (;;) {
    if (q === '"' && text[j] === '\\') j += 2;
    else if (triple ? text.startsWith(q.repeat(3), j) : text[j] === q) break;
    else j++;
  }
  if (!triple) return j + 1;
  j += 3;
  // `"""a""""` ends with up to two quotes of content before the closing three.
  for (let extra = 0; extra < 2 && text[j] === q; extra++) j++;
  return j;
}

/** Every `[table]` / `[[array]]` header line, found by a scan that knows strings, comments and multi-line arrays. */
function scanHeaders(text: string): Header[] {
  const headers: Header[] = [];
  let depth = 0;
  let lineStart = true;
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '\n') {
      lineStart = true;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '#') {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl;
    } else if (c === '"' || c === "'") {
      i = skipString(text, i);
      lineStart = false;
    } else if (c === '[' && depth === 0 && lineStart) {
      // A header: only a `[` that starts a line outside any value (a multi-line array's rows are inside one).
      const array = text[i + 1] === '[';
      const path: string[] = [];
      let j = i + (array ? 2 : 1);
      for (;;) {
        while (text[j] === ' ' || text[j] === '\t') j++;
        if (text[j] === '"' || text[j] === "'") {
          const end = skipString(text, j);
          const raw = text.slice(j, end);
          path.push(raw[0] === "'" ? raw.slice(1, -1) : (parse(`k = ${raw}`).k as string));
          j = end;
        } else {
          const bare = /^[A-Za-z0-9_-]+/.exec(text.slice(j))?.[0] ?? '';
          path.push(bare);
          j += bare.length;
        }
        while (text[j] === ' ' || text[j] === '\t') j++;
        if (text[j] !== '.') break;
        j++;
      }
      const nl = text.indexOf('\n', j);
      const end = nl === -1 ? text.length : nl + 1;
      headers.push({ start: text.lastIndexOf('\n', i - 1) + 1, end, path, array });
      i = end;
      lineStart = true;
    } else {
      if (c === '[' || c === '{') depth++;
      else if (c === ']' || c === '}') depth--;
      lineStart = false;
      i++;
    }
  }
  return headers;
}

const startsWith = (path: string[], prefix: string[]) => prefix.every((step, n) => path[n] === step);

/**
 * The text of the entry's block: its `[path.key]` header through its last sub-table, up to the next other table.
 * Comments and blank lines just before that next table (or the end of the file) are left out: they were not written
 * by mcpm, and a comment above a header belongs to that header. undefined: no `[path.key]` table.
 */
function findBlock(file: string, text: string, target: string[]): { start: number; end: number } | undefined {
  const headers = scanHeaders(text);
  const first = headers.findIndex((h) => !h.array && h.path.length === target.length && startsWith(h.path, target));
  if (first === -1) return undefined;
  let last = first;
  while (headers[last + 1] && startsWith(headers[last + 1]!.path, target)) last++;
  const stray = headers.find((h, n) => (n < first || n > last) && startsWith(h.path, target));
  if (stray) throw parseError(file, text, stray.start, `"${target.join('.')}" is split over separate places; mcpm only replaces the tables it wrote`);
  const start = headers[first]!.start;
  let end = headers[last + 1]?.start ?? text.length;
  for (;;) {
    const lineStart = text.lastIndexOf('\n', end - 2) + 1;
    const line = text.slice(lineStart, end).trim();
    if (lineStart <= start || (line !== '' && !line.startsWith('#'))) break;
    end = lineStart;
  }
  return { start, end };
}

/** Refuses an existing entry that is not a `[path.key]` table mcpm can swap out as a block. */
function ownBlock(file: string, text: string, target: string[]): { start: number; end: number } {
  const found = findBlock(file, text, target);
  if (!found) {
    throw refuse(file, `"${target.join('.')}" is written as an inline table or dotted keys; mcpm only replaces [${target.join('.')}] tables it wrote. Edit or remove it by hand`);
  }
  return found;
}

// --- Checking an edit -----------------------------------------------------------------------------------------

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && String(a) === String(b);
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, n) => same(x, b[n]));
  if (isTable(a) && isTable(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
  }
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** A copy of `data` with `path` set to `value`, creating tables on the way. */
function withValue(data: Table, path: string[], value: unknown): Table {
  const [head, ...rest] = path as [string, ...string[]];
  const copy: Table = { ...data };
  const inner = rest.length > 0 ? withValue(isTable(data[head]) ? data[head] : {}, rest, value) : value;
  Object.defineProperty(copy, head, { value: inner, enumerable: true, writable: true, configurable: true });
  return copy;
}

// --- The editor -----------------------------------------------------------------------------------------------

export const tomlEditor: FormatEditor = {
  check(file, text, path) {
    load(file, text, path);
  },

  get(file, text, path, key) {
    const { servers } = load(file, text, path);
    return servers && Object.hasOwn(servers, key) ? servers[key] : undefined;
  },

  keys(file, text, path) {
    return Object.keys(load(file, text, path).servers ?? {});
  },

  document(file, text) {
    return load(file, text, []).data;
  },

  set(file, text, path, key, value) {
    const { data, servers } = load(file, text, path);
    if (!isTable(value)) throw new McpmError('EINTERNAL', `A TOML entry must be a table`);
    const target = [...path, key];
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    let result: string;
    let record: TomlRecord = {};
    if (servers && Object.hasOwn(servers, key)) {
      const { start, end } = ownBlock(file, text, target);
      // A block that ends the file without a final newline keeps ending without one.
      const fresh = block(target, value, eol);
      const replacement = text[end - 1] === '\n' ? fresh : fresh.slice(0, -eol.length);
      result = text.slice(0, start) + replacement + text.slice(end);
    } else if (text.trim() === '') {
      result = block(target, value, eol);
      record = { wholeFile: text === '' ? null : text };
    } else {
      // End the last line, then leave one blank line before the block; remember exactly what that took.
      let lead = text.endsWith('\n') ? '' : eol;
      const ended = text + lead;
      if (ended.slice(ended.lastIndexOf('\n', ended.length - 2) + 1).trim() !== '') lead += eol;
      result = text + lead + block(target, value, eol);
      record = { lead };
    }
    let after: Table | undefined;
    try {
      after = parse(result);
    } catch {
      after = undefined;
    }
    if (!after || !same(after, withValue(data, target, normalize(value)))) {
      throw refuse(file, `adding [${target.join('.')}] would change other settings (is "${path.join('.')}" an inline table?); mcpm left the file untouched`);
    }
    return { text: result, record };
  },

  remove(file, text, path, key, record = {}) {
    const { servers } = load(file, text, path);
    if (!servers || !Object.hasOwn(servers, key)) return text;
    const { start, end } = ownBlock(file, text, [...path, key]);
    const { lead, wholeFile } = record as TomlRecord;
    let before = text.slice(0, start);
    const rest = text.slice(end);
    const lastLineBlank = (s: string) => /(^|\n)[ \t]*\r?\n$/.test(s);
    if (lead && before.endsWith(lead) && lastLineBlank(before)) {
      before = before.slice(0, -lead.length);
      // The user wrote more after the block: the line `set` had to end must stay ended.
      if (rest !== '' && before !== '' && !before.endsWith('\n')) before += text.includes('\r\n') ? '\r\n' : '\n';
    } else if (lead === undefined && lastLineBlank(before) && (rest === '' || /^[ \t]*\r?\n/.test(rest))) {
      // No record (an entry mcpm did not append): don't leave two blank lines where the block was.
      before = before.replace(/(^|\n)[ \t]*\r?\n$/, '$1');
    }
    const result = before + rest;
    if (wholeFile !== undefined && result.trim() === '') return wholeFile;
    try {
      parse(result);
    } catch {
      throw refuse(file, `removing [${[...path, key].join('.')}] would leave invalid TOML; mcpm left the file untouched`);
    }
    return result;
  },
};
