import rcompare from 'semver/functions/rcompare.js';
import validVersion from 'semver/functions/valid.js';
import type { ServerVersion } from './types.js';

/** Of several versions of one server, the one the registry calls latest (isLatest, else the highest, else newest). */
export function pickLatest(versions: ServerVersion[]): ServerVersion | undefined {
  const live = versions.filter((entry) => entry.meta.status !== 'deleted');
  // Several flagged (a cache that has seen the new latest but not yet the old one's update): the newest published.
  const flagged = live.filter((entry) => entry.meta.isLatest === true);
  if (flagged.length > 0) return flagged.reduce((a, b) => ((b.meta.publishedAt ?? '') >= (a.meta.publishedAt ?? '') ? b : a));
  const valid = live.filter((entry) => validVersion(entry.server.version));
  if (valid.length > 0) return valid.sort((a, b) => rcompare(a.server.version, b.server.version))[0];
  return [...live].sort((a, b) => (b.meta.publishedAt ?? '').localeCompare(a.meta.publishedAt ?? ''))[0];
}

/** One entry per server name: its latest version. Keeps the order in which names first appear. */
export function latestOfEach(entries: ServerVersion[]): ServerVersion[] {
  const byName = new Map<string, ServerVersion[]>();
  for (const entry of entries) {
    const list = byName.get(entry.server.name);
    if (list) list.push(entry);
    else byName.set(entry.server.name, [entry]);
  }
  return [...byName.values()].flatMap((list) => pickLatest(list) ?? []);
}
