import { existsSync } from 'node:fs';
import path from 'node:path';
import { platformKey, resolveTemplate, type PathEnv } from './paths.js';
import type { ClientDefinition } from './table.js';

export type Scope = 'user' | 'project';

export interface ClientLocation {
  client: ClientDefinition;
  /** The file mcpm edits for this client. */
  file: string;
  scope: Scope;
  /** Whether the client looks installed: its config file or folder exists. */
  detected: boolean;
}

function flavour(where: PathEnv): path.PlatformPath {
  return where.platform === 'win32' ? path.win32 : path.posix;
}

interface Candidate {
  file: string;
  /** The folder whose existence selects this candidate. */
  marker: string;
}

function candidates(client: ClientDefinition, where: PathEnv): Candidate[] {
  return client.files[platformKey(where.platform)].flatMap((candidate) => {
    const file = resolveTemplate(typeof candidate === 'string' ? candidate : candidate.path, where);
    const marker = typeof candidate === 'string' ? file && flavour(where).dirname(file) : resolveTemplate(candidate.when, where);
    return file && marker ? [{ file, marker }] : [];
  });
}


function detectionFolders(client: ClientDefinition, where: PathEnv): string[] {
  const templates = client.detect?.[platformKey(where.platform)];
  if (templates) return templates.flatMap((template) => resolveTemplate(template, where) ?? []);
  return candidates(client, where).map((c) => c.marker);
}

/**
 * Where a client's file is for a scope. User scope: the first candidate that exists, else the first whose folder
 * exists, else the last (most general) one. Project scope: the client's project file in the current folder
 * (undefined for a client without one).
 */
export function locateClient(
  client: ClientDefinition,
  where: PathEnv,
  scope: Scope = 'user',
  exists: (p: string) => boolean = existsSync,
): ClientLocation | undefined {
  const found = candidates(client, where);
  const detected = found.some((c) => exists(c.file)) || detectionFolders(client, where).some((folder) => exists(folder));
  if (scope === 'project') {
    if (!client.projectFile) return undefined;
    return { client, file: flavour(where).join(where.cwd, ...client.projectFile.split('/')), scope, detected };
  }
  const present = found.find((c) => exists(c.file)) ?? found.find((c) => exists(c.marker));
  return { client, file: (present ?? found[found.length - 1]!).file, scope, detected };
}
