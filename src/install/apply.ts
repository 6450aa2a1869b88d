import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { undoWrite, writeClientEntry, type AppliedWrite } from '../clients/write.js';
import { failpoint, pausepoint } from '../failpoints.js';
import { checkpoint, critically, onInterrupt } from '../interrupt.js';
import { inputNames, launchTemplate, renderEntry, secretValues } from '../plan/entry-form.js';
import { adoptedLaunch, maskSecrets, mergeEntry } from '../plan/merge-entry.js';
import type { InstallPlan, PlannedTarget } from '../plan/install.js';
import { lockRecord, manifestRecord, runtimeRecord, serverRecord } from '../plan/records.js';
import type { StoredPackage } from '../plan/store-action.js';
import { journalEdit, readState, updateState, type ManagedEntry } from '../state/installed.js';
import { storeTree, updateLock } from '../state/lockfile.js';
import { updateProjectManifest } from '../state/manifest.js';
import { snapshotSecrets, writeSecrets } from '../state/secrets.js';
import { putInStore } from '../store/put.js';
import { carryServerData } from '../store/server-data.js';
import type { LockPins } from '../trust/surface.js';
import type { TrustRecord } from '../trust/types.js';
import { machineOf } from './machine.js';

/** What vet learnt, written with the install itself: the trust record (from the one before) and the lock's pins. */
export interface Vetted {
  trust(before: TrustRecord | undefined): TrustRecord;
  lockPins?: LockPins;
}

/**
 * Carries out an install plan, for every package type alike: store, secrets, client files, state, manifest and
 * lock, in that order; `vet` judges the stored version before anything else is written (install/index.ts learns
 * its tools there) and may refuse it. If a step fails, what the earlier steps wrote is undone (client files
 * restored, a new store version removed, secrets put back), so a failed install leaves every file as it was. The
 * entries about to be written are journaled first, so a kill between the client writes and the state write is
 * completed by a rerun.
 */
export async function applyInstall(ctx: Context, plan: InstallPlan, vet?: (stored: StoredPackage) => Promise<Vetted | undefined>) {
  const task = ctx.out.task(`Installing ${plan.server}@${plan.version}`);
  try {
    return await apply(ctx, plan, vet);
  } finally {
    task.stop();
  }
}

async function apply(ctx: Context, plan: InstallPlan, vet?: (stored: StoredPackage) => Promise<Vetted | undefined>) {
  const stored = await putInStore(ctx, plan.store);
  await pausepoint('after-store');
  // Interrupted before the files are touched: the version this run added to the store goes.
  const forgetStore = stored.added && stored.storePath ? onInterrupt(() => rmSync(stored.storePath!, { recursive: true, force: true })) : () => undefined;
  const carried = await carryData(ctx, plan, stored);
  try {
    // The new version, as stored, is judged before any client file, state or lock moves (trust/pin-install.ts).
    const vetted = vet ? await vet(stored) : undefined;
    ctx.out.progress(`Writing ${plan.targets.length} client file${plan.targets.length === 1 ? '' : 's'}`);
    return await critically(() => writeAll(ctx, plan, stored, vetted));
  } catch (error) {
    // The install did not happen: the version it was moving to does not keep the copies (the old folder has them),
    // and a version this run added goes (writeAll removes it too when it fails; vet's refusal comes before that).
    if (!stored.added && stored.storePath) for (const file of carried) await rm(path.join(stored.storePath, ...file.split('/')), { force: true }).catch(() => undefined);
    if (stored.added && stored.storePath) await rm(stored.storePath, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  } finally {
    forgetStore();
  }
}

/**
 * Moving a server to another store version (update, rollback, another version by hand): what it wrote into its old
 * folder goes with it, and the user is told. The old folder keeps its copy until prune, which keeps it again.
 */
async function carryData(ctx: Context, plan: InstallPlan, stored: StoredPackage): Promise<string[]> {
  const before = readState(ctx).servers[plan.server];
  if (!before?.storePath || !stored.storePath || path.resolve(before.storePath) === path.resolve(stored.storePath)) return [];
  const where = { keptRoot: ctx.paths.kept, store: ctx.paths.store, server: plan.server, version: before.version, now: ctx.now() };
  const carried = await carryServerData(before.storePath, stored.storePath, where);
  if (carried.files.length) ctx.out.note(`Carried ${count(carried.files.length, 'file')} ${plan.server} wrote beside itself from ${before.version} to ${plan.version}: ${carried.files.join(', ')}`);
  if (carried.kept) ctx.out.warn(`${plan.server} ${before.version} changed ${count(carried.kept.files.length, 'file')} of its own package (${carried.kept.files.join(', ')}); ${plan.version} starts with its own, your copy is kept in ${carried.kept.folder}`);
  return carried.files;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** Secrets, journal, client files, state, manifest and lock, as one critical section (see interrupt.ts). */
async function writeAll(ctx: Context, plan: InstallPlan, stored: StoredPackage, vetted: Vetted | undefined) {
  const ownFiles = readState(ctx).files ?? {};
  const writes: AppliedWrite[] = [];
  const changed: PlannedTarget[] = [];
  const restoreSecrets = await snapshotSecrets(ctx, plan.server);
  try {
    checkpoint();
    await writeSecrets(ctx, plan.server, { env: plan.inputs.secretEnv, args: plan.inputs.secretArgs }, plan.secrets.format, { always: plan.secrets.always });
    failpoint('after-secrets');
    await updateState(ctx, (state) => {
      const entries = plan.targets.map((t) => ({ client: t.location.client.id, file: t.location.file, key: t.key, record: t.resumedRecord }));
      state.pending = { ...state.pending, [plan.server]: { entries, startedAt: new Date(ctx.now()).toISOString() } };
    });
    const launch = plan.source.kind === 'remote' ? undefined : launchTemplate(plan.source, plan.inputs, stored, machineOf(ctx));
    const entries: ManagedEntry[] = [];
    for (const target of plan.targets) {
      const writesBefore = writes.length;
      entries.push(await writeTarget(ctx, plan, target, stored, writes, Object.hasOwn(ownFiles, target.location.file)));
      // A client restarts to see a change: one whose file came out byte for byte the same needs no reminder.
      const write = writes[writesBefore];
      if (write && write.before !== write.after) changed.push(target);
      checkpoint();
    }
    failpoint('before-state-write');
    await updateState(ctx, (state) => {
      if (state.pending) delete state.pending[plan.server];
      const before = state.servers[plan.server];
      state.servers[plan.server] = serverRecord(plan, stored, entries, before, new Date(ctx.now()).toISOString(), launch);
      // The pins move with the entries, in the same write: no moment where a server runs without its trust record.
      if (vetted) state.servers[plan.server]!.trust = vetted.trust(before?.trust);
      // Files this install created: removed again (with their folders) when nothing of anyone's is left in them.
      for (const write of writes) if (write.created) state.files = { ...state.files, [write.file]: write.created };
    });
    failpoint('after-state-write');
    // The user's global manifest + lock live in the state folder; a project's beside its mcpm.json (and a project
    // install touches the project's files only).
    if (plan.scope === 'project') await recordSetup(plan.project ?? ctx.cwd, plan, 'project', stored, vetted?.lockPins);
    else await recordSetup(ctx.paths.state, plan, 'user', stored, vetted?.lockPins);
  } catch (error) {
    for (const write of writes.reverse()) {
      const undone = await undoWrite(write).catch(() => false);
      if (!undone) ctx.out.warn(`Could not undo the change to ${write.file}; it was edited meanwhile`);
    }
    await restoreSecrets().catch(() => undefined);
    if (stored.added && stored.storePath) await rm(stored.storePath, { recursive: true, force: true }).catch(() => undefined);
    await updateState(ctx, (state) => {
      if (state.pending) delete state.pending[plan.server];
    }).catch(() => undefined);
    throw error;
  }
  for (const target of changed) ctx.out.afterwards(target.location.client.restart);
  return installResult(plan, stored);
}

/** Writes one client's entry (or, for a server disabled by removal, keeps it waiting in the state). */
async function writeTarget(ctx: Context, plan: InstallPlan, target: PlannedTarget, stored: StoredPackage, writes: AppliedWrite[], ownFile: boolean): Promise<ManagedEntry> {
  const { location, key, previousEntry } = target;
  let value = renderEntry({ client: location.client, key, form: target.form }, { server: plan.server, source: plan.source, inputs: plan.inputs, machine: machineOf(ctx) }, stored);
  // Disabled by removal: the new version waits in the state until `mcpm enable`.
  if (target.disabled === 'removed') {
    const secrets = secretValues(plan.inputs);
    return { ...previousEntry!, disabledValue: mergeEntry(previousEntry!.disabledValue, value, previousEntry!.written, secrets, inputNames(plan.inputs)).value, written: maskSecrets(value, secrets) };
  }
  const disable = location.client.disable;
  if (target.disabled === 'switch' && disable) value = { ...value, [disable.field]: disable.off };
  failpoint('before-config-write', location.client.id);
  const ours = value;
  const secrets = secretValues(plan.inputs);
  const write = await writeClientEntry(
    location,
    key,
    (existing: unknown) => mergeEntry(existing, ours, previousEntry?.written ?? (target.replaces === 'adopted' ? adoptedLaunch(existing) : undefined), secrets, inputNames(plan.inputs)).value,
    () => target.replaces !== undefined,
    () => new McpmError('ECONFLICT', `${location.client.name} got an entry "${key}" from someone else meanwhile (${location.file})`, { hint: 'Choose another key with --as <key>.' }),
    previousEntry?.record ? undefined : async (edit) => (edit.replaced ? undefined : journalEdit(ctx, plan.server, { client: location.client.id, file: location.file, key }, edit.record)),
    ownFile,
  );
  writes.push(write);
  failpoint('after-config-write', location.client.id);
  return {
    client: location.client.id,
    file: location.file,
    key,
    scope: location.scope,
    ...(location.scope === 'project' ? { project: plan.project ?? previousEntry?.project ?? ctx.cwd } : {}),
    record: previousEntry?.record ?? (write.replaced && target.resumedRecord ? target.resumedRecord : write.record),
    ...(previousEntry?.disabled ? { disabled: true } : {}),
    // What mcpm wrote, secrets masked: which fields are mcpm's next time (the state never holds a secret value).
    written: maskSecrets(ours, secrets),
  };
}

/**
 * Records an install in a setup's manifest (what was asked) and lock file (what was resolved): a project's
 * mcpm.json + mcpm-lock.json, or the same two files for the user's global setup in mcpm's state folder.
 */
async function recordSetup(dir: string, plan: InstallPlan, scope: 'user' | 'project', stored: StoredPackage, pins: LockPins | undefined): Promise<void> {
  const backup = { backup: scope === 'user' };
  await updateProjectManifest(dir, (manifest) => {
    manifest.servers[plan.server] = manifestRecord(plan, scope);
  }, backup);
  const dependencies = stored.storePath && plan.source.kind === 'npm' ? await storeTree(stored.storePath) : undefined;
  await updateLock(dir, (lock) => {
    lock.servers[plan.server] = { ...lockRecord(plan, stored, dependencies), ...(pins ? { pins } : {}) };
  }, backup);
}

function installResult(plan: InstallPlan, stored: StoredPackage) {
  const { source } = plan;
  return {
    name: plan.server,
    version: plan.version,
    previousVersion: plan.previous?.version !== plan.version ? plan.previous?.version : undefined,
    registry: plan.registry,
    ...(source.kind === 'npm'
      ? { package: plan.package, storePath: stored.storePath, integrity: stored.integrity, ...(stored.supply ? { supply: stored.supply } : {}) }
      : source.kind === 'remote'
        ? { remote: plan.targets.map((t) => ({ client: t.location.client.id, type: t.form.remote?.type, url: t.form.remote?.url, ...(t.form.form === 'bridge' ? { bridge: true } : {}) })) }
        : { package: { ...plan.package, ...runtimeRecord(source, stored) }, ...(stored.storePath ? { storePath: stored.storePath } : {}) }),
    key: plan.key,
    scope: plan.scope,
    clients: plan.targets.map((t) => ({ client: t.location.client.id, file: t.location.file, key: t.key })),
    secretEnv: Object.keys(plan.inputs.secretEnv),
    secretArgs: Object.keys(plan.inputs.secretArgs),
    ...(plan.targets.some((t) => t.userChanged?.length) ? { overridden: plan.targets.filter((t) => t.userChanged?.length).map((t) => ({ client: t.location.client.id, file: t.location.file, key: t.key, fields: t.userChanged! })) } : {}),
  };
}

export type InstallResult = ReturnType<typeof installResult>;
