import path from 'node:path';
import { McpmError } from '../errors.js';
import { readTextIfExists, withFileLock, writeFileAtomicSafe } from '../state/files.js';
import type { InstallPlan } from './install-apply.js';
import { storeTree, updateLock } from '../state/lockfile.js';
import type { ArgValues } from '../plan/request.js';

/**
 * A project's `mcpm.json`: what the project asked for (server, range, registry, non-secret inputs, clients), so the
 * setup can be reproduced. Secrets are never written here.
 */
export interface ProjectManifest {
  formatVersion: number;
  servers: Record<string, { range: string; registry: string; key: string; clients: string[]; env?: Record<string, string>; args?: ArgValues; secrets?: string[] }>;
}

export function manifestPath(projectDir: string): string {
  return path.join(projectDir, 'mcpm.json');
}

export async function updateProjectManifest(projectDir: string, change: (manifest: ProjectManifest) => void): Promise<void> {
  const file = manifestPath(projectDir);
  await withFileLock(file, async () => {
    const text = await readTextIfExists(file);
    let manifest: ProjectManifest = { formatVersion: 1, servers: {} };
    if (text !== undefined) {
      try {
        manifest = { formatVersion: 1, servers: {}, ...(JSON.parse(text) as Partial<ProjectManifest>) } as ProjectManifest;
      } catch {
        throw new McpmError('EPARSE', `${file} is not valid JSON`, { hint: 'Fix it by hand; mcpm left it untouched.' });
      }
    }
    change(manifest);
    await writeFileAtomicSafe(file, `${JSON.stringify(manifest, null, 2)}\n`);
  });
}

/** With no range given, the recorded range is ^version for a semver version and the exact version otherwise. */
export function recordedRange(range: string | undefined, version: string): string {
  if (range) return range;
  return /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version) ? `^${version}` : version;
}

/**
 * Records an install in a setup's manifest (what was asked) and lock file (what was resolved): a project's
 * mcpm.json + mcpm-lock.json, or the same two files for the user's global setup in mcpm's state folder.
 */
export async function recordSetup(
  dir: string,
  plan: InstallPlan,
  scope: 'user' | 'project',
  installed?: { storePath?: string; integrity?: string; record?: { image?: string; fileSha256?: string } },
): Promise<void> {
  await updateProjectManifest(dir, (manifest) => {
    manifest.servers[plan.server] = {
      range: recordedRange(plan.range, plan.version),
      registry: plan.registry,
      key: plan.key,
      clients: plan.targets.filter((t) => t.location.scope === scope).map((t) => t.location.client.id),
      ...(Object.keys(plan.env).length ? { env: plan.env } : {}),
      ...(Object.keys(plan.args).length ? { args: plan.args } : {}),
      ...(Object.keys(plan.secretEnv).length + Object.keys(plan.secretArgs).length ? { secrets: [...Object.keys(plan.secretEnv), ...Object.keys(plan.secretArgs)] } : {}),
    };
  });
  const dependencies = installed?.storePath && plan.source.kind === 'npm' ? await storeTree(installed.storePath) : undefined;
  await updateLock(dir, (lock) => {
    lock.servers[plan.server] = {
      version: plan.version,
      registry: plan.registry,
      ...(plan.source.kind === 'npm'
        ? { package: { ...plan.source.package, ...(installed?.integrity ? { integrity: installed.integrity } : {}) }, ...(dependencies ? { dependencies } : {}) }
        : plan.source.kind === 'package'
          ? // The pinned image (with its digest) and the bundle's checksum are what resolved means for these types.
            { package: { ...plan.source.package, ...(installed?.record?.image ? { image: installed.record.image } : {}), ...(installed?.record?.fileSha256 ? { fileSha256: installed.record.fileSha256 } : {}) } }
          : { remote: { transport: plan.targets[0]?.remote?.type ?? 'streamable-http', url: plan.targets[0]?.remote?.url ?? '' } }),
    };
  });
}

export async function forgetSetup(dir: string, name: string): Promise<void> {
  await updateProjectManifest(dir, (manifest) => {
    delete manifest.servers[name];
  });
  await updateLock(dir, (lock) => {
    delete lock.servers[name];
  });
}
