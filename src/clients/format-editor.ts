import { McpmError } from '../errors.js';

/**
 * What an editor returns about an insertion so that removing the entry later restores the file byte for byte
 * (what it created, what stood where it wrote). Stored in mcpm's state as JSON; each editor reads its own fields.
 */
export type EditRecord = Record<string, unknown>;

/**
 * One file format's edits. All pure: text in, text out, so they can be tested and fuzzed without a disk.
 * `path` locates the collection of servers (a map, or for list formats a list keyed by each item's `name`); `key`
 * is mcpm's entry in it.
 */
export interface FormatEditor {
  /** Throws EPARSE naming the file, line and column if the text cannot be edited safely. */
  check(file: string, text: string, path: string[]): void;
  /** The entry's current value as plain data, or undefined. */
  get(file: string, text: string, path: string[], key: string): unknown;
  /** Every entry key in the collection. */
  keys(file: string, text: string, path: string[]): string[];
  /** The whole document as plain data (to tell a file that holds nothing but an empty collection). */
  document(file: string, text: string): unknown;
  /** Sets the entry: replaces an existing value in place, or appends a new entry after the others. */
  set(file: string, text: string, path: string[], key: string, value: unknown): { text: string; record: EditRecord };
  /** Removes the entry, undoing `set` exactly given its record. null: delete the file (mcpm created it, it is empty again). */
  remove(file: string, text: string, path: string[], key: string, record?: EditRecord): string | null | undefined;
}

/** The error every editor throws for text it will not touch. */
export function parseError(file: string, text: string, offset: number, what: string): McpmError {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return new McpmError('EPARSE', `${file}:${line}:${column}: cannot parse (${what})`, {
  });
}

/** The same error when a parser reports a line and column itself (1-based). */
export function parseErrorAt(file: string, line: number, column: number, what: string): McpmError {
  return new McpmError('EPARSE', `${file}:${line}:${column}: cannot parse (${what})`, {
  });
}
