import { McpmError } from '../errors.js';
import type { FormatEditor } from './format-editor.js';
import { tomlEditor } from './toml-editor.js';
import { yamlListEditor, yamlMapEditor } from './yaml-editor.js';
import { findValue, nodeValue, parseJsonFile, removeEntry, setEntry } from './json-editor.js';
import type { FileFormat } from './table.js';

const jsonEditor: FormatEditor = {
  check(file, text, path) {
    const root = parseJsonFile(file, text, path);
    const servers = findValue(root, path);
    if (servers && servers.type !== 'object') {
      throw new McpmError('EPARSE', `${file}: "${path.join('.')}" is not an object`, {
          });
    }
  },
  get: (file, text, path, key) => nodeValue(findValue(parseJsonFile(file, text, path), [...path, key])),
  document: (file, text) => nodeValue(parseJsonFile(file, text)),
  keys: (file, text, path) => {
    const servers = findValue(parseJsonFile(file, text, path), path);
    return servers?.type === 'object' ? (servers.children ?? []).map((p) => String(p.children?.[0]?.value)) : [];
  },
  set: (file, text, path, key, value) => setEntry({ file, text }, path, key, value),
  remove: (file, text, path, key, record) => removeEntry({ file, text }, path, key, record),
};

const EDITORS: Record<FileFormat, FormatEditor> = {
  json: guarded(jsonEditor),
  jsonc: guarded(jsonEditor),
  toml: guarded(tomlEditor),
  'yaml-map': guarded(yamlMapEditor),
  'yaml-list': guarded(yamlListEditor),
};

export function editorFor(format: FileFormat): FormatEditor {
  return EDITORS[format];
}

/**
 * A file nested deeper than the parsers can walk (they recurse) is refused as unparseable, like any file mcpm cannot
 * edit safely, instead of ending mcpm with a stack overflow.
 */
function guarded(editor: FormatEditor): FormatEditor {
  const wrap = <A extends unknown[], R>(fn: (file: string, ...rest: A) => R) => (file: string, ...rest: A): R => {
    try {
      return fn(file, ...rest);
    } catch (error) {
      if (error instanceof RangeError) {
        throw new McpmError('EPARSE', `${file}: nested too deeply to edit safely`);
      }
      throw error;
    }
  };
  const set = wrap(editor.set);
  return {
    check: wrap(editor.check),
    get: wrap(editor.get),
    keys: wrap(editor.keys),
    document: wrap(editor.document),
    // The editors verify each edit by comparing data: an entry is written as plain JSON data (objects read from
    // mcpm's state have no prototype, see json.ts), so what is compared is what is written.
    set: (file, text, path, key, value) => set(file, text, path, key, JSON.parse(JSON.stringify(value)) as unknown),
    remove: wrap(editor.remove),
  };
}

/** The text of a new file that must start with some keys (see ClientDefinition.skeleton). */
export function skeletonText(format: FileFormat, skeleton: Record<string, unknown>): string {
  if (format === 'yaml-map' || format === 'yaml-list') {
    return Object.entries(skeleton).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join('\n') + '\n';
  }
  return `${JSON.stringify(skeleton, null, 2)}\n`;
}
