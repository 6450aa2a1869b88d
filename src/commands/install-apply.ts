import { rm } from 'node:fs/promises';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import type { ClientLocation } from '../clients/locate.js';
import { undoWrite, writeClientEntry, type AppliedWrite } from '../clients/write.js';
import { renderRemoteEntry, renderStdioEntry } from '../plan/entry.js';
import type { ArgValues } from '../plan/inputs.js';
import { npmLaunch, type Launch, type LaunchInputs } from '../plan/launch.js';
import { listOf } from '../plan/request.js';
import { preferredRemote, renderRemote, secretHeaderNames } from '../plan/remote.js';
import { dataFolderEnv, mcpmScript } from '../paths.js';
import type { Package, Transport } from '../registry/types.js';
import { installNpmPackage, type InstalledVersion, type LockedTree } from '../store/npm-install.js';
import { journalEdit, updateState, type InstalledServer, type ManagedEntry } from '../state/installed.js';
import type { EditRecord } from '../clients/format-editor.js';
import { snapshotSecrets, writeSecrets } from '../state/secrets.js';
import { recordSetup } from './project.js';
import { secretsBackend } from '../state/keychain.js';
import { installPackage, type InstalledPackage } from './install-package.js';
import type { PreparedPackage } from './install-source.js';
import { failpoint } from '../failpoints.js';

export interface InstallTarget {
  location: ClientLocation;
  key: string;
  /** An earlier run of this install was killed after recording this entry as pending: the entry is ours. */
  resumed?: boolean;
  /** The user confirmed replacing an entry mcpm did not manage at this key. */
  replace?: boolean;
  /** The record of that earlier run's insertion, journaled before it wrote the file. */
  resumedRecord?: EditRecord;
  /** For a remote server: the transport this client speaks (or the one `mcpm run` bridges to). */
  remote?: Transport;
  /** The client cannot hold this remote server in its file: its entry starts `mcpm run`, which bridges stdio to it. */
  bridge?: boolean;
  previousEntry?: ManagedEntry;
}

export interface InstallPlan {
  server: string;
  version: string;
  range?: string;
  registry: string;
  scope: 'user' | 'project';
  source:
    | { kind: 'npm'; package: PackageRecord & { registryType: 'npm' }; definition: Package; lock?: LockedTree }
    | { kind: 'package'; package: PackageRecord; definition: Package; prepared: PreparedPackage }
    | { kind: 'remote'; remotes: Transport[] };
  key: string;
  targets: InstallTarget[];
  env: Record<string, string>;
  secretEnv: Record<string, string>;
  args: ArgValues;
  /** Values of secret arguments/variables/headers: in the secrets file, never in the state. */
  secretArgs: ArgValues;
  previous?: InstalledServer;
}

export interface PackageRecord {
  registryType: string;
  identifier: string;
  version: string;
  registryBaseUrl?: string;
}

/**
 * Carries out an install plan: store, secrets, client files, state, in that order. If a step fails, what the
 * earlier steps wrote is undone (client files restored, a new store version removed, secrets put back), so a
 * failed install leaves every file as it was.
 */
export async function applyInstall(ctx: Context, plan: InstallPlan, flags: { allowScripts: boolean; engineStrict: boolean; adopt?: boolean; inlineSecrets?: boolean }) {
  const { source } = plan;
  const installed: InstalledVersion | undefined = source.kind === 'npm'
    ? await installNpmPackage(ctx, { serverName: plan.server, ...source.package, allowScripts: flags.allowScripts, engineStrict: flags.engineStrict, lock: source.lock })
    : undefined;
  const other: InstalledPackage | undefined = source.kind === 'package' ? await installPackage(ctx, plan.server, source.prepared) : undefined;
  const writes: AppliedWrite[] = [];
  const restoreSecrets = await snapshotSecrets(ctx, plan.server);
  try {
    const format = source.kind === 'npm' ? 'node' : other?.secretsFormat;
    const secretsPath = await writeSecrets(ctx, plan.server, { env: plan.secretEnv, args: plan.secretArgs }, format, { always: source.kind === 'npm' });
    failpoint('after-secrets');
    // Journal first: if mcpm dies between the client writes and the state write, a rerun knows these entries.
    await updateState(ctx, (state) => {
      state.pending = { ...state.pending, [plan.server]: { entries: plan.targets.map((t) => ({ client: t.location.client.id, file: t.location.file, key: t.key, record: t.resumedRecord })), startedAt: new Date().toISOString() } };
    });
    const entryFor = entryRenderer(ctx, plan, installed, other, format ? secretsPath : undefined, Boolean(flags.inlineSecrets));
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
      const write = await writeClientEntry(location, key, value, () => previousEntry !== undefined || Boolean(flags.adopt) || Boolean(target.resumed) || Boolean(target.replace), () =>
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
          ? { package: source.package, storePath: installed!.storePath, bin: installed!.bin, packageArguments: source.definition.packageArguments ?? [] }
          : source.kind === 'package'
            ? { package: { ...source.package, ...other!.record }, ...(other!.storePath ? { storePath: other!.storePath } : {}) }
            : { remote: remoteRecord(source.remotes) }),
        env: plan.env,
        args: plan.args,
        secretEnv: Object.keys(plan.secretEnv),
        ...(Object.keys(plan.secretArgs).length ? { secretArgs: Object.keys(plan.secretArgs) } : {}),
        ...(ctx.profile !== 'default' ? { profile: ctx.profile } : {}),
        inputsByProfile: { ...before?.inputsByProfile, [ctx.profile]: { env: plan.env, args: plan.args } },
        entries: mergeEntries(before?.entries ?? [], entries),
        previousVersions: kept,
        installedAt: new Date().toISOString(),
      };
    });
    failpoint('after-state-write');
    // The user's global manifest + lock live in the state folder; a project's beside its mcpm.json.
    const stored = installed ?? (other ? { storePath: other.storePath, record: other.record } : undefined);
    await recordSetup(ctx.paths.state, plan, 'user', stored);
    if (plan.scope === 'project') await recordSetup(ctx.cwd, plan, 'project', stored);
  } catch (error) {
    for (const write of writes.reverse()) {
      const undone = await undoWrite(write).catch(() => false);
      if (!undone) ctx.out.warn(`Could not undo the change to ${write.file}; it was edited meanwhile`);
    }
    await restoreSecrets().catch(() => undefined);
    if (installed?.added) await rm(installed.storePath, { recursive: true, force: true }).catch(() => undefined);
    if (other?.added && other.storePath) await rm(other.storePath, { recursive: true, force: true }).catch(() => undefined);
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
    ...(source.kind === 'npm'
      ? { package: source.package, storePath: installed!.storePath, integrity: installed!.integrity }
      : source.kind === 'package'
        ? { package: { ...source.package, ...other!.record }, ...(other!.storePath ? { storePath: other!.storePath } : {}) }
        : { remote: plan.targets.map((t) => ({ client: t.location.client.id, type: t.remote?.type, url: t.remote?.url, ...(t.bridge ? { bridge: true } : {}) })) }),
    key: plan.key,
    scope: plan.scope,
    clients: plan.targets.map((t) => ({ client: t.location.client.id, file: t.location.file, key: t.key })),
    secretEnv: Object.keys(plan.secretEnv),
    secretArgs: Object.keys(plan.secretArgs),
  };
}

/** Entries in files this install did not touch stay recorded; the ones it wrote replace their old records. */
function mergeEntries(before: ManagedEntry[], now: ManagedEntry[]): ManagedEntry[] {
  const same = (a: ManagedEntry, b: ManagedEntry) => a.client === b.client && a.file === b.file;
  return [...before.filter((old) => !now.some((entry) => same(old, entry))), ...now];
}

function entryRenderer(
  ctx: Context,
  plan: InstallPlan,
  installed: InstalledVersion | undefined,
  other: InstalledPackage | undefined,
  secretsPath: string | undefined,
  inlineSecrets: boolean,
) {
  const { source } = plan;
  const secretInputs = [...Object.keys(plan.secretEnv), ...Object.keys(plan.secretArgs)];
  if (inlineSecrets && secretInputs.length > 0) {
    // The user asked for it (--inline-secrets): values go into the client files, as other installers write them.
    ctx.out.warn(`--inline-secrets: ${secretInputs.join(', ')} written in plaintext into each client file (mcpm keeps them in its 0600 secrets file too)`);
  }
  const secretNames = new Set([...Object.keys(plan.secretEnv), ...Object.keys(plan.secretArgs)]);
  if (source.kind !== 'remote') {
    const inputs: LaunchInputs = {
      values: { ...plan.args, ...plan.secretArgs },
      env: inlineSecrets ? { ...plan.env, ...plan.secretEnv } : plan.env,
      secretEnv: plan.secretEnv,
      // npm entries always name their env file (it exists, maybe empty) so `mcpm secrets set` needs no rewrite.
      secretsFile: source.kind === 'npm' || Object.keys(plan.secretEnv).length > 0 ? secretsPath : undefined,
      isSecret: (name) => secretNames.has(name),
    };
    const launch: Launch = source.kind === 'npm' ? npmLaunch(source.definition, inputs, { node: ctx.nodePath, bin: installed!.bin }) : other!.launch(inputs);
    const inKeychain = secretsBackend(ctx) === 'keychain' && secretInputs.length > 0;
    if (source.kind === 'npm' && (launch.secretArgs.length > 0 || inKeychain) && !inlineSecrets) {
      // A secret the server takes as an argument must not sit in a client's file (or in `ps` for longer than the
      // run): the entry starts `mcpm run`, which passes it only when it starts the server.
      const names = launch.secretArgs.join(', ');
      ctx.out.note(
        inKeychain
          ? `${plan.server}'s secrets are in the operating system's keychain, which clients cannot read: its entries start \`mcpm run ${plan.server}\`, which reads them when it starts the server.`
          : `${plan.server} takes ${names} as command-line arguments: its entries start \`mcpm run ${plan.server}\`, which passes them only when it starts the server, so no client file holds them.`,
      );
      return (target: InstallTarget) => renderStdioEntry(target.location.client.stdio, viaMcpm(ctx, plan.server), target.key);
    }
    return (target: InstallTarget) => {
      if (!inlineSecrets) warnSecrets(ctx, launch, target.location.file);
      return renderStdioEntry(target.location.client.stdio, { command: launch.command, args: launch.args, env: launch.env }, target.key);
    };
  }
  const values = Object.fromEntries(Object.entries({ ...plan.args, ...plan.secretArgs }).map(([name, value]) => [name, listOf(value)[0]!]));
  return (target: InstallTarget) => {
    const remote = target.remote!;
    if (target.bridge) {
      ctx.out.note(
        `${target.location.client.name} cannot connect to ${remote.type} servers from its file: its entry starts \`mcpm run ${plan.server}\`, which relays stdio to ${remote.url}` +
          ` (if the server asks for authorization, run \`mcpm login ${plan.server}\` first, or sign in when the browser opens).`,
      );
      return renderStdioEntry(target.location.client.stdio, viaMcpm(ctx, plan.server), target.key);
    }
    const secretHeaders = secretHeaderNames(remote, secretNames);
    if (secretHeaders.length > 0) {
      ctx.out.warn(`${target.location.client.name} reads headers from its file: ${secretHeaders.join(', ')} written in plaintext to ${target.location.file}`);
    }
    const spec = renderRemote(remote, remote.type as 'streamable-http' | 'sse', values);
    return renderRemoteEntry(target.location.client.remote!.shape, spec, target.key);
  };
}

/**
 * `mcpm run <name>` by absolute paths (node, mcpm's own script) and the data folder, so a client can start it with
 * a minimal environment; it resolves secrets at spawn time and bridges remote servers.
 */
function viaMcpm(ctx: Context, server: string) {
  return { command: ctx.nodePath, args: [mcpmScript(), 'run', server], env: dataFolderEnv(ctx.paths, ctx.env, ctx.platform, ctx.home) };
}

/** What `mcpm run` and `mcpm login` connect to: the preferred remote, with its definition to fill at start. */
function remoteRecord(remotes: Transport[]): NonNullable<InstalledServer['remote']> {
  const remote = preferredRemote(remotes)!;
  return { transport: remote.type === 'sse' ? 'sse' : 'streamable-http', url: remote.url ?? '', definition: remote };
}

/** Secrets that could not be kept out of the client's file: the user should know where they are. */
function warnSecrets(ctx: Context, launch: Launch, file: string): void {
  if (launch.secretArgs.length > 0) {
    ctx.out.warn(`The server takes ${launch.secretArgs.join(', ')} as command-line arguments: written in plaintext to ${file}`);
  }
  if (launch.secretEnvInEntry.length > 0) {
    ctx.out.warn(`This server's launcher reads no env file: ${launch.secretEnvInEntry.join(', ')} written in plaintext to ${file}`);
  }
}
