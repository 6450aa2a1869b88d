// Reads any client's file as data, with parsers independent of mcpm's editors.
import { readFileSync } from 'node:fs';
import { parse as parseJsonc } from 'jsonc-parser';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';

export function readClientData(file: string, format: string): any {
  const text = readFileSync(file, 'utf8');
  if (format === 'toml') return parseToml(text);
  if (format.startsWith('yaml')) return parseYaml(text);
  return parseJsonc(text, [], { allowTrailingComma: true });
}

/** Replaces the golden files' placeholders (<NODE>, <BIN>, <SECRETS>) inside any value. */
export function fillPlaceholders(value: unknown, values: Record<string, string>): any {
  if (typeof value === 'string') return value.replace(/<(NODE|BIN|SECRETS)>/g, (_, name: string) => values[name] ?? `<${name}>`);
  if (Array.isArray(value)) return value.map((v) => fillPlaceholders(v, values));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillPlaceholders(v, values)]));
  return value;
}

/** The entry of `key` in a client's parsed data, for map and list (Continue) formats. */
export function entryIn(data: any, serversPath: string[], key: string): any {
  let node = data;
  for (const step of serversPath) node = node?.[step];
  if (Array.isArray(node)) return node.find((item) => item?.name === key);
  return node?.[key];
}
