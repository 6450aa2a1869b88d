import { rm } from 'node:fs/promises';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import type { ClientLocation } from '../clients/locate.js';
import { undoWrite, writeClientEntry, type AppliedWrite } from '../clients/write.js';
import { renderRemoteEntry, renderStdioEntry, type LaunchSpec } from '../plan/entry.js';
import { renderPackageArguments } from '../plan/inputs.js';
import { renderRemote, secretHeaderNames } from '../plan/remote.js';
import type { Package, Transport } from '../registry/types.js';
import { installNpmPackage, type InstalledVersion } from '../store/npm-install.js';
import { journalEdit, updateState, type InstalledServer, type ManagedEntry } from '../state/installed.js';
import type { EditRecord } from '../clients/format-editor.js';
import { readSecrets, removeSecrets, writeSecrets } from '../state/secrets.js';
import { recordInProject } from './project.js';
import { failpoint } from '../failpoints.js';

export interface InstallTarget {
  location: ClientLocation;
  key: string;
  /** An earlier run of this install was killed after recording this entry as pending: the entry is ours. */
  resumed?: boolean;
  /** The record of that earlier run's insertion, journaled before it wrote the file. */
  resumedRecord?: EditRecord;
  /** For a remote server: the transport this client speaks. */
  remote?: Transport;
  previousEntry?: ManagedEntry;
}

export interface InstallPlan {
  server: string;
  version: string;
  range?: string;
  registry: string;
  scope: 'user' | 'project';
  source:
    | { kind: 'npm'; package: { registryType: 'npm'; identifier: string; version: string; registryBaseUrl?: string }; definition: Package }
    | { kind: 'remote'; remotes: Transport[] };
  key: string;
  targets: InstallTarget[];
  env: Record<string, string>;
  secretEnv: Record<string, string>;
  args: Record<string, string>;
  previous?: InstalledServer;
}

/**
 * Carries out an install plan: store, secrets, client files, state, in that order. If a step fails, what the
 * earlier steps wrote is undone (client files restored, a new store version removed, secrets put back), so a
 * failed install leaves every file as it was.
 */
export async function applyInstall(ctx: Context, plan: InstallPlan, flags: { allowScripts: boolean; engineStrict: boolean; adopt?: boolean }) {
  const { source } = plan;
  const installed: InstalledVersion | undefined = source.kind === 'npm'
    ? await installNpmPackage(ctx, { serverName: plan.server, ...source.package, allowScripts: flags.allowScripts, engineStrict: flags.engineStrict })
    : undefined;
  const writes: AppliedWrite[] = [];
  const previousSecrets = plan.previous ? await readSecrets(ctx, plan.server) : {};
  try {
    const secretsPath = await writeSecrets(ctx, plan.server, plan.secretEnv);
    failpoint('after-secrets');
    // Journal first: if mcpm dies between the client writes and the state write, a rerun knows these entries.
    await updateState(ctx, (state) => {
      state.pending = { ...state.pending, [plan.server]: { entries: plan.targets.map((t) => ({ client: t.location.client.id, file: t.location.file, key: t.key, record: t.resumedRecord })), startedAt: new Date().toISOString() } };
    });
    const entryFor = entryRenderer(ctx, plan, installed, secretsPath);
    const entries: ManagedEntry[] = [];
    for (const target of plan.targets) {
      const { location, key, previousEntry } = target;
      let value = entryFor(target);
      const disable = location.client.disable;
      if (previousEntry?.disabled && !disable) {
        // Disabled by removal: the new version waits in the state until `mcpm enable`.
        entries.push({ ...previousEntry, disabledValue: value });
        continue;
      }
      if (previousEntry?.disabled && disable) value = { ...value, [disable.field]: disable.off };
      failpoint('before-config-write', location.client.id);
      const write = await writeClientEntry(location, key, value, () => previousEntry !== undefined || Boolean(flags.adopt) || Boolean(target.resumed), () =>
        new McpmError('ECONFLICT', `${location.client.name} got an entry "${key}" from someone else meanwhile (${location.file})`, {
          hint: 'Choose another key with --as <key>.',
        }),
        previousEntry?.record ? undefined : async (edit) => (edit.replaced ? undefined : journalEdit(ctx, plan.server, { client: location.client.id, file: location.file, key }, edit.record)),
      );
      writes.push(write);
      failpoint('after-config-write', location.client.id);
      entries.push({
        client: location.client.id,
        file: location.file,
        key,
        scope: location.scope,
        ...(location.scope === 'project' ? { project: previousEntry?.project ?? ctx.cwd } : {}),
        record: previousEntry?.record ?? (write.replaced && target.resumedRecord ? target.resumedRecord : write.record),
        ...(previousEntry?.disabled ? { disabled: true } : {}),
      });
    }
    failpoint('before-state-write');
    await updateState(ctx, (state) => {
      if (state.pending) delete state.pending[plan.server];
      const before = state.servers[plan.server];
      const kept = before && before.version !== plan.version && before.storePath
        ? [...before.previousVersions.filter((v) => v !== plan.version), before.version]
        : before?.previousVersions ?? [];
      state.servers[plan.server] = {
        name: plan.server,
        version: plan.version,
        range: plan.range,
        registry: plan.registry,
        ...(source.kind === 'npm'
          ? { package: source.package, storePath: installed!.storePath, bin: installed!.bin }
          : { remote: { transport: (plan.targets[0]?.remote?.type ?? 'streamable-http') as 'streamable-http' | 'sse', url: plan.targets[0]?.remote?.url ?? '' } }),
        env: plan.env,
        args: plan.args,
        secretEnv: Object.keys(plan.secretEnv),
        entries: mergeEntries(before?.entries ?? [], entries),
        previousVersions: kept,
        installedAt: new Date().toISOString(),
      };
    });
    failpoint('after-state-write');
    if (plan.scope === 'project') await recordInProject(ctx, plan);
  } catch (error) {
    for (const write of writes.reverse()) {
      const undone = await undoWrite(write).catch(() => false);
      if (!undone) ctx.out.warn(`Could not undo the change to ${write.file}; it was edited meanwhile`);
    }
    if (plan.previous) await writeSecrets(ctx, plan.server, previousSecrets).catch(() => undefined);
    else await removeSecrets(ctx, plan.server).catch(() => undefined);
    if (installed?.added) await rm(installed.storePath, { recursive: true, force: true }).catch(() => undefined);
    await updateState(ctx, (state) => {
      if (state.pending) delete state.pending[plan.server];
    }).catch(() => undefined);
    throw error;
  }
  for (const target of plan.targets) ctx.out.remind(target.location.client.restart);
  return {
    name: plan.server,
    version: plan.version,
    previousVersion: plan.previous?.version !== plan.version ? plan.previous?.version : undefined,
    registry: plan.registry,
    ...(source.kind === 'npm' ? { package: source.package, storePath: installed!.storePath, integrity: installed!.integrity } : { remote: plan.targets.map((t) => ({ client: t.location.client.id, type: t.remote?.type, url: t.remote?.url })) }),
    key: plan.key,
    scope: plan.scope,
    clients: plan.targets.map((t) => ({ client: t.location.client.id, file: t.location.file, key: t.key })),
    secretEnv: Object.keys(plan.secretEnv),
  };
}

/** Entries in files this install did not touch stay recorded; the ones it wrote replace their old records. */
function mergeEntries(before: ManagedEntry[], now: ManagedEntry[]): ManagedEntry[] {
  const same = (a: ManagedEntry, b: ManagedEntry) => a.client === b.client && a.file === b.file;
  return [...before.filter((old) => !now.some((entry) => same(old, entry))), ...now];
}

function entryRenderer(ctx: Context, plan: InstallPlan, installed: InstalledVersion | undefined, secretsPath: string | undefined) {
  const { source } = plan;
  if (source.kind === 'npm') {
    const launch: LaunchSpec = {
      command: ctx.nodePath,
      args: [...(secretsPath ? [`--env-file=${secretsPath}`] : []), installed!.bin, ...renderPackageArguments(source.definition, { ...plan.args, ...plan.secretEnv })],
      env: plan.env,
    };
    return (target: InstallTarget) => renderStdioEntry(target.location.client.stdio, launch, target.key);
  }
  const values = { ...plan.args, ...plan.secretEnv };
  const secretNames = new Set(Object.keys(plan.secretEnv));
  return (target: InstallTarget) => {
    const remote = target.remote!;
    const secretHeaders = secretHeaderNames(remote, secretNames);
    if (secretHeaders.length > 0) {
      ctx.out.warn(`${target.location.client.name} reads headers from its file: ${secretHeaders.join(', ')} written in plaintext to ${target.location.file}`);
    }
    const spec = renderRemote(remote, remote.type as 'streamable-http' | 'sse', values);
    return renderRemoteEntry(target.location.client.remote!.shape, spec, target.key);
  };
}
