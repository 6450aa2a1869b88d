import { existsSync } from 'node:fs';
import { deriveContext, type Context } from '../context.js';
import { McpmError, usageError } from '../errors.js';
import { editorFor } from '../clients/editor.js';
import type { ClientLocation } from '../clients/locate.js';
import { samePath } from '../clients/paths.js';
import { chooseClients, locationOfEntry, parseScope, requireClient } from '../clients/targets.js';
import { readClientFile } from '../clients/write.js';
import { chooseInputs, inputsToAsk, NO_INPUTS, type ChosenInputs } from '../plan/input-values.js';
import { planInstall, type ClientFileFacts, type InstallFacts, type InstallPlan } from '../plan/install.js';
import { sourceRequests } from '../plan/prepared-source.js';
import type { InputRequest } from '../plan/inputs.js';
import { listOf } from '../plan/request.js';
import { describeUnsafe } from '../plan/runtime-options.js';
import type { LockedTree } from '../plan/store-action.js';
import { parseNameSpec } from '../plan/version.js';
import { lookalikeWarning } from '../registry/lookalike.js';
import { gateResolved, gateSource } from '../supply/gate.js';
import { resolveOldEnough } from '../supply/release-age.js';
import type { ServerJson } from '../registry/types.js';
import { assertKeychain, secretsBackend } from '../state/keychain.js';
import { findInstalled, readState, type InstalledServer } from '../state/installed.js';
import { readLock } from '../state/lockfile.js';
import { readAllSecrets, secretsFile } from '../state/secrets.js';
import { assertSafe, versionDir } from '../store/layout.js';
import { askInputs, givenInputs } from './given.js';
import { machineOf } from './machine.js';
import { inReach } from './reach.js';
import { prepareSource } from './source.js';
import { own, record } from '../json.js';

export interface InstallOptions {
  client?: string[];
  /** KEY=VALUE values: from the command line when `typed` is set (then a secret among them is warned about). */
  env?: string[];
  /** The env and arg values were typed by the user on mcpm's command line (not adopted from a file, not a fix). */
  typed?: boolean;
  arg?: string[];
  as?: string;
  scope?: string;
  allowScripts?: boolean;
  engineStrict?: boolean;
  /** Write secret values into the client files too (the user asked, with a warning). */
  inlineSecrets?: boolean;
  /** `mcpm import`: the entry at the key is the user's hand-written one, replaced on purpose. */
  adopt?: boolean;
  /** npm, pypi, oci, nuget, mcpb or remote: which of the server's packages to install (default: see plan/source.ts). */
  packageType?: string;
  /** Installing from a lock file: the exact package integrity and dependency tree. */
  lock?: LockedTree;
  /** The range to record (update and lock installs pin a version but keep the range the user asked for). */
  recordRange?: string;
  /** Accept runtime options from registry data outside the safe set (docker mounts, uvx indexes...). */
  allowRuntimeArgs?: boolean;
  /** A path input that does not exist is an error rather than a warning. */
  strictInputs?: boolean;
  /** Inputs to keep in plaintext even though their name or value looks like a credential. */
  noSecret?: string[];
  /** Arguments of the user's own, after the server's (an adopted entry's `--verbose`); npm servers. */
  extraArgs?: string[];
  /** No client files unless named: the server goes into `mcpm serve`'s gateway only (an agent's install). */
  gatewayOnly?: boolean;
  /** The new version's tools may differ from the installed version's pins although policy.block-on-drift is on. */
  acceptTools?: boolean;
  /** A version already resolved (rollback to a version in the store): no registry is asked. */
  resolved?: { server: ServerJson; registry: string; status?: string };
}

/**
 * The I/O half of planning an install: resolves the name, reads the state, the secrets kept and the client files,
 * readies the source, asks a person what only a person can answer (inputs, clients, replacing a foreign entry),
 * and hands the facts to planInstall. Nothing is written here (a bundle is downloaded into the cache: its settings
 * are inputs).
 */
export async function prepareInstall(ctx: Context, spec: string, options: InstallOptions): Promise<InstallPlan> {
  // Every argument is checked before any registry is asked or any file read: a typo costs nothing.
  const { name, range } = parseNameSpec(spec);
  const scope = parseScope(options.scope);
  checkArguments(options);
  const given = givenInputs(ctx, options.env ?? [], options.arg ?? []);
  const state = readState(ctx);
  // A key or short name of something installed means that server: reinstalling it keeps its entries and inputs.
  const existing = findInstalled(state, name);
  const resolving = ctx.out.task(`Resolving ${spec}`);
  let chosen;
  try {
    chosen = options.resolved ?? (await resolveBound(ctx, existing?.name ?? name, range, existing));
  } finally {
    resolving.stop();
  }
  const server = chosen.server;
  gateResolved(ctx, server, chosen.registry);
  if (chosen.status === 'deprecated') ctx.out.warn(`${server.name}@${server.version} is deprecated by its registry`);
  const lookalike = lookalikeWarning(server.name, Object.keys(state.servers));
  if (lookalike) ctx.out.warn(lookalike);
  assertSafe(server.name, server.version);
  const installed = existing?.name === server.name ? existing : undefined;
  const source = await prepareSource(ctx, server, options.packageType, installed);
  gateSource(ctx, server, source.kind);

  const requests = sourceRequests(source);
  const previous = await previousInputs(ctx, installed, server.name);
  const answers = ctx.prompter.available ? await askInputs(ctx, inputsToAsk(requests, given, previous)) : {};
  const inputs = chooseInputs(requests, given, previous, answers, { cwd: ctx.cwd, home: ctx.home }, { noSecret: options.noSecret ?? [] });
  if (options.typed) warnTypedSecrets(ctx, given.typed, inputs);
  await checkPaths(ctx, requests, inputs, Boolean(options.strictInputs));
  const project = scope === 'project' ? ctx.project ?? ctx.cwd : undefined;
  const files = await readTargets(await targetLocations(deriveContext(ctx, project ? { cwd: project } : {}), options.client ?? [], scope, installed, Boolean(options.gatewayOnly)));
  const keychain = secretsBackend(ctx) === 'keychain';

  const facts: InstallFacts = {
    server,
    registry: chosen.registry,
    ...(options.recordRange ?? range ? { range: options.recordRange ?? range } : {}),
    source,
    ...(installed ? { installed } : {}),
    managed: Object.values(state.servers).flatMap((s) => s.entries.map((e) => ({ server: s.name, client: e.client, file: e.file, key: e.key }))),
    pending: state.pending?.[server.name]?.entries ?? [],
    files,
    inputs,
    ...(options.as ? { as: options.as } : {}),
    ...((options.extraArgs ?? installed?.extraArgs)?.length ? { extraArgs: options.extraArgs ?? installed?.extraArgs } : {}),
    scope,
    ...(project ? { project } : {}),
    profile: ctx.profile,
    keychain,
    guard: ctx.settings().guard === true,
    secretsFile: secretsFile(ctx, server.name),
    ...(source.kind === 'remote' || source.kind === 'oci' || source.kind === 'nuget' ? {} : { storeDir: versionDir(ctx.paths.store, server.name, source.pkg.version ?? server.version) }),
    ...(options.lock ? { lock: options.lock } : await stateRecordOf(ctx, server.name, source.kind === 'npm' ? source.pkg.version ?? server.version : undefined)),
    flags: {
      inlineSecrets: Boolean(options.inlineSecrets),
      adopt: Boolean(options.adopt),
      allowScripts: Boolean(options.allowScripts),
      engineStrict: Boolean(options.engineStrict),
      allowRuntimeArgs: Boolean(options.allowRuntimeArgs),
    },
    confirmedReplace: [],
    canAsk: ctx.prompter.available && !ctx.options.json,
    machine: machineOf(ctx),
  };
  let plan = planInstall(facts);
  if (plan.runtimeConsent.length > 0) {
    const list = plan.runtimeConsent.map((option) => `\n  ${describeUnsafe(option)}`).join('');
    if (!(await ctx.prompter.confirm(`${server.name}'s registry entry asks its runtime for:${list}\nAccept these options?`, false))) {
      throw new McpmError('EUNSAFE', `Not accepted: ${plan.runtimeConsent.map((o) => o.option).join(', ')}`, { hint: 'Nothing was installed. Choose another package type with --package-type, if the server offers one.' });
    }
    facts.flags.allowRuntimeArgs = true;
    plan = planInstall(facts);
  }
  const changed = plan.targets.filter((t) => t.userChanged?.length);
  if (changed.length > 0 && facts.canAsk) {
    const list = changed.map((t) => `\n  ${t.location.client.name} (${t.location.file}), "${t.key}": ${t.userChanged!.join(', ')}`).join('');
    if (!(await ctx.prompter.confirm(`You changed fields of mcpm's entries by hand:${list}\nReplace them with what mcpm writes now (your other fields stay)?`, true))) {
      throw new McpmError('ECANCELLED', 'Cancelled: your changes to the entries were kept', { hint: 'Nothing was changed. Move your changes to fields mcpm does not own (see the README), then run the install again.' });
    }
    facts.overridesConfirmed = true;
  }
  if (plan.questions.length > 0) {
    // A key held by an entry mcpm does not manage: a person may agree to replace it (it then becomes mcpm's).
    for (const { location, key } of plan.questions) {
      if (await ctx.prompter.confirm(`${location.client.name} already has an entry "${key}" that mcpm does not manage (${location.file}). Replace it?`, false)) {
        facts.confirmedReplace.push(location.file);
      }
    }
    plan = planInstall({ ...facts, canAsk: false });
  }
  if (keychain && Object.keys(plan.inputs.secretEnv).length + Object.keys(plan.inputs.secretArgs).length > 0) await assertKeychain();
  return plan;
}

/** A secret typed on the command line is in the shell's history now: say so, and how to avoid it next time. */
function warnTypedSecrets(ctx: Context, typed: Set<string>, inputs: ChosenInputs): void {
  const names = [...Object.keys(inputs.secretEnv), ...Object.keys(inputs.secretArgs)].filter((name) => typed.has(name));
  if (names.length === 0) return;
  ctx.out.warn(`${names.join(', ')} ${names.length === 1 ? 'was' : 'were'} typed on the command line, so ${names.length === 1 ? 'it is' : 'they are'} in your shell's history now. Next time use \`--env ${names[0]}\` (read from your environment) or let mcpm ask; \`mcpm secrets set\` reads a prompt or stdin.`);
}

/**
 * A path input that does not exist makes the server fail when it starts: a warning, an error under --strict-inputs,
 * a question on a terminal.
 */
async function checkPaths(ctx: Context, requests: InputRequest[], inputs: ChosenInputs, strict: boolean): Promise<void> {
  for (const request of requests.filter((r) => r.format === 'filepath' || r.format === 'directory' || r.format === 'file')) {
    const values = request.kind === 'env' ? [own(inputs.env, request.name)] : listOf(own(inputs.args, request.name));
    for (const value of values) {
      if (value === undefined || existsSync(value)) continue;
      const message = `${request.name} is ${value}, which does not exist: the server may fail when it starts`;
      if (strict) throw new McpmError('EINPUT', message, { hint: `Create it first, or give another path with --${request.kind} ${request.name}=PATH.` });
      if (ctx.prompter.available && !ctx.options.json) {
        if (!(await ctx.prompter.confirm(`${message}. Install anyway?`, false))) throw new McpmError('ECANCELLED', 'Cancelled', { hint: 'Nothing was changed.' });
      } else ctx.out.warn(`${message} (--strict-inputs makes this an error)`);
    }
  }
}

function checkArguments(options: InstallOptions): void {
  for (const id of options.client ?? []) if (id !== 'all') requireClient(id);
  if (options.packageType !== undefined && !(['npm', 'pypi', 'oci', 'nuget', 'mcpb', 'remote'] as string[]).includes(options.packageType)) {
    throw usageError(`Unknown package type "${options.packageType}"`, 'Use one of npm, pypi, oci, nuget, mcpb, remote.');
  }
  if (options.as !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(options.as)) {
    throw usageError(`"${options.as}" cannot be an entry key`, 'Use letters, digits, ".", "_" and "-" with --as.');
  }
}

/**
 * A server stays with the registry it was installed from: a reinstall or update asks that registry only, and when
 * it cannot be reached the command fails instead of taking the name from another registry (where another
 * publisher may own it: dependency confusion). Moving it is explicit: --registry naming another, confirmed on a
 * terminal or with --yes.
 */
async function resolveBound(ctx: Context, name: string, range: string | undefined, installed: InstalledServer | undefined): Promise<{ server: ServerJson; registry: string; status?: string }> {
  if (!installed) {
    const { chosen } = await resolveOldEnough(ctx, name, range);
    return { server: chosen.server, registry: chosen.registry, status: chosen.meta.status };
  }
  if (ctx.options.registry === undefined) {
    try {
      const { chosen } = await resolveOldEnough(deriveContext(ctx, { registry: installed.registry }), name, range);
      return { server: chosen.server, registry: chosen.registry, status: chosen.meta.status };
    } catch (error) {
      if (!(error instanceof McpmError) || !['ENETWORK', 'EREGISTRY', 'ENOTFOUND'].includes(error.code)) throw error;
      throw new McpmError(error.code, `${installed.name} was installed from ${installed.registry}, and that registry cannot answer for it now: ${error.message}`, {
        hint: `mcpm does not look for it in other registries (another publisher may use the name there). Try again later, or move it on purpose: \`mcpm install ${installed.name} --registry <name>\`.`,
      });
    }
  }
  const { chosen } = await resolveOldEnough(ctx, name, range);
  if (chosen.registry !== installed.registry) {
    const question = `${installed.name} was installed from ${installed.registry}. Install it from ${chosen.registry} instead (the package that registry lists will run)?`;
    const moved = ctx.options.yes || (ctx.prompter.available && !ctx.options.json && (await ctx.prompter.confirm(question, false)));
    if (!moved) {
      throw new McpmError('ECONFLICT', `${installed.name} was installed from ${installed.registry}; --registry would move it to ${chosen.registry}`, {
        hint: `Add --yes to move it there, or leave out --registry to stay with ${installed.registry}.`,
      });
    }
    ctx.out.warn(`${installed.name} moves from ${installed.registry} to ${chosen.registry}`);
  }
  return { server: chosen.server, registry: chosen.registry, status: chosen.meta.status };
}

/**
 * The state's own lock (what the user's setup installed) has the dependency tree of the version installed now: a
 * reinstall of that same version (doctor --fix, a store folder deleted by hand) installs that tree, resolving nothing.
 */
async function stateRecordOf(ctx: Context, name: string, version: string | undefined): Promise<{ lock?: LockedTree }> {
  if (!version) return {};
  const servers = (await readLock(ctx.paths.state).catch(() => undefined))?.servers;
  const locked = servers && Object.hasOwn(servers, name) ? servers[name] : undefined;
  if (!locked || locked.package?.version !== version || !locked.package.integrity || !locked.dependencies) return {};
  return { lock: { integrity: locked.package.integrity, packages: locked.dependencies, ...(locked.supply ? { supply: locked.supply, ownRecord: true } : {}) } };
}

/** Inputs given before are kept, per profile: a server switched to another profile takes that profile's values. */
async function previousInputs(ctx: Context, installed: InstalledServer | undefined, name: string): Promise<ChosenInputs> {
  if (!installed) {
    // Secrets set before the install (`mcpm secrets set <name> <KEY>` works for a server not installed yet).
    const kept = await readAllSecrets(ctx, name, ctx.profile);
    return { ...NO_INPUTS, secretEnv: kept.env, secretArgs: kept.args };
  }
  const sameProfile = (installed.profile ?? 'default') === ctx.profile;
  const kept = sameProfile ? { env: installed.env, args: installed.args } : own(installed.inputsByProfile, ctx.profile) ?? { env: record<string>(), args: record<string | string[]>() };
  const secrets = await readAllSecrets(ctx, installed.name, ctx.profile);
  return { ...kept, secretEnv: secrets.env, secretArgs: secrets.args };
}

/**
 * Named clients, else the clients the server is already in (of this scope), else the detected ones; plus its other
 * entries of this scope within reach (the user's own files; the current project's, never another's).
 */
async function targetLocations(ctx: Context, requested: string[], scope: 'user' | 'project', installed: InstalledServer | undefined, gatewayOnly: boolean): Promise<ClientLocation[]> {
  const current = (installed?.entries ?? []).filter((e) => (e.scope ?? 'user') === scope && inReach(ctx, e)).map(locationOfEntry);
  const locations = requested.length === 0 && (current.length > 0 || gatewayOnly) ? [] : await chooseClients(ctx, requested, scope);
  // Entries the server already has move to the new version too.
  for (const location of current) {
    if (!locations.some((l) => l.client.id === location.client.id && samePath(l.file, location.file))) locations.push(location);
  }
  return locations;
}

/** Every target file is read (and must parse and be writable) before anything is downloaded or written. */
async function readTargets(locations: ClientLocation[]): Promise<ClientFileFacts[]> {
  const files: ClientFileFacts[] = [];
  for (const location of locations) {
    const text = await readClientFile(location);
    if (text === undefined) {
      files.push({ location });
      continue;
    }
    const editor = editorFor(location.client.format);
    const { serversPath } = location.client;
    const keys = editor.keys(location.file, text, serversPath);
    files.push({ location, entries: new Map(keys.map((key) => [key, editor.get(location.file, text, serversPath, key)])) });
  }
  return files;
}
