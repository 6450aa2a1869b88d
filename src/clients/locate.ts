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

/** Pure: the candidate user-scope files of a client on a platform. */
export function candidateFiles(client: ClientDefinition, where: PathEnv): string[] {
  return client.files[platformKey(where.platform)].flatMap((template) => resolveTemplate(template, where) ?? []);
}

function detectionFolders(client: ClientDefinition, where: PathEnv): string[] {
  const templates = client.detect?.[platformKey(where.platform)];
  if (templates) return templates.flatMap((template) => resolveTemplate(template, where) ?? []);
  return candidateFiles(client, where).map((file) => flavour(where).dirname(file));
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
  const candidates = candidateFiles(client, where);
  const detected = candidates.some((file) => exists(file)) || detectionFolders(client, where).some((folder) => exists(folder));
  if (scope === 'project') {
    if (!client.projectFile) return undefined;
    return { client, file: flavour(where).join(where.cwd, ...client.projectFile.split('/')), scope, detected };
  }
  const present = candidates.find((file) => exists(file)) ?? candidates.find((file) => exists(flavour(where).dirname(file)));
  return { client, file: present ?? candidates[candidates.length - 1]!, scope, detected };
}
