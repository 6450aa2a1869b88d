import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import coerce from 'semver/functions/coerce.js';
import versionGte from 'semver/functions/gte.js';
import versionLt from 'semver/functions/lt.js';
import { platformKey, resolveTemplate, type PathEnv } from './paths.js';
import { unsupportedReason, type ClientDefinition, type Marker } from './table.js';

export type Scope = 'user' | 'project';

export interface ClientLocation {
  client: ClientDefinition;
  /** The file mcpm edits for this client ('' where it has none on this OS). */
  file: string;
  scope: Scope;
  /** Whether the client looks installed: its config file exists, or one of its own markers (never a folder mcpm made). */
  detected: boolean;
  /** Why mcpm will not write this client's file here, if it will not. */
  unsupported?: string;
}

/**
 * What locating asks of the file system. Passed in so tests can describe any machine; `list` (a folder's entry
 * names) is only needed for editor-extension markers.
 */
export interface Probe {
  exists(p: string): boolean;
  list(dir: string): string[];
}

export const realProbe: Probe = {
  exists: existsSync,
  list: (dir) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
};

function flavour(where: PathEnv): path.PlatformPath {
  return where.platform === 'win32' ? path.win32 : path.posix;
}

/** Whether an executable named `program` is on the PATH the environment gives (with PATHEXT on Windows). */
function onPath(program: string, where: PathEnv, probe: Probe): boolean {
  const win = where.platform === 'win32';
  const dirs = (where.env.PATH ?? where.env.Path ?? '').split(win ? ';' : ':').filter(Boolean);
  const exts = win ? ['', ...(where.env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').map((e) => e.toLowerCase())] : [''];
  return dirs.some((dir) => exts.some((ext) => probe.exists(flavour(where).join(dir, program + ext))));
}

/** Whether an editor extension is installed (`<dir>/<id>-<version>`), within the marker's version range. */
function extensionInstalled(marker: Extract<Marker, { extension: string }>, where: PathEnv, probe: Probe): boolean {
  const dir = resolveTemplate(marker.extensionsDir, where);
  if (!dir) return false;
  const prefix = `${marker.extension.toLowerCase()}-`;
  return probe.list(dir).some((entry) => {
    if (!entry.toLowerCase().startsWith(prefix)) return false;
    // Folder names carry a platform suffix on some builds (1.2.3-darwin-arm64): the version is what semver reads.
    const version = coerce(entry.slice(prefix.length), { includePrerelease: false })?.version;
    if (!version) return marker.atLeast === undefined && marker.below === undefined;
    return (!marker.atLeast || versionGte(version, marker.atLeast)) && (!marker.below || versionLt(version, marker.below));
  });
}

export function markerHolds(marker: Marker, where: PathEnv, probe: Probe): boolean {
  if (typeof marker === 'string') {
    const resolved = resolveTemplate(marker, where);
    return resolved !== undefined && probe.exists(resolved);
  }
  if ('program' in marker) return onPath(marker.program, where, probe);
  return extensionInstalled(marker, where, probe);
}

interface Candidate {
  file: string;
  /** A marker that selects this candidate (and without which it does not count). */
  when?: Marker;
}

function candidates(client: ClientDefinition, where: PathEnv): Candidate[] {
  return client.files[platformKey(where.platform)].flatMap((candidate) => {
    const file = resolveTemplate(typeof candidate === 'string' ? candidate : candidate.path, where);
    if (!file) return [];
    return [typeof candidate === 'string' ? { file } : { file, when: candidate.when }];
  });
}

function asProbe(probe: Probe | ((p: string) => boolean)): Probe {
  return typeof probe === 'function' ? { exists: probe, list: () => [] } : probe;
}

/**
 * Where a client's file is for a scope. User scope: among the candidates that count (a candidate with `when` only
 * while its marker holds), the first whose file exists, else the first selected by its marker, else the first whose
 * folder exists, else the last (most general) one. Project scope: the client's project file in the current folder
 * (undefined for a client without one). Detection never looks at the folders of the files mcpm writes: mcpm creates
 * those itself when the user names a client.
 */
export function locateClient(
  client: ClientDefinition,
  where: PathEnv,
  scope: Scope = 'user',
  probe: Probe | ((p: string) => boolean) = realProbe,
): ClientLocation | undefined {
  const fs = asProbe(probe);
  const os = platformKey(where.platform);
  const unsupported = unsupportedReason(client, os);
  const found = candidates(client, where).filter((c) => !c.when || markerHolds(c.when, where, fs));
  const markers = client.detect[os] ?? [];
  const detected = found.some((c) => fs.exists(c.file)) || markers.some((marker) => markerHolds(marker, where, fs));
  const extra = unsupported ? { unsupported } : {};
  if (scope === 'project') {
    if (!client.projectFile) return undefined;
    return { client, file: flavour(where).join(where.cwd, ...client.projectFile.split('/')), scope, detected, ...extra };
  }
  const present =
    found.find((c) => fs.exists(c.file)) ?? found.find((c) => c.when) ?? found.find((c) => fs.exists(flavour(where).dirname(c.file)));
  return { client, file: (present ?? found[found.length - 1])?.file ?? '', scope, detected, ...extra };
}
