import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { searchIndexText } from './cache.js';
import { EMBEDDED_ID } from './config.js';
import type { RegistrySource } from './source.js';
import type { ServerVersion } from './types.js';

/**
 * The index inside mcpm: a snapshot of the official registry's latest active versions (plus hand-checked entries),
 * made by `npm run index:refresh`, in two gzipped files beside the code:
 *
 * - `embedded-search.jsonl.gz`: a search index in the shape of a registry cache's `index.jsonl` (a header line with
 *   the snapshot's date, source and well-known names, then one row per server). `search` reads only this (~50 KB)
 *   and parses only the lines that contain the query, so it stays quick from a cold start;
 * - `embedded-index.json.gz`: every server.json in the v0.1 list envelope, read by `info` and `install`.
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
  private full?: Promise<RegistrySource>;

  constructor(readonly name: string = EMBEDDED_ID) {}

  async search(query: string): Promise<ServerVersion[]> {
    return searchIndexText(searchText(), query, this.id);
  }

  async versions(name: string): Promise<ServerVersion[]> {
    // The whole snapshot (and semver, through index-source.ts) only when one server's versions are asked for.
    this.full ??= import('./index-source.js').then(
      ({ IndexRegistrySource }) => new IndexRegistrySource(EMBEDDED_ID, async () => JSON.parse(gunzipSync(await readFile(file('embedded-index.json.gz'))).toString('utf8')), this.name),
    );
    return (await this.full).versions(name);
  }
}
