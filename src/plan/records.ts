import type { ManagedEntry, InstalledServer } from '../state/installed.js';
import type { LockedServer } from '../state/lockfile.js';
import type { ProjectManifest } from '../state/manifest.js';
import type { InstallPlan } from './install.js';
import type { ServerJson } from '../registry/types.js';
import type { PreparedSource } from './prepared-source.js';
import { preferredRemote } from './remote.js';
import type { StoredPackage } from './store-action.js';
import { recordedRange } from './version.js';

/**
 * Pure: what an install records once its entries are written: the state's record of the server, the manifest's
 * (what was asked) and the lock's (what was resolved).
 */

/** Beyond the registry's package fields: the runtime's absolute path, the pinned image, the bundle's checksum. */
export function runtimeRecord(source: PreparedSource, stored: StoredPackage): { runtime?: string; image?: string; fileSha256?: string } {
  switch (source.kind) {
    case 'pypi':
      return { runtime: source.uvx };
    case 'oci':
      return { runtime: source.engine, ...(stored.image ? { image: stored.image } : {}) };
    case 'nuget':
      return { runtime: source.dnx };
    case 'mcpb':
      return { runtime: source.command, fileSha256: source.pkg.fileSha256!.toLowerCase() };
    default:
      return {};
  }
}

export function serverRecord(
  plan: InstallPlan,
  stored: StoredPackage,
  entries: ManagedEntry[],
  before: InstalledServer | undefined,
  now: string,
  launch?: InstalledServer['launch'],
): InstalledServer {
  const { source } = plan;
  const project = plan.scope === 'project' && plan.project ? { [plan.project]: { version: plan.version, ...(stored.storePath ? { storePath: stored.storePath } : {}), ...(launch ? { launch } : {}) } } : undefined;
  // A project's install leaves the user's own installation as it is (another version, maybe): it adds its entries
  // and the version its lock pins, which `mcpm run` starts in that project.
  if (project && before && before.entries.some((e) => e.scope !== 'project')) {
    return { ...before, entries: mergeEntries(before.entries, entries), projects: { ...before.projects, ...project } };
  }
  // The version replaced stays in the store for rollback (until prune), when it had a store folder.
  const kept = before && before.version !== plan.version && before.storePath
    ? [...before.previousVersions.filter((v) => v !== plan.version), before.version]
    : before?.previousVersions ?? [];
  return {
    name: plan.server,
    version: plan.version,
    ...(plan.range !== undefined ? { range: plan.range } : {}),
    registry: plan.registry,
    ...(source.kind === 'npm'
      ? { package: { ...plan.package!, registryType: 'npm' }, storePath: stored.storePath, bin: stored.bin, packageArguments: source.pkg.packageArguments ?? [], ...(plan.inputs.extraArgs ? { extraArgs: plan.inputs.extraArgs } : {}) }
      : source.kind === 'remote'
        ? { remote: remoteRecord(source) }
        : { package: { ...plan.package!, ...runtimeRecord(source, stored) }, ...(stored.storePath ? { storePath: stored.storePath } : {}) }),
    env: plan.inputs.env,
    args: plan.inputs.args,
    secretEnv: Object.keys(plan.inputs.secretEnv),
    ...(Object.keys(plan.inputs.secretArgs).length ? { secretArgs: Object.keys(plan.inputs.secretArgs) } : {}),
    ...(plan.profile !== 'default' ? { profile: plan.profile } : {}),
    inputsByProfile: { ...before?.inputsByProfile, [plan.profile]: { env: plan.inputs.env, args: plan.inputs.args } },
    entries: mergeEntries(before?.entries ?? [], entries),
    previousVersions: kept,
    server: plan.serverJson,
    ...(kept.length ? { previousServers: keptServers(before, kept) } : {}),
    ...(launch ? { launch } : {}),
    ...(stored.supply ? { supply: stored.supply } : {}),
    ...(project || before?.projects ? { projects: { ...before?.projects, ...project } } : {}),
    installedAt: now,
  };
}

/** The recorded server.json of each version kept for rollback (the one replaced now included, when known). */
function keptServers(before: InstalledServer | undefined, kept: string[]): Record<string, ServerJson> {
  const known: Record<string, ServerJson> = { ...before?.previousServers, ...(before?.server ? { [before.version]: before.server } : {}) };
  return Object.fromEntries(kept.flatMap((version) => (known[version] ? [[version, known[version]!] as const] : [])));
}

/** What `mcpm run` and `mcpm login` connect to: the preferred remote, with its definition to fill at start. */
function remoteRecord(source: Extract<PreparedSource, { kind: 'remote' }>): NonNullable<InstalledServer['remote']> {
  const remote = preferredRemote(source.remotes)!;
  return { transport: remote.type === 'sse' ? 'sse' : 'streamable-http', url: remote.url ?? '', definition: remote };
}

/** Entries in files this install did not touch stay recorded; the ones it wrote replace their old records. */
function mergeEntries(before: ManagedEntry[], now: ManagedEntry[]): ManagedEntry[] {
  const same = (a: ManagedEntry, b: ManagedEntry) => a.client === b.client && a.file === b.file;
  return [...before.filter((old) => !now.some((entry) => same(old, entry))), ...now];
}

/** A setup's manifest entry: what was asked (secrets by name only). */
export function manifestRecord(plan: InstallPlan, scope: 'user' | 'project'): ProjectManifest['servers'][string] {
  const secrets = [...Object.keys(plan.inputs.secretEnv), ...Object.keys(plan.inputs.secretArgs)];
  // A project's manifest is committed: the values of inputs are the user's (a path in their home, their account),
  // so only their names go there; each machine gives its own (kept in its own state).
  const inputs = [...Object.keys(plan.inputs.env), ...Object.keys(plan.inputs.args)];
  return {
    range: recordedRange(plan.range, plan.version),
    registry: plan.registry,
    key: plan.key,
    clients: plan.targets.filter((t) => t.location.scope === scope).map((t) => t.location.client.id),
    ...(scope === 'user' && Object.keys(plan.inputs.env).length ? { env: plan.inputs.env } : {}),
    ...(scope === 'user' && Object.keys(plan.inputs.args).length ? { args: plan.inputs.args } : {}),
    ...(scope === 'project' && inputs.length ? { inputs } : {}),
    ...(secrets.length ? { secrets } : {}),
  };
}

/** A setup's lock entry: what was resolved (the npm tree with its integrity, the pinned image, the bundle's checksum). */
export function lockRecord(plan: InstallPlan, stored: StoredPackage, dependencies: Record<string, unknown> | undefined): LockedServer {
  const { source } = plan;
  const base = { version: plan.version, registry: plan.registry };
  if (source.kind === 'remote') {
    const remote = plan.targets[0]?.form.remote;
    return { ...base, remote: { transport: remote?.type ?? 'streamable-http', url: remote?.url ?? '' } };
  }
  if (source.kind === 'npm') {
    return { ...base, package: { ...plan.package!, ...(stored.integrity ? { integrity: stored.integrity } : {}) }, ...(dependencies ? { dependencies } : {}), ...(stored.supply ? { supply: stored.supply } : {}) };
  }
  const { image, fileSha256 } = runtimeRecord(source, stored);
  return { ...base, package: { ...plan.package!, ...(image ? { image } : {}), ...(fileSha256 ? { fileSha256 } : {}) } };
}
