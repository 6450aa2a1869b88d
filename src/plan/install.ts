import type { ClientLocation, Scope } from '../clients/locate.js';
import { samePath } from '../clients/paths.js';
import { clientKey } from '../clients/table.js';
import type { EditRecord } from '../clients/format-editor.js';
import { McpmError } from '../errors.js';
import { defaultEntryKey } from '../registry/short-name.js';
import type { ServerJson } from '../registry/types.js';
import type { InstalledServer, ManagedEntry } from '../state/installed.js';
import { chooseForm, directLaunch, inputNames, launchInputs, renderEntry, secretValues, type EntryInputs, type FormChoice, type Machine } from './entry-form.js';
import type { ChosenInputs } from './input-values.js';
import type { EnvFileFormat } from './launch.js';
import { secretsFormatOf, sourceEnvironment, sourceRequests, type PreparedPackage, type PreparedSource } from './prepared-source.js';
import { secretHeaderNames } from './remote.js';
import { mergeEntry } from './merge-entry.js';
import { describeUnsafe, type UnsafeOption } from './runtime-options.js';
import { previewStored, storeAction, type LockedTree, type StoreAction } from './store-action.js';

/**
 * Pure: every decision of an install, from the facts the I/O layer gathered (install/prepare.ts) to a plain value
 * that install/apply.ts carries out and `--dry-run` prints: the version and package, the store step, the secrets,
 * and per client file the key, the entry's form (see entry-form.ts) and which existing entry it replaces and why
 * that is allowed. No file system, network or clock here.
 */
export interface ClientFileFacts {
  location: ClientLocation;
  /** The entries in the file now, by key; undefined when the file does not exist yet. */
  entries?: Map<string, unknown>;
}

export interface InstallFacts {
  server: ServerJson;
  /** The registry (its id) the version came from. */
  registry: string;
  /** The range to record (given, or kept by update and lock installs). */
  range?: string;
  source: PreparedSource;
  /** The same server as installed before, if it is. */
  installed?: InstalledServer;
  /** Every entry mcpm manages, whatever the server: a key held by one of them belongs to that server. */
  managed: Array<{ server: string; client: string; file: string; key: string }>;
  /** Entries an interrupted run of this install journaled before writing them: they are mcpm's. */
  pending: Array<{ client: string; file: string; key: string; record?: EditRecord }>;
  files: ClientFileFacts[];
  inputs: ChosenInputs;
  /** --as */
  as?: string;
  /** The user's own arguments after the server's (npm): kept from an adopted entry or the installed version. */
  extraArgs?: string[];
  scope: Scope;
  /** For project scope: the project folder (where its mcpm.json and lock are). */
  project?: string;
  /** The profile whose secrets and inputs the entries use. */
  profile: string;
  keychain: boolean;
  /** The `guard` setting (entries start `mcpm run --guard`). */
  guard?: boolean;
  /** This server's secrets file (of the profile in use). */
  secretsFile: string;
  /** The store folder the version would occupy (package types that have one). */
  storeDir?: string;
  lock?: LockedTree;
  flags: { inlineSecrets: boolean; adopt: boolean; allowScripts: boolean; engineStrict: boolean; allowRuntimeArgs: boolean };
  /** Files whose foreign entry at the key the user agreed to replace. */
  confirmedReplace: string[];
  /** A person can be asked (a TTY, no --yes, no --json). */
  canAsk: boolean;
  /** A person agreed to replace fields of mcpm's entries they had changed. */
  overridesConfirmed?: boolean;
  machine: Machine;
}

/** Why writing over an existing value at the key is allowed. */
export type Replaces = 'previous-install' | 'resumed' | 'adopted' | 'confirmed' | 'identical';

export interface PlannedTarget {
  location: ClientLocation;
  key: string;
  form: FormChoice;
  /** Set when the key may hold a value that this write replaces. */
  replaces?: Replaces;
  previousEntry?: ManagedEntry;
  /** The insertion record an interrupted run journaled (so a resumed install keeps what the first one created). */
  resumedRecord?: EditRecord;
  /** The server was disabled here: by the client's own switch (kept off), or by removal (the entry waits in the state). */
  disabled?: 'switch' | 'removed';
  /** Fields mcpm owns that the user changed in the file since mcpm wrote them: replaced, and said so. */
  userChanged?: string[];
}

export interface PackageRecord {
  registryType: string;
  identifier: string;
  version: string;
  registryBaseUrl?: string;
}

export interface InstallPlan {
  server: string;
  version: string;
  /** The version's server.json as the registry gave it (recorded, so rollback needs no registry). */
  serverJson: ServerJson;
  registry: string;
  range?: string;
  scope: Scope;
  project?: string;
  profile: string;
  source: PreparedSource;
  /** The registry's package fields (absent for a remote server). */
  package?: PackageRecord;
  store: StoreAction;
  storeDir?: string;
  /** --as, or the key installs before chose, or the short name: what the state and manifest record. */
  key: string;
  inputs: EntryInputs;
  /** How the secrets file is written: the launcher's format; npm entries always name it. */
  secrets: { format?: EnvFileFormat; always: boolean };
  targets: PlannedTarget[];
  previous?: InstalledServer;
  flags: InstallFacts['flags'];
  /** Said to the user before anything is done (and by --dry-run). */
  notes: string[];
  warnings: string[];
  /** Foreign entries at the key that only a person may agree to replace (asked, then planned again). */
  questions: Array<{ location: ClientLocation; key: string }>;
  /** Runtime options from registry data that only a person may accept (asked, then planned again). */
  runtimeConsent: UnsafeOption[];
}



const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function planInstall(facts: InstallFacts): InstallPlan {
  const { server, source, installed } = facts;
  const key = facts.as ?? installed?.entries[0]?.key ?? defaultEntryKey(server.name);
  if (!KEY.test(key)) throw new McpmError('EUSAGE', `"${key}" cannot be an entry key`, { hint: 'Use letters, digits, ".", "_" and "-" with --as.' });

  // Secret as the registry says, or as chosen (a credential by name or value, unless --no-secret said otherwise).
  const secretNames = new Set([
    ...sourceRequests(source).filter((r) => r.isSecret && !r.secretByName).map((r) => r.name),
    ...Object.keys(facts.inputs.secretEnv),
    ...Object.keys(facts.inputs.secretArgs),
  ]);
  const environment = sourceEnvironment(source, facts.inputs, { ...facts.inputs.args, ...facts.inputs.secretArgs }, (name) => secretNames.has(name));
  const hasSecrets = Object.keys(environment.secretEnv).length + Object.keys(facts.inputs.secretArgs).length > 0;
  if (facts.keychain && hasSecrets && source.kind !== 'npm' && source.kind !== 'remote') {
    // Only `mcpm run` can read a keychain at launch: it starts npm servers and bridges remote ones.
    throw new McpmError('EUNSUPPORTED', `The keychain backend keeps secrets for npm and remote servers; ${server.name} is a ${source.kind} package`, {
      hint: 'Install it with MCPM_SECRETS=file (the default), which its launcher reads.',
    });
  }
  const format = secretsFormatOf(source, facts.machine.nodePath);
  const usesFile = format !== undefined && (source.kind === 'npm' || (!facts.keychain && Object.keys(environment.secretEnv).length > 0));
  const inputs: EntryInputs = {
    ...environment,
    args: facts.inputs.args,
    secretArgs: facts.inputs.secretArgs,
    inlineSecrets: facts.flags.inlineSecrets,
    ...(usesFile ? { secretsFile: facts.secretsFile } : {}),
    ...(facts.extraArgs?.length && source.kind === 'npm' ? { extraArgs: facts.extraArgs } : {}),
  };

  const store = storeAction(server.name, server.version, source, { lock: facts.lock, allowScripts: facts.flags.allowScripts, engineStrict: facts.flags.engineStrict, repositoryUrl: server.repository?.url });
  const launch = source.kind === 'remote' ? undefined : directLaunch(source, launchInputs(inputs), previewStored(store, facts.storeDir), facts.machine);
  const runtimeConsent = consentNeeded(launch?.unsafeOptions ?? [], source, facts);
  const personalRemote = source.kind === 'remote' && Object.keys(facts.inputs.args).length + Object.keys(facts.inputs.secretArgs).length > 0;
  const formFacts = { server: server.name, source, secretArgNames: launch?.secretArgs ?? [], keychainSecrets: facts.keychain && hasSecrets, inlineSecrets: facts.flags.inlineSecrets, personalRemote, guard: facts.guard === true };

  const notes: string[] = [];
  const warnings: string[] = [];
  const questions: InstallPlan['questions'] = [];
  const secretInputs = [...Object.keys(inputs.secretEnv), ...Object.keys(inputs.secretArgs)];
  if (facts.inputs.promoted?.length) {
    notes.push(`${facts.inputs.promoted.join(', ')} look${facts.inputs.promoted.length === 1 ? 's' : ''} like a credential: kept in mcpm's 0600 secrets file, not in client files (\`--no-secret NAME\` keeps a value in plaintext)`);
  }
  if (facts.flags.allowRuntimeArgs && launch?.unsafeOptions?.length) {
    warnings.push(`--allow-runtime-args: passing the registry entry's ${launch.unsafeOptions.map((o) => o.option).join(', ')} to ${launch.command}`);
  }
  if (facts.flags.inlineSecrets && secretInputs.length > 0) {
    warnings.push(`--inline-secrets: ${secretInputs.join(', ')} written in plaintext into each client file (mcpm keeps them in its 0600 secrets file too)`);
  }
  const targets = facts.files.map((file): PlannedTarget => {
    const { location } = file;
    const previousEntry = installed?.entries.find((e) => e.client === location.client.id && samePath(e.file, location.file));
    const targetKey = previousEntry?.key ?? clientKey(location.client, facts.as ?? key);
    const resumed = facts.pending.find((p) => p.client === location.client.id && samePath(p.file, location.file) && p.key === targetKey);
    const form = chooseForm(formFacts, location.client, location.scope);
    if (form.why && !notes.includes(form.why)) notes.push(form.why);
    if (!facts.flags.inlineSecrets) warnings.push(...plaintextWarnings(form, launch, location, secretNames));
    const ours = renderEntry({ client: location.client, key: targetKey, form }, { server: server.name, source, inputs, machine: facts.machine }, previewStored(store, facts.storeDir));
    const replaces = replacement(facts, { location, key: targetKey, previousEntry, resumed: resumed !== undefined, ours });
    if (replaces === 'ask') questions.push({ location, key: targetKey });
    return {
      location,
      key: targetKey,
      form,
      ...(replaces && replaces !== 'ask' ? { replaces } : {}),
      ...(previousEntry ? { previousEntry } : {}),
      ...(resumed?.record ? { resumedRecord: resumed.record } : {}),
      ...(previousEntry?.disabled ? { disabled: location.client.disable ? 'switch' : 'removed' } : {}),
    };
  });

  // Every entry is rendered once here, so a value that cannot go into a file (a header with a line break, a value
  // that would move a URL to another host) fails before anything is downloaded or written; and what the user
  // changed in mcpm's own fields since mcpm wrote them is found, to be said before it is replaced.
  for (const target of targets) {
    const ours = renderEntry({ client: target.location.client, key: target.key, form: target.form }, { server: server.name, source, inputs, machine: facts.machine }, previewStored(store, facts.storeDir));
    const current = facts.files.find((f) => f.location === target.location)?.entries?.get(target.key);
    const { userChanged } = mergeEntry(current, ours, target.previousEntry?.written, secretValues(inputs), inputNames(inputs));
    if (userChanged.length === 0) continue;
    target.userChanged = userChanged;
    if (!facts.canAsk || facts.overridesConfirmed) {
      warnings.push(`${target.location.client.name}'s entry "${target.key}" had changes of yours to ${userChanged.join(', ')}, which mcpm owns: replaced (your other fields stay)`);
    }
  }

  return {
    server: server.name,
    version: server.version,
    serverJson: server,
    registry: facts.registry,
    ...(facts.range ? { range: facts.range } : {}),
    scope: facts.scope,
    ...(facts.project ? { project: facts.project } : {}),
    profile: facts.profile,
    source,
    ...(source.kind !== 'remote' ? { package: packageRecord(source, server.version) } : {}),
    store,
    ...(facts.storeDir ? { storeDir: facts.storeDir } : {}),
    key,
    inputs,
    secrets: { format, always: source.kind === 'npm' },
    targets,
    ...(installed ? { previous: installed } : {}),
    flags: facts.flags,
    notes,
    warnings,
    questions,
    runtimeConsent,
  };
}

/**
 * Runtime options from registry data outside the safe set (see runtime-options.ts): accepted with
 * --allow-runtime-args, asked about on a terminal, otherwise refused naming each.
 */
function consentNeeded(unsafe: UnsafeOption[], source: PreparedSource, facts: InstallFacts): UnsafeOption[] {
  if (unsafe.length === 0 || facts.flags.allowRuntimeArgs) return [];
  if (facts.canAsk) return unsafe;
  const runtime = source.kind === 'oci' ? 'docker' : source.kind === 'pypi' ? 'uvx' : 'dnx';
  throw new McpmError('EUNSAFE', `${facts.server.name}'s registry entry gives ${runtime} options that reach beyond the server: ${unsafe.map(describeUnsafe).join('; ')}`, {
    hint: 'Install with --allow-runtime-args if you accept them, or choose another package type with --package-type.',
  });
}

/**
 * The one rule for writing over a value already at the key: an entry this server had there, one an interrupted run
 * of this install journaled, an adopted one (`mcpm import --adopt`), or one the user agreed to replace. A key held
 * by another installed server, or by an entry mcpm does not manage, is never overwritten silently: a person may be
 * asked ("ask"); otherwise it is ECONFLICT naming --as.
 */
function replacement(
  facts: InstallFacts,
  target: { location: ClientLocation; key: string; previousEntry?: ManagedEntry; resumed: boolean; ours: unknown },
): Replaces | 'ask' | undefined {
  const { location, key } = target;
  if (target.previousEntry) return 'previous-install';
  if (target.resumed) return 'resumed';
  if (facts.flags.adopt) return 'adopted';
  const entries = facts.files.find((f) => f.location === location)?.entries;
  if (!entries?.has(key)) return undefined;
  // Exactly what mcpm would write (a project's shared entry, on a teammate's machine): nothing of anyone's is lost.
  if (JSON.stringify(entries.get(key)) === JSON.stringify(target.ours)) return 'identical';
  const owner = facts.managed.find((e) => e.key === key && samePath(e.file, location.file));
  if (owner && owner.server === facts.server.name && facts.installed) return 'previous-install';
  if (!owner && facts.confirmedReplace.some((file) => samePath(file, location.file))) return 'confirmed';
  if (!owner && facts.canAsk) return 'ask';
  const whose = owner ? `that mcpm installed for ${owner.server}` : 'that mcpm does not manage';
  throw new McpmError('ECONFLICT', `${location.client.name} already has an entry "${key}" ${whose} (${location.file})`, {
    hint: 'Choose another key with --as <key>; mcpm never overwrites an entry it does not own.',
  });
}

/** Secrets that cannot be kept out of a client's file: the user should know where they are. */
function plaintextWarnings(form: FormChoice, launch: ReturnType<typeof directLaunch> | undefined, location: ClientLocation, secretNames: Set<string>): string[] {
  const file = location.file;
  if (form.form === 'remote') {
    const headers = secretHeaderNames(form.remote!, secretNames);
    return headers.length > 0 ? [`${location.client.name} reads headers from its file: ${headers.join(', ')} written in plaintext to ${file}`] : [];
  }
  if (form.form !== 'direct' || !launch) return [];
  return [
    ...(launch.secretArgs.length > 0 ? [`The server takes ${launch.secretArgs.join(', ')} as command-line arguments: written in plaintext to ${file}`] : []),
    ...(launch.secretEnvInEntry.length > 0 ? [`This server's launcher reads no env file: ${launch.secretEnvInEntry.join(', ')} written in plaintext to ${file}`] : []),
  ];
}

function packageRecord(source: PreparedPackage, serverVersion: string): PackageRecord {
  const { pkg } = source;
  return {
    registryType: source.kind,
    identifier: pkg.identifier,
    version: pkg.version ?? serverVersion,
    ...(pkg.registryBaseUrl ? { registryBaseUrl: pkg.registryBaseUrl } : {}),
  };
}
