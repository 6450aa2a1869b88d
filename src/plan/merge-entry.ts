import { isDeepStrictEqual } from 'node:util';

/**
 * Pure: an entry mcpm rewrites (update, reinstall, doctor --fix, adopt) keeps everything mcpm does not own.
 *
 * mcpm owns the launch: the fields its renderer writes (command, args, type, url, ...), and in the environment and
 * header maps the keys it wrote. Everything else on the entry is the user's or the client's and survives every
 * rewrite: a client's own switch and settings (Cline `disabled`, `autoApprove`, `alwaysAllow`, `timeout`; Goose
 * `enabled`), a `cwd`, an extra environment variable added by hand. Fields such as `enabled` and `timeout` that
 * mcpm writes only as a starting value are the user's once the entry exists.
 */
const MAPS = new Set(['env', 'envs', 'environment', 'headers', 'http_headers']);
const STARTING_VALUES = new Set(['enabled', 'disabled', 'timeout', 'description']);

type Entry = Record<string, unknown>;

const isObject = (value: unknown): value is Entry => typeof value === 'object' && value !== null && !Array.isArray(value);

export interface MergedEntry {
  value: Entry;
  /** Fields mcpm owns that were changed in the file since mcpm wrote them (they are replaced: the caller says so). */
  userChanged: string[];
}

/**
 * `existing`: the entry in the file now; `ours`: what mcpm renders now; `written`: what mcpm wrote last time (none
 * for a first install or an adopted entry: then every key of a map that mcpm does not write now is the user's).
 * `inputs`: the names of the inputs mcpm delivers (a secret one from the secrets file, so not in `ours`): a key of
 * that name is mcpm's even when added by hand, so a secret pasted into the entry does not survive a rewrite.
 */
export function mergeEntry(existing: unknown, ours: Entry, written?: unknown, secrets: string[] = [], inputs: string[] = []): MergedEntry {
  if (!isObject(existing)) return { value: ours, userChanged: [] };
  const before = isObject(written) ? written : undefined;
  const userChanged: string[] = [];
  // `written` is kept with secret values masked (mcpm's state never holds them): compare what is in the file the same way.
  const same = (a: unknown, b: unknown) => equal(maskSecrets(a, secrets), maskSecrets(b, secrets));
  const resolve = (field: string): unknown => {
    const mine = ours[field];
    const current = existing[field];
    if (STARTING_VALUES.has(field) && current !== undefined) return current;
    if (MAPS.has(field) && isObject(mine)) return { ...userKeys(current, before?.[field], mine, inputs), ...mine };
    if (before && Object.hasOwn(before, field) && current !== undefined && !same(current, before[field]) && !same(current, mine)) userChanged.push(field);
    return mine;
  };
  // The file's order of fields is kept: owned ones are replaced where they stand, new ones go at the end.
  const value: Entry = {};
  for (const [field, current] of Object.entries(existing)) {
    if (Object.hasOwn(ours, field)) value[field] = resolve(field);
    else if (MAPS.has(field) && isObject(current)) {
      // A map mcpm no longer writes (the server needs no environment now) keeps the keys the user added to it.
      const extra = userKeys(current, before?.[field], {}, inputs);
      if (Object.keys(extra).length > 0) value[field] = extra;
    } else if (!before || !Object.hasOwn(before, field)) value[field] = current;
  }
  for (const field of Object.keys(ours)) if (!Object.hasOwn(value, field)) value[field] = resolve(field);
  return { value, userChanged };
}

/** The keys of a map in the file that are not mcpm's: not written by mcpm last time, not written now, no input's. */
function userKeys(current: unknown, written: unknown, mine: Entry, inputs: string[]): Entry {
  if (!isObject(current)) return {};
  const mcpms = isObject(written) ? written : {};
  return Object.fromEntries(Object.entries(current).filter(([key]) => !Object.hasOwn(mine, key) && !Object.hasOwn(mcpms, key) && !inputs.includes(key)));
}

/** What starts a server, in any client's shape: what mcpm takes over when it adopts an entry (settings stay). */
const LAUNCH = ['command', 'args', 'cmd', 'env', 'envs', 'environment', 'type', 'url', 'serverUrl', 'httpUrl', 'uri', 'headers', 'http_headers', 'requestOptions', 'source'];

/** The launch fields of an entry mcpm adopts, as if mcpm had written them: replaced, while its settings stay. */
export function adoptedLaunch(existing: unknown): Entry | undefined {
  if (!isObject(existing)) return undefined;
  return Object.fromEntries(LAUNCH.filter((field) => Object.hasOwn(existing, field)).map((field) => [field, existing[field]]));
}

function equal(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a ?? null)), JSON.parse(JSON.stringify(b ?? null)));
}

/** How a secret value is written wherever mcpm shows or keeps an entry. */
export const MASKED = '<secret>';

/** A value with every occurrence of the given secret values replaced by MASKED, in every string inside it. */
export function maskSecrets<T>(value: T, secrets: string[]): T {
  const values = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  if (values.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return values.reduce((text, secret) => text.split(secret).join(MASKED), v);
    if (Array.isArray(v)) return v.map(walk);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, walk(inner)]));
    return v;
  };
  return walk(value) as T;
}
