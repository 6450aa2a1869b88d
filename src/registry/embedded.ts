import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { searchIndexText } from './cache.js';
import { EMBEDDED_ID } from './config.js';
import type { RegistrySource } from './source.js';
import { readServerResponse, type ServerVersion } from './types.js';

/**
 * The index inside mcpm: a snapshot of the official registry's latest active versions (plus hand-checked entries),
 * made by `npm run index:refresh`, in two gzipped files beside the code:
 *
 * - `embedded-search.jsonl.gz`: a search index in the shape of a registry cache's `index.jsonl` (a header line with
 *   the snapshot's date, source and well-known names, then one row per server). `search` reads only this (~50 KB)
 *   and parses only the lines that contain the query, so it stays quick from a cold start;
 * - `embedded-index.jsonl`: every server.json with its `_meta`, one per line after a metadata line, sorted by name,
 *   read by `info` and `install`: only the named server's line is parsed.
 */
export interface EmbeddedHeader {
  servers: number;
  generatedAt?: string;
  /** The newest change in the data it was made from: the date the snapshot is "of". */
  asOf?: string;
  source?: string;
  wellKnown: string[];
}

const file = (name: string) => new URL(`./${name}`, import.meta.url);

let text: string | undefined;

/** Unzipped once per process: the header and a search (resolving a short name does both) read the same text. */
function searchText(): string {
  return (text ??= gunzipSync(readFileSync(file('embedded-search.jsonl.gz'))).toString('utf8'));
}

let header: EmbeddedHeader | undefined;

/** The snapshot's header (count, date, source, well-known names); read once, from the small search file. */
export function embeddedHeader(): EmbeddedHeader {
  if (header) return header;
  try {
    const text = searchText();
    const raw = JSON.parse(text.slice(0, text.indexOf('\n'))) as Record<string, unknown>;
    header = {
      servers: typeof raw.servers === 'number' ? raw.servers : 0,
      ...(typeof raw.generatedAt === 'string' ? { generatedAt: raw.generatedAt } : {}),
      ...(typeof raw.asOf === 'string' ? { asOf: raw.asOf } : {}),
      ...(typeof raw.source === 'string' ? { source: raw.source } : {}),
      wellKnown: Array.isArray(raw.wellKnown) ? raw.wellKnown.filter((name): name is string => typeof name === 'string') : [],
    };
  } catch {
    header = { servers: 0, wellKnown: [] };
  }
  return header;
}

export class EmbeddedIndexSource implements RegistrySource {
  readonly id = EMBEDDED_ID;

  constructor(readonly name: string = EMBEDDED_ID) {}

  async search(query: string): Promise<ServerVersion[]> {
    return searchIndexText(searchText(), query, this.id);
  }

  async versions(name: string): Promise<ServerVersion[]> {
    return serverLines(name).flatMap((raw) => readServerResponse(raw, this.id) ?? []);
  }
}

/**
 * The entries of one server: its name is looked for in the file's bytes (decoding the whole snapshot would cost more
 * than the rest of the lookup), and only the lines it appears on are decoded and parsed, and kept if that is the
 * entry's own name, not, say, an environment variable's value.
 */
function serverLines(name: string): unknown[] {
  const bytes = (snapshot ??= readFileSync(file('embedded-index.jsonl')));
  const needle = Buffer.from(`"name":${JSON.stringify(name)}`);
  const found: unknown[] = [];
  let at = bytes.indexOf(needle);
  while (at !== -1) {
    const start = bytes.lastIndexOf(0x0a, at) + 1;
    const end = bytes.indexOf(0x0a, at);
    const raw = JSON.parse(bytes.toString('utf8', start, end === -1 ? bytes.length : end)) as { server?: { name?: unknown } };
    if (raw.server?.name === name) found.push(raw);
    at = end === -1 ? -1 : bytes.indexOf(needle, end);
  }
  return found;
}

let snapshot: Buffer | undefined;
