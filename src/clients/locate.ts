import { existsSync } from 'node:fs';
import path from 'node:path';
import { platformKey, resolveTemplate, type PathEnv } from './paths.js';
import type { ClientDefinition } from './table.js';

export interface ClientLocation {
  client: ClientDefinition;
  /** The file mcpm edits for this client. */
  file: string;
  /** Whether the client looks installed: one of its config folders exists. */
  detected: boolean;
}

/** Pure: the candidate files of a client on a platform. */
export function candidateFiles(client: ClientDefinition, where: PathEnv): string[] {
  return client.files[platformKey(where.platform)].flatMap((template) => resolveTemplate(template, where) ?? []);
}

export function locateClient(client: ClientDefinition, where: PathEnv, exists: (p: string) => boolean = existsSync): ClientLocation {
  const candidates = candidateFiles(client, where);
  const present = candidates.find((file) => exists(file)) ?? candidates.find((file) => exists(dirnameFor(file, where)));
  return { client, file: present ?? candidates[candidates.length - 1]!, detected: present !== undefined };
}

function dirnameFor(file: string, where: PathEnv): string {
  return (where.platform === 'win32' ? path.win32 : path.posix).dirname(file);
}
