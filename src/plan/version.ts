import maxSatisfying from 'semver/ranges/max-satisfying.js';
import validVersion from 'semver/functions/valid.js';
import validRange from 'semver/ranges/valid.js';
import { McpmError } from '../errors.js';
import { pickLatest } from '../registry/latest.js';
import type { ServerVersion } from '../registry/types.js';

/**
 * Chooses the version to install. No range: the registry's latest. A range: the highest version it allows that is
 * not deleted. A version that is not semver ("latest", "2024-06-01") matches only a range spelled exactly like it.
 */
export function selectVersion(name: string, versions: ServerVersion[], range: string | undefined): ServerVersion {
  const live = versions.filter((entry) => entry.meta.status !== 'deleted');
  if (!range) {
    const latest = pickLatest(live);
    if (latest) return latest;
    throw noVersion(name, 'any version', versions);
  }
  const exact = live.find((entry) => entry.server.version === range);
  if (exact) return exact;
  if (validRange(range)) {
    const candidates = live.filter((entry) => validVersion(entry.server.version));
    const best = maxSatisfying(candidates.map((entry) => entry.server.version), range);
    const chosen = candidates.find((entry) => entry.server.version === best);
    if (chosen) return chosen;
  }
  throw noVersion(name, range, versions);
}

function noVersion(name: string, wanted: string, versions: ServerVersion[]): McpmError {
  const available = versions.filter((entry) => entry.meta.status !== 'deleted').map((entry) => entry.server.version);
  return new McpmError('ENOVERSION', `No version of ${name} matches ${wanted}`, {
    hint: available.length > 0
      ? `Available: ${available.slice(-10).join(', ')}. Run \`mcpm info ${name}\` to see them all.`
      : `${name} has no installable version in this registry.`,
  });
}

/**
 * `name@range`. Server names never contain "@", so the first one after the start separates the range (an npm
 * package name `@scope/pkg` keeps its own). `@latest` is the word npm users type for "the newest": the version the
 * registry marks latest, as with no range at all (the only tag MCP registries mark).
 */
export function parseNameSpec(spec: string): { name: string; range?: string } {
  const at = spec.indexOf('@', 1);
  if (at === -1) return { name: spec };
  const range = spec.slice(at + 1).trim();
  return { name: spec.slice(0, at), range: range === '' || range.toLowerCase() === 'latest' ? undefined : range };
}

/** With no range given, the recorded range is ^version for a semver version and the exact version otherwise. */
export function recordedRange(range: string | undefined, version: string): string {
  if (range) return range;
  return /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version) ? `^${version}` : version;
}
