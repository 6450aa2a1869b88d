import { readFileSync } from 'node:fs';
import { McpmError, usageError } from '../errors.js';
import { parseData } from '../json.js';
import { readLock } from '../state/lockfile.js';
import { deriveContext, type Context } from '../context.js';
import { install } from '../install/index.js';
import { manifestPath, type ProjectManifest } from '../state/manifest.js';

/**
 * `mcpm install` with no name, in a project: installs exactly what mcpm-lock.json says (the locked version, the
 * registry it came from first, the locked dependency tree and integrity) into the clients' project files. Servers
 * in mcpm.json that the lock does not have yet are resolved from their range. Secrets are asked for, never read
 * from these files.
 */
export async function installProject(ctx: Context, options: { env?: string[]; arg?: string[]; allowScripts?: boolean; acceptTools?: boolean }) {
  const dir = ctx.project;
  if (!dir) {
    throw usageError('install needs a server name here', 'Give one (`mcpm install memory`), or run it in a project that has an mcpm.json.');
  }
  let manifest: ProjectManifest;
  try {
    manifest = parseData(readFileSync(manifestPath(dir), 'utf8')) as ProjectManifest;
  } catch {
    throw new McpmError('EPARSE', `${manifestPath(dir)} is not valid JSON`, { hint: 'Fix it by hand; mcpm left it untouched.' });
  }
  const lock = await readLock(dir);
  const results = [];
  for (const [name, wanted] of Object.entries(manifest.servers ?? {})) {
    const locked = lock.servers[name];
    // The registry the lock (else the manifest) names, and no other: the name may mean another publisher elsewhere.
    const projectCtx = deriveContext(ctx, { cwd: dir, registry: locked?.registry ?? wanted.registry });
    const result = await install(projectCtx, `${name}@${locked?.version ?? wanted.range}`, {
      client: wanted.clients,
      scope: 'project',
      as: wanted.key,
      env: [...Object.entries(wanted.env ?? {}).map(([k, v]) => `${k}=${v}`), ...(options.env ?? [])],
      arg: [...Object.entries(wanted.args ?? {}).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((one) => `${k}=${one}`)), ...(options.arg ?? [])],
      allowScripts: options.allowScripts,
      ...(options.acceptTools ? { acceptTools: true } : {}),
      recordRange: wanted.range,
      ...(locked?.package ? { lock: { integrity: locked.package.integrity, packages: locked.dependencies, ...(locked.supply ? { supply: locked.supply } : {}) } } : {}),
    });
    results.push(result);
  }
  return { project: dir, servers: results };
}
