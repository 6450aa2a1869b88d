import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { McpmError } from '../errors.js';
import { isSafeVersion, isValidServerName } from '../registry/types.js';

/**
 * `<store>/<namespace>/<name>/<version>/`: one immutable folder per installed version. Names and versions come from
 * registries, so they are checked against server.json's own rules before they become paths; nothing a registry
 * says can point outside the store.
 */
export function versionDir(store: string, serverName: string, version: string): string {
  assertSafe(serverName, version);
  return path.join(store, ...serverName.split('/'), version);
}

export function serverDir(store: string, serverName: string): string {
  assertSafe(serverName, '0');
  return path.join(store, ...serverName.split('/'));
}

export function assertSafe(serverName: string, version: string): void {
  // A namespace starting with a dot would land in mcpm's own folders (.staging, .cas).
  if (!isValidServerName(serverName) || serverName.startsWith('.')) {
    throw new McpmError('EINVALIDNAME', `Refusing the server name ${JSON.stringify(serverName.slice(0, 120))}`, {
      hint: 'Server names look like io.github.owner/name; the registry entry is malformed.',
    });
  }
  if (!isSafeVersion(version)) {
    throw new McpmError('EINVALIDNAME', `Refusing the version ${JSON.stringify(version.slice(0, 120))} of ${serverName}`, {
      hint: 'The registry entry is malformed; choose another version with name@version.',
    });
  }
}

export const STAGING = '.staging';
export const INSTALL_RECORD = 'mcpm-install.json';

/**
 * Every `<store>/<namespace>/<name>/<version>` folder. Folders whose name starts with a dot (staging, the content
 * store) are mcpm's own, never a namespace: server names cannot make one (see assertSafe).
 */
export async function listVersionDirs(store: string): Promise<string[]> {
  const list = async (dir: string) => (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => path.join(dir, d.name));
  const out: string[] = [];
  for (const namespace of await list(store)) {
    for (const name of await list(namespace)) out.push(...(await list(name)));
  }
  return out;
}
