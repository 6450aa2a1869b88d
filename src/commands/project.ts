import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { readTextIfExists, withFileLock, writeFileAtomicSafe } from '../state/files.js';
import type { InstallPlan } from './install-apply.js';

/**
 * A project's `mcpm.json`: what the project asked for (server, range, registry, non-secret inputs, clients), so the
 * setup can be reproduced. Secrets are never written here.
 */
export interface ProjectManifest {
  formatVersion: number;
  servers: Record<string, { range: string; registry: string; key: string; clients: string[]; env?: Record<string, string>; args?: Record<string, string>; secrets?: string[] }>;
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

export async function recordInProject(ctx: Context, plan: InstallPlan): Promise<void> {
  await updateProjectManifest(ctx.cwd, (manifest) => {
    manifest.servers[plan.server] = {
      range: recordedRange(plan.range, plan.version),
      registry: plan.registry,
      key: plan.key,
      clients: plan.targets.filter((t) => t.location.scope === 'project').map((t) => t.location.client.id),
      ...(Object.keys(plan.env).length ? { env: plan.env } : {}),
      ...(Object.keys(plan.args).length ? { args: plan.args } : {}),
      ...(Object.keys(plan.secretEnv).length + Object.keys(plan.secretArgs).length ? { secrets: [...Object.keys(plan.secretEnv), ...Object.keys(plan.secretArgs)] } : {}),
    };
  });
}
