import { createHash } from 'node:crypto';

/**
 * A server's surface: what the model sees of it (tools with their descriptions, schemas and annotations, prompts,
 * resource templates), normalised so that the same surface always hashes the same: every string in NFKC, object
 * keys in code-point order, absent fields left out. Pure: no I/O.
 */
export type ItemKind = 'tool' | 'prompt' | 'resourceTemplate';

export interface SurfaceItem {
  kind: ItemKind;
  name: string;
  /** The item's fields the model sees, normalised (see normalise). */
  value: Record<string, unknown>;
}

/** The lists a handshake returned, as the SDK gives them (unknown shapes: a server may send anything). */
export interface RawSurface {
  tools: unknown[];
  prompts: unknown[];
  resourceTemplates: unknown[];
}

/** Which fields of each item are its surface; anything else (`_meta`, icons) may change without being drift. */
const FIELDS: Record<ItemKind, string[]> = {
  tool: ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations'],
  prompt: ['name', 'title', 'description', 'arguments'],
  resourceTemplate: ['name', 'title', 'uriTemplate', 'description', 'mimeType'],
};

/** Bump when what a pin covers or how it is hashed changes; older pins are then re-pinned, not compared. */
export const PINS_FORMAT = 1;

export interface PinnedItem {
  kind: ItemKind;
  name: string;
  hash: string;
  value: Record<string, unknown>;
}

/** The pins of one server, as the state keeps them (the lock keeps the hashes only: see lockPins). */
export interface Pins {
  formatVersion: number;
  /** Hash over every item's key and hash: equal surfaces, equal hashes. */
  hash: string;
  pinnedAt: string;
  /** The version that was running when these pins were taken. */
  version: string;
  /** Keyed by itemKey: `tool:search`, `prompt:summarise`, `resourceTemplate:file`. */
  items: Record<string, PinnedItem>;
}

export interface LockPins {
  formatVersion: number;
  hash: string;
  items: Record<string, string>;
}

export function itemKey(kind: ItemKind, name: string): string {
  return `${kind}:${name}`;
}

/** NFKC for every string, keys sorted, undefined dropped: the one canonical form that is hashed and compared. */
export function normalise(value: unknown): unknown {
  if (typeof value === 'string') return value.normalize('NFKC');
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const field = (value as Record<string, unknown>)[key];
      if (field !== undefined) out[key.normalize('NFKC')] = normalise(field);
    }
    return out;
  }
  return value;
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text).digest('hex')}`;
}

/** JSON of a normalised value: its keys are already sorted, so the text is canonical. */
function canonical(value: unknown): string {
  return JSON.stringify(value);
}

/** The items of a handshake's lists; nameless entries are dropped (a client cannot call them either). */
export function surfaceItems(raw: RawSurface): SurfaceItem[] {
  const items: SurfaceItem[] = [];
  const add = (kind: ItemKind, list: unknown[]) => {
    for (const entry of list) {
      if (!entry || typeof entry !== 'object') continue;
      const picked: Record<string, unknown> = {};
      for (const field of FIELDS[kind]) picked[field] = (entry as Record<string, unknown>)[field];
      const value = normalise(picked) as Record<string, unknown>;
      if (typeof value.name === 'string') items.push({ kind, name: value.name, value });
    }
  };
  add('tool', raw.tools);
  add('prompt', raw.prompts);
  add('resourceTemplate', raw.resourceTemplates);
  return items;
}

export function hashItem(item: SurfaceItem): string {
  return sha256(canonical({ kind: item.kind, value: item.value }));
}

function wholeHash(hashes: Record<string, string>): string {
  return sha256(Object.keys(hashes).sort().map((key) => `${key} ${hashes[key]}\n`).join(''));
}

export function pinSurface(raw: RawSurface, at: { version: string; now: Date }): Pins {
  const items: Record<string, PinnedItem> = {};
  for (const item of surfaceItems(raw)) items[itemKey(item.kind, item.name)] = { ...item, hash: hashItem(item) };
  return { formatVersion: PINS_FORMAT, hash: wholeHash(hashesOf(items)), pinnedAt: at.now.toISOString(), version: at.version, items };
}

function hashesOf(items: Record<string, PinnedItem>): Record<string, string> {
  return Object.fromEntries(Object.keys(items).sort().map((key) => [key, items[key]!.hash]));
}

/** What mcpm-lock.json records: the hashes, not the descriptions (the lock stays readable in a review). */
export function lockPins(pins: Pins): LockPins {
  return { formatVersion: pins.formatVersion, hash: pins.hash, items: hashesOf(pins.items) };
}

/** Pins with one item taken from `live` (or dropped, when live has none of that name): `trust accept --tool`. */
export function acceptItems(pins: Pins, live: Pins, keys: string[], now: Date): Pins {
  const items = { ...pins.items };
  for (const key of keys) {
    if (live.items[key]) items[key] = live.items[key]!;
    else delete items[key];
  }
  return { ...pins, items, hash: wholeHash(hashesOf(items)), pinnedAt: now.toISOString(), version: live.version };
}

export interface ItemChange {
  key: string;
  kind: ItemKind;
  name: string;
  change: 'added' | 'removed' | 'changed';
  /** For `changed`: which fields differ (description, inputSchema, ...). */
  fields?: string[];
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

/** Every difference between the pins and the live surface, in key order. Empty: no drift. */
export function diffPins(pinned: Pins, live: Pins): ItemChange[] {
  const keys = [...new Set([...Object.keys(pinned.items), ...Object.keys(live.items)])].sort();
  const changes: ItemChange[] = [];
  for (const key of keys) {
    const before = pinned.items[key];
    const after = live.items[key];
    const { kind, name } = (before ?? after)!;
    if (!before) changes.push({ key, kind, name, change: 'added', after: after!.value });
    else if (!after) changes.push({ key, kind, name, change: 'removed', before: before.value });
    else if (before.hash !== after.hash) {
      // A pin read from a lock has its hash only: which fields changed is not known then.
      const known = Object.keys(before.value).length > 0;
      const fields = known
        ? [...new Set([...Object.keys(before.value), ...Object.keys(after.value)])].filter((field) => canonical(before.value[field]) !== canonical(after.value[field])).sort()
        : [];
      changes.push({ key, kind, name, change: 'changed', fields, before: before.value, after: after.value });
    }
  }
  return changes;
}

const KIND_WORD: Record<ItemKind, string> = { tool: 'tool', prompt: 'prompt', resourceTemplate: 'resource template' };

/** One line naming what changed: `tool search changed (description); tool delete added`. */
export function describeChanges(changes: ItemChange[]): string {
  return changes
    .map((c) => `${KIND_WORD[c.kind]} ${c.name} ${c.change}${c.fields?.length ? ` (${c.fields.join(', ')})` : ''}`)
    .join('; ');
}

/** The tool names a guard withholds: tools added or changed since they were pinned (removed ones are gone anyway). */
export function driftedTools(changes: ItemChange[]): string[] {
  return changes.filter((c) => c.kind === 'tool' && c.change !== 'removed').map((c) => c.name);
}

/** Whether these pins can be compared (taken by a format this mcpm understands). */
export function comparable(pins: Pins | undefined): pins is Pins {
  return pins !== undefined && pins.formatVersion === PINS_FORMAT && typeof pins.items === 'object';
}

/** Pins as a lock keeps them (hashes only), e.g. a project's committed lock: comparable, not displayable. */
export function pinsFromLock(locked: LockPins, version: string, now: Date): Pins {
  const items: Record<string, PinnedItem> = {};
  for (const [key, hash] of Object.entries(locked.items)) {
    const at = key.indexOf(':');
    items[key] = { kind: key.slice(0, at) as ItemKind, name: key.slice(at + 1), hash, value: {} };
  }
  return { formatVersion: locked.formatVersion, hash: locked.hash, pinnedAt: now.toISOString(), version, items };
}

export function hashTool(tool: unknown): string | undefined {
  const item = surfaceItems({ tools: [tool], prompts: [], resourceTemplates: [] })[0];
  return item ? hashItem(item) : undefined;
}
