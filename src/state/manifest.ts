import { McpmError } from '../errors.js';
import { parseData, record } from '../json.js';
import { readTextIfExists, withFileLock, writeFileAtomicSafe } from '../fs/files.js';
import { updateLock } from './lockfile.js';
import type { ArgValues } from '../plan/request.js';

/**
 * A project's `mcpm.json`: what the project asked for (server, range, registry, non-secret inputs, clients), so the
 * setup can be reproduced. Secrets are never written here.
 */
export interface ProjectManifest {
  formatVersion: number;
  servers: Record<string, { range: string; registry: string; key: string; clients: string[]; env?: Record<string, string>; args?: ArgValues; inputs?: string[]; secrets?: string[] }>;
}

import { manifestPath } from '../project.js';

export { findProjectRoot, manifestPath } from '../project.js';

/** `backup`: keep the last good copy beside it (mcpm's own global manifest; a project's is in version control). */
export async function updateProjectManifest(projectDir: string, change: (manifest: ProjectManifest) => void, options: { backup?: boolean } = {}): Promise<void> {
  const file = manifestPath(projectDir);
  await withFileLock(file, async () => {
    const text = await readTextIfExists(file);
    let manifest: ProjectManifest = { formatVersion: 1, servers: record() };
    if (text !== undefined) {
      try {
        const parsed = parseData(text) as Partial<ProjectManifest>;
        manifest = { formatVersion: parsed.formatVersion ?? 1, servers: parsed.servers ?? record() } as ProjectManifest;
      } catch {
        throw new McpmError('EPARSE', `${file} is not valid JSON`, { hint: 'Fix it by hand; mcpm left it untouched.' });
      }
    }
    change(manifest);
    const next = `${JSON.stringify(manifest, null, 2)}\n`;
    await writeFileAtomicSafe(file, next);
    if (options.backup) await writeFileAtomicSafe(`${file}.bak`, next);
  });
}

export async function forgetSetup(dir: string, name: string, options: { backup?: boolean } = {}): Promise<void> {
  await updateProjectManifest(dir, (manifest) => {
    delete manifest.servers[name];
  }, options);
  await updateLock(dir, (lock) => {
    delete lock.servers[name];
  }, options);
}
