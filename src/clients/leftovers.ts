import { existsSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { FormatEditor } from './format-editor.js';
import type { ClientDefinition } from './table.js';

/**
 * What mcpm created for a client file, so that once it holds nothing of anyone's again it goes, with the folders
 * mcpm made for it: no `{"mcpServers": {}}`, empty config.toml or `extensions: null` left behind, and no folder
 * that would make the client look installed.
 */

/** The folders that do not exist yet on the way to `file`, outermost first (what writing it will create). */
export function missingFolders(file: string): string[] {
  const missing: string[] = [];
  for (let dir = path.dirname(file); !existsSync(dir); dir = path.dirname(dir)) {
    missing.unshift(dir);
    if (path.dirname(dir) === dir) break;
  }
  return missing;
}

/** Removes the folders mcpm created, innermost first, each only while it is empty. */
export async function removeFolders(dirs: string[]): Promise<void> {
  for (const dir of [...dirs].reverse()) {
    try {
      await rmdir(dir);
    } catch {
      return; // not empty (someone else's file is there) or already gone: it and its parents stay
    }
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The file holds only what mcpm started it with: the servers collection empty (or gone) and the skeleton's keys. */
export function isEmptyShell(editor: FormatEditor, file: string, text: string, client: ClientDefinition): boolean {
  if (text.trim() === '') return true;
  const data = editor.document(file, text);
  if (data === null || data === undefined) return true;
  if (!isObject(data)) return false;
  const skeleton = client.skeleton ?? {};
  const [top, ...rest] = client.serversPath;
  return Object.entries(data).every(([key, value]) => (key === top ? emptyAt(value, rest) : Object.hasOwn(skeleton, key) && isDeepStrictEqual(value, skeleton[key])));
}

function emptyAt(value: unknown, path: string[]): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (!isObject(value)) return false;
  const [head, ...rest] = path;
  if (head === undefined) return Object.keys(value).length === 0;
  return Object.entries(value).every(([key, inner]) => key === head && emptyAt(inner, rest));
}
