import type { ClientDefinition } from '../clients/table.js';
import { McpmError } from '../errors.js';
import type { Transport } from '../registry/types.js';
import { renderRemoteEntry, renderStdioEntry, type LaunchSpec } from './entry.js';
import { renderPackageArguments, type ArgValues } from './inputs.js';
import { npmLaunch, nugetLaunch, ociLaunch, pypiLaunch, type Launch, type LaunchInputs } from './launch.js';
import { bundleLaunch } from './mcpb.js';
import type { PreparedPackage, PreparedSource } from './prepared-source.js';
import { listOf } from './request.js';
import { preferredRemote, renderRemote } from './remote.js';
import type { StoredPackage } from './store-action.js';

/**
 * How a client's entry starts a server, decided here and nowhere else:
 * - `direct`: the runtime on the package in the store (node on the bin, uvx, docker, dnx, a bundle's command);
 * - `mcpm-run`: `mcpm run <name>`, which passes secrets only when it starts the server (a secret the server takes
 *   as an argument, secrets the keychain holds);
 * - `remote`: the client's own remote shape (URL and headers);
 * - `bridge`: `mcpm run <name>` relaying stdio to a remote server, for a client that cannot hold it in its file;
 * - `portable`: `mcpm run <name>` by name, for a project's files, which are committed: nothing in it is specific to
 *   one machine or user (mcpm finds the store version and the inputs on each machine; see commands/run.ts).
 */
export type EntryForm = 'direct' | 'mcpm-run' | 'remote' | 'bridge' | 'portable';

export interface FormChoice {
  form: EntryForm;
  /** For remote and bridge: the transport the entry (or the bridge) connects with. */
  remote?: Transport;
  /** Why it is not `direct`/`remote`, as the user is told. */
  why?: string;
  /** The entry starts `mcpm run --guard` (the `guard` setting; see trust/guard.ts). */
  guard?: boolean;
}

/** What an entry needs from the machine: mcpm's own node and script, where secrets are, how to find commands. */
export interface Machine {
  nodePath: string;
  /** bin/mcpm.js by absolute path, for entries that start `mcpm run`. */
  mcpmScript: string;
  /** MCPM_HOME, when the data folder is not the one HOME alone gives (see paths.ts dataFolderEnv). */
  mcpmEnv: Record<string, string>;
  /** The absolute path of a bare command on PATH (a bundle's python3), or undefined. */
  which(command: string): string | undefined;
}

export interface FormFacts {
  server: string;
  source: PreparedSource;
  /** Names of secret inputs the direct launch would put in argv. */
  secretArgNames: string[];
  /** Secrets exist and live in the keychain, which no client can read. */
  keychainSecrets: boolean;
  inlineSecrets: boolean;
  /** A remote server's URL or headers hold values of the user's (inputs given): not for a shared file. */
  personalRemote?: boolean;
  /** The `guard` setting: stdio servers' entries start `mcpm run --guard`. */
  guard?: boolean;
}

export function chooseForm(facts: FormFacts, client: ClientDefinition, scope: 'user' | 'project' = 'user'): FormChoice {
  const choice = chooseUnguarded(facts, client, scope);
  // The guard relays stdio, so it covers every entry that starts a process of the server's package.
  if (!facts.guard || facts.source.kind === 'remote') return choice;
  if (choice.form === 'portable') return { ...choice, guard: true };
  if (choice.form !== 'direct' && choice.form !== 'mcpm-run') return choice;
  return {
    form: 'mcpm-run',
    guard: true,
    why: `The guard setting is on: ${client.name}'s entry starts \`mcpm run --guard ${facts.server}\`, which hides tools that changed since they were pinned` + (choice.why ? `; ${choice.why}` : ''),
  };
}

function chooseUnguarded(facts: FormFacts, client: ClientDefinition, scope: 'user' | 'project'): FormChoice {
  const { source, server } = facts;
  if (scope === 'project') {
    // A remote server's URL and headers are the same for everyone, unless a value of one user's is in them.
    const native = source.kind === 'remote' && !facts.personalRemote ? source.remotes.find((r) => client.remote?.transports.includes(r.type as 'streamable-http' | 'sse')) : undefined;
    if (native) return { form: 'remote', remote: native };
    return {
      form: 'portable',
      ...(source.kind === 'remote' ? { remote: preferredRemote(source.remotes)! } : {}),
      why: `Project files are shared: ${client.name}'s entry in this project starts \`mcpm run ${server}\` by name, which finds the installed version and your inputs on each machine (teammates run \`mcpm install\` in the project)`,
    };
  }
  if (source.kind === 'remote') {
    const native = source.remotes.find((r) => client.remote?.transports.includes(r.type as 'streamable-http' | 'sse'));
    if (native) return { form: 'remote', remote: native };
    const bridged = preferredRemote(source.remotes)!;
    return {
      form: 'bridge',
      remote: bridged,
      why: `${client.name} cannot connect to ${bridged.type} servers from its file: its entry starts \`mcpm run ${server}\`, which relays stdio to ${bridged.url}` +
        ` (if the server asks for authorization, run \`mcpm login ${server}\` first, or sign in when the browser opens)`,
    };
  }
  if (source.kind === 'npm' && !facts.inlineSecrets) {
    if (facts.keychainSecrets) {
      return { form: 'mcpm-run', why: `${server}'s secrets are in the operating system's keychain, which clients cannot read: its entries start \`mcpm run ${server}\`, which reads them when it starts the server` };
    }
    if (facts.secretArgNames.length > 0) {
      return { form: 'mcpm-run', why: `${server} takes ${facts.secretArgNames.join(', ')} as command-line arguments: its entries start \`mcpm run ${server}\`, which passes them only when it starts the server, so no client file holds them` };
    }
  }
  return { form: 'direct' };
}

/** The values an entry launches with. */
export interface EntryInputs {
  env: Record<string, string>;
  secretEnv: Record<string, string>;
  args: ArgValues;
  secretArgs: ArgValues;
  /** The secrets file the launcher reads, when it reads one and has something (or always, for npm). */
  secretsFile?: string;
  inlineSecrets: boolean;
  /** Arguments of the user's own after the server's (an adopted `npx -y pkg --verbose` keeps `--verbose`); npm only. */
  extraArgs?: string[];
}

/** The secret values an entry may carry (inline, in argv, in headers): masked wherever mcpm keeps or shows it. */
export function secretValues(inputs: Pick<EntryInputs, 'secretEnv' | 'secretArgs'>): string[] {
  return [...Object.values(inputs.secretEnv), ...Object.values(inputs.secretArgs).flat()];
}

/** The names of the inputs mcpm delivers: keys of these names in an entry's maps are mcpm's (see mergeEntry). */
export function inputNames(inputs: Pick<EntryInputs, 'env' | 'secretEnv' | 'secretArgs'>): string[] {
  return [...Object.keys(inputs.env), ...Object.keys(inputs.secretEnv), ...Object.keys(inputs.secretArgs)];
}

export function launchInputs(inputs: EntryInputs): LaunchInputs {
  const secretNames = new Set([...Object.keys(inputs.secretEnv), ...Object.keys(inputs.secretArgs)]);
  return {
    values: { ...inputs.args, ...inputs.secretArgs },
    env: inputs.inlineSecrets ? { ...inputs.env, ...inputs.secretEnv } : inputs.env,
    secretEnv: inputs.secretEnv,
    secretsFile: inputs.secretsFile,
    isSecret: (name) => secretNames.has(name),
  };
}

/** Pure: the direct launch of a package, from the store step's report. */
export function directLaunch(source: PreparedPackage, inputs: LaunchInputs, stored: StoredPackage, machine: Machine, extraArgs: string[] = []): Launch {
  switch (source.kind) {
    case 'npm': {
      const launch = npmLaunch(source.pkg, inputs, { node: machine.nodePath, bin: stored.bin ?? '' });
      return { ...launch, args: [...launch.args, ...extraArgs] };
    }
    case 'pypi':
      return pypiLaunch(source.pkg, inputs, { uvx: source.uvx, cacheDir: stored.cacheDir ?? '', scripts: stored.scripts ?? [] });
    case 'oci':
      return ociLaunch(source.pkg, inputs, { engine: source.engine, image: stored.image ?? '' });
    case 'nuget':
      return nugetLaunch(source.pkg, inputs, { dnx: source.dnx });
    case 'mcpb':
      return bundleLaunch(source.manifest, inputs, {
        ...source.place,
        node: machine.nodePath,
        resolve: (command) => {
          const found = command === 'node' ? machine.nodePath : machine.which(command);
          if (!found) throw new McpmError('EUNSUPPORTED', `The bundle is started with ${command}, which is not on PATH`, { hint: `Install ${command}, then run the install again.` });
          return found;
        },
        extraArgs: renderPackageArguments(source.pkg, inputs.values, inputs.isSecret).argv,
      });
  }
}

/**
 * A launch with each secret value replaced by a placeholder naming it: what mcpm's state keeps so that `mcpm run`
 * can start any package type (and a project's version) without the state ever holding a secret value.
 */
export function launchTemplate(source: PreparedPackage, inputs: EntryInputs, stored: StoredPackage, machine: Machine): LaunchSpec {
  const marked: EntryInputs = {
    ...inputs,
    inlineSecrets: false,
    secretEnv: Object.fromEntries(Object.keys(inputs.secretEnv).map((name) => [name, placeholder(name, 0)])),
    secretArgs: Object.fromEntries(Object.entries(inputs.secretArgs).map(([name, value]) => [name, Array.isArray(value) ? value.map((_, i) => placeholder(name, i)) : placeholder(name, 0)])),
  };
  const { command, args, env } = directLaunch(source, launchInputs(marked), stored, machine, inputs.extraArgs);
  return { command, args, env };
}

const MARK = '\u0001';
const placeholder = (name: string, index: number) => `${MARK}secret:${name}:${index}${MARK}`;
const PLACEHOLDER = /\u0001secret:([^:\u0001]+):(\d+)\u0001/g;

/** A launch template with its secrets filled in, at spawn time. Undefined names are listed as missing. */
export function fillLaunch(spec: LaunchSpec, secrets: ArgValues): { launch: LaunchSpec; missing: string[] } {
  const missing = new Set<string>();
  const fill = (text: string) =>
    text.replace(PLACEHOLDER, (_, name: string, index: string) => {
      const value = listOf(Object.hasOwn(secrets, name) ? secrets[name] : undefined)[Number(index)];
      if (value === undefined) missing.add(name);
      return value ?? '';
    });
  const launch = { command: fill(spec.command), args: spec.args.map(fill), env: Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, fill(v)])) };
  return { launch, missing: [...missing] };
}

/** `mcpm run <name>` by absolute paths, with the data folder, so a client can start it with a minimal environment. */
export function viaMcpm(machine: Machine, server: string, guard = false): LaunchSpec {
  return { command: machine.nodePath, args: [machine.mcpmScript, 'run', ...(guard ? ['--guard'] : []), server], env: machine.mcpmEnv };
}

/** Pure: one client's entry, in its shape. */
export function renderEntry(
  target: { client: ClientDefinition; key: string; form: FormChoice },
  facts: { server: string; source: PreparedSource; inputs: EntryInputs; machine: Machine },
  stored: StoredPackage,
): Record<string, unknown> {
  const { client, key, form } = target;
  switch (form.form) {
    case 'mcpm-run':
    case 'bridge':
      return renderStdioEntry(client.stdio, viaMcpm(facts.machine, facts.server, form.guard), key);
    case 'portable':
      return renderStdioEntry(client.stdio, { command: 'mcpm', args: ['run', ...(form.guard ? ['--guard'] : []), facts.server], env: {} }, key);
    case 'remote': {
      const values = Object.fromEntries(Object.entries({ ...facts.inputs.args, ...facts.inputs.secretArgs }).map(([name, value]) => [name, listOf(value)[0]!]));
      const remote = form.remote!;
      return renderRemoteEntry(client.remote!.shape, renderRemote(remote, remote.type as 'streamable-http' | 'sse', values), key);
    }
    case 'direct': {
      const launch = directLaunch(facts.source as PreparedPackage, launchInputs(facts.inputs), stored, facts.machine, facts.inputs.extraArgs);
      return renderStdioEntry(client.stdio, { command: launch.command, args: launch.args, env: launch.env }, key);
    }
  }
}
