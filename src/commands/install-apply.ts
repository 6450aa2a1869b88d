import { rm } from 'node:fs/promises';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import type { ClientLocation } from '../clients/locate.js';
import { undoWrite, writeClientEntry, type AppliedWrite } from '../clients/write.js';
import { renderStdioEntry, type LaunchSpec } from '../plan/entry.js';
import { renderPackageArguments } from '../plan/inputs.js';
import type { Package } from '../registry/types.js';
import { installNpmPackage } from '../store/npm-install.js';
import { updateState, type InstalledServer, type ManagedEntry } from '../state/installed.js';
import { readSecrets, writeSecrets, removeSecrets } from '../state/secrets.js';

export interface InstallPlan {
  server: string;
  version: string;
  range?: string;
  registry: string;
  package: { registryType: 'npm'; identifier: string; version: string; registryBaseUrl?: string };
  key: string;
  clients: Array<{ client: string; file: string }>;
  env: Record<string, string>;
  secretEnv: Record<string, string>;
  args: Record<string, string>;
  packageDefinition: Package;
  previous?: InstalledServer;
}

/**
 * Carries out an install plan: store, secrets, client files, state, in that order. If a step fails, what the
 * earlier steps wrote is undone (client files restored, a new store version removed), so a failed install leaves
 * every file as it was.
 */
export async function applyInstall(ctx: Context, plan: InstallPlan, locations: ClientLocation[], flags: { allowScripts: boolean; engineStrict: boolean }) {
  const installed = await installNpmPackage(ctx, {
    serverName: plan.server,
    identifier: plan.package.identifier,
    version: plan.package.version,
    registryBaseUrl: plan.package.registryBaseUrl,
    allowScripts: flags.allowScripts,
    engineStrict: flags.engineStrict,
  });
  const writes: AppliedWrite[] = [];
  const previousSecrets = plan.previous ? await readSecrets(ctx, plan.server) : {};
  try {
    const secretsPath = await writeSecrets(ctx, plan.server, plan.secretEnv);
    const launch: LaunchSpec = {
      command: ctx.nodePath,
      args: [...(secretsPath ? [`--env-file=${secretsPath}`] : []), installed.bin, ...renderPackageArguments(plan.packageDefinition, plan.args)],
      env: plan.env,
    };
    const entries: ManagedEntry[] = [];
    for (const location of locations) {
      const previousEntry = plan.previous?.entries.find((e) => e.client === location.client.id && e.file === location.file);
      const key = previousEntry?.key ?? plan.key;
      const write = await writeClientEntry(
        location,
        key,
        renderStdioEntry(location.client.stdio, launch),
        () => previousEntry !== undefined,
        () => new McpmError('ECONFLICT', `${location.client.name} got an entry "${key}" from someone else meanwhile (${location.file})`, {
          hint: 'Choose another key with --as <key>.',
        }),
      );
      writes.push(write);
      entries.push({ client: location.client.id, file: location.file, key, record: previousEntry?.record ?? write.record });
    }
    await updateState(ctx, (state) => {
      const before = state.servers[plan.server];
      const kept = before && before.version !== plan.version ? [...before.previousVersions.filter((v) => v !== plan.version), before.version] : before?.previousVersions ?? [];
      state.servers[plan.server] = {
        name: plan.server,
        version: plan.version,
        range: plan.range,
        registry: plan.registry,
        package: plan.package,
        storePath: installed.storePath,
        bin: installed.bin,
        env: plan.env,
        args: plan.args,
        secretEnv: Object.keys(plan.secretEnv),
        entries,
        previousVersions: kept,
        installedAt: new Date().toISOString(),
      };
    });
  } catch (error) {
    for (const write of writes.reverse()) {
      const undone = await undoWrite(write).catch(() => false);
      if (!undone) ctx.out.warn(`Could not undo the change to ${write.file}; it was edited meanwhile`);
    }
    if (plan.previous) await writeSecrets(ctx, plan.server, previousSecrets).catch(() => undefined);
    else await removeSecrets(ctx, plan.server).catch(() => undefined);
    if (installed.added) await rm(installed.storePath, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  for (const location of locations) ctx.out.remind(location.client.restart);
  return {
    name: plan.server,
    version: plan.version,
    previousVersion: plan.previous?.version !== plan.version ? plan.previous?.version : undefined,
    registry: plan.registry,
    package: plan.package,
    storePath: installed.storePath,
    integrity: installed.integrity,
    key: plan.key,
    clients: locations.map((l) => ({ client: l.client.id, file: l.file })),
    secretEnv: Object.keys(plan.secretEnv),
  };
}
