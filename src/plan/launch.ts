import { McpmError } from '../errors.js';
import type { Input, Package } from '../registry/types.js';
import { argumentOccurrences, renderArguments } from './arguments.js';
import type { LaunchSpec } from './entry.js';
import { launchArguments } from './inputs.js';
import type { ArgValues } from './request.js';
import { reviewOptions, type RuntimeKind, type UnsafeOption } from './runtime-options.js';

/**
 * Pure: for each package type, from the package, the chosen inputs and the absolute paths of the runtime
 * executables, the command line a client starts. Never a shell: every value is one argv item.
 *
 * Secrets: environment values marked secret are written by the caller to `secretsFile` in the format the launcher
 * reads (node's --env-file, docker's --env-file, uv's --env-file), so they are in neither argv nor the client's
 * file. A launcher without an env file (dnx, python and binary bundles) gets them in the entry's env instead,
 * listed in `secretEnvInEntry` so the caller can warn. Secret *arguments* necessarily end up in argv: listed in
 * `secretArgs`.
 */
export interface LaunchInputs {
  /** Values of arguments and `{variables}` (secret ones included). */
  values: ArgValues;
  env: Record<string, string>;
  secretEnv: Record<string, string>;
  /** Where secretEnv was written (in the format `secretsFormat` names), when it is not empty. */
  secretsFile?: string;
  isSecret: (name: string) => boolean;
}

export interface Launch extends LaunchSpec {
  secretArgs: string[];
  secretEnvInEntry: string[];
  /** Runtime options from registry data that need the user's consent (see runtime-options.ts). */
  unsafeOptions?: UnsafeOption[];
}

export type EnvFileFormat = 'node' | 'docker' | 'dotenv';

/** node's option for the secrets file (node >= 20.19, which mcpm requires, has it). */
export const NODE_ENV_FILE = '--env-file-if-exists';

/** Which env-file format a package type's launcher reads; undefined: none (secrets go in the entry's env). */
export function secretsFormat(registryType: string, bundleCommand?: 'node' | 'other'): EnvFileFormat | undefined {
  if (registryType === 'npm') return 'node';
  if (registryType === 'oci') return 'docker';
  if (registryType === 'pypi') return 'dotenv';
  if (registryType === 'mcpb' && bundleCommand === 'node') return 'node';
  return undefined;
}

function render(args: Input[], inputs: LaunchInputs, switches: boolean) {
  return renderArguments(args, inputs.values, { switches, isSecret: inputs.isSecret });
}

/** A runtime's own options from registry data, reviewed (see runtime-options.ts). */
function reviewed(runtime: RuntimeKind, args: Input[], inputs: LaunchInputs) {
  const { occurrences, secrets } = argumentOccurrences(args, inputs.values, { switches: true, isSecret: inputs.isSecret });
  return { ...reviewOptions(runtime, occurrences), secrets };
}

/** Secrets a launcher cannot read from a file go into its env (and are listed, so the caller can warn). */
function secretsInEnv(inputs: LaunchInputs) {
  return { env: { ...inputs.env, ...inputs.secretEnv }, secretEnvInEntry: Object.keys(inputs.secretEnv) };
}

/**
 * npm: the store's bin file, started by the node that ran mcpm; node reads the secrets itself. With
 * `--env-file-if-exists`, a secrets file deleted by hand (or never needed) is harmless rather than node exiting 9 in
 * every client; the entry still names the file, so `mcpm secrets set` needs no rewrite.
 */
export function npmLaunch(pkg: Package, inputs: LaunchInputs, runtime: { node: string; bin: string }): Launch {
  const rendered = render(launchArguments(pkg).package, inputs, false);
  return {
    command: runtime.node,
    args: [...(inputs.secretsFile ? [`${NODE_ENV_FILE}=${inputs.secretsFile}`] : []), runtime.bin, ...rendered.argv],
    env: inputs.env,
    secretArgs: rendered.secrets,
    secretEnvInEntry: [],
  };
}

const PYPI_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const PEP440 = /^[A-Za-z0-9][A-Za-z0-9.+!_-]*$/;

/**
 * pypi: `uvx --cache-dir <store>/uv-cache --offline [--env-file <secrets>] [runtime options] --from pkg==version
 * <command> [arguments]`. The cache in the store was filled at install, so the start needs no network and no
 * `uv cache clean` can take it away. The command is the package's console script (the one named like the package,
 * or its only one). runtimeHint python/python3: the runtime arguments go to the environment's python
 * (`python -m module`). Otherwise runtime arguments up to the first positional one are uvx options; from there on
 * they are the tool's command line (a first positional naming one of the package's scripts is that command).
 */
export function pypiLaunch(pkg: Package, inputs: LaunchInputs, runtime: { uvx: string; cacheDir: string; scripts: string[] }): Launch {
  const identifier = checked(pkg.identifier, PYPI_NAME, 'PyPI package name');
  const version = checked(pkg.version, PEP440, 'PyPI version');
  const { runtime: runtimeArgs, package: packageArgs } = launchArguments(pkg);
  // mcpm's own options come after the registry's, so the pinned package and the offline start always win.
  const own = ['--cache-dir', runtime.cacheDir, '--offline', ...(inputs.secretsFile ? ['--env-file', inputs.secretsFile] : [])];
  const from = ['--from', `${identifier}==${version}`];
  const tail = render(packageArgs, inputs, false);
  let options: Input[] = [];
  let command: string;
  let commandLine: Input[];
  if (pkg.runtimeHint === 'python' || pkg.runtimeHint === 'python3') {
    command = 'python';
    commandLine = runtimeArgs;
  } else {
    const cut = runtimeArgs.findIndex((argument) => argument.type !== 'named');
    options = cut === -1 ? runtimeArgs : runtimeArgs.slice(0, cut);
    commandLine = cut === -1 ? [] : runtimeArgs.slice(cut);
    const first = commandLine[0]?.value;
    if (first !== undefined && runtime.scripts.includes(first)) {
      command = first;
      commandLine = commandLine.slice(1);
    } else {
      command = pickScript(runtime.scripts, identifier);
    }
  }
  const renderedOptions = reviewed('uvx', options, inputs);
  const renderedLine = render(commandLine, inputs, true);
  return {
    command: runtime.uvx,
    args: [...renderedOptions.argv, ...own, ...from, command, ...renderedLine.argv, ...tail.argv],
    env: inputs.env,
    secretArgs: [...new Set([...renderedOptions.secrets, ...renderedLine.secrets, ...tail.secrets])],
    secretEnvInEntry: [],
    unsafeOptions: renderedOptions.unsafe,
  };
}

/** The console script uvx would run: the one named like the package, else the only one. */
export function pickScript(scripts: string[], identifier: string): string {
  const normal = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');
  const named = scripts.find((script) => normal(script) === normal(identifier));
  if (named) return named;
  if (scripts.length === 1) return scripts[0]!;
  if (scripts.length === 0) return identifier;
  throw new McpmError('EPACKAGE', `${identifier} has several commands (${scripts.join(', ')}) and none is named like the package`, {
    hint: 'The registry entry should name the command as the first positional runtime argument; mcpm cannot guess which one is the server.',
  });
}

/**
 * oci: `docker run -i --rm [--env-file <secrets>] [-e NAME]... [runtime options] <image:tag@digest> [arguments]`.
 * Non-secret values are passed by name (`-e NAME`) and carried in the entry's env, secret ones in docker's
 * --env-file, so no value is ever an argv item.
 */
export function ociLaunch(pkg: Package, inputs: LaunchInputs, runtime: { engine: string; image: string }): Launch {
  const { runtime: runtimeArgs, package: packageArgs } = launchArguments(pkg);
  const options = reviewed('docker', runtimeArgs, inputs);
  const tail = render(packageArgs, inputs, false);
  return {
    unsafeOptions: options.unsafe,
    command: runtime.engine,
    args: [
      'run', '-i', '--rm',
      ...(inputs.secretsFile ? ['--env-file', inputs.secretsFile] : []),
      ...Object.keys(inputs.env).flatMap((name) => ['-e', name]),
      ...options.argv,
      runtime.image,
      ...tail.argv,
    ],
    env: inputs.env,
    secretArgs: [...new Set([...options.secrets, ...tail.secrets])],
    secretEnvInEntry: [],
  };
}

const NUGET_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const NUGET_VERSION = /^[0-9A-Za-z][0-9A-Za-z.+-]*$/;

/**
 * nuget: `dnx Package@version --yes [--source <feed>] [runtime options] [-- arguments]`. `--yes` because a client
 * cannot answer dnx's download prompt. dnx reads no env file: secret values are in the entry's env (warned).
 */
export function nugetLaunch(pkg: Package, inputs: LaunchInputs, runtime: { dnx: string }): Launch {
  const identifier = checked(pkg.identifier, NUGET_ID, 'NuGet package id');
  const version = checked(pkg.version, NUGET_VERSION, 'NuGet version');
  const { runtime: runtimeArgs, package: packageArgs } = launchArguments(pkg);
  const options = reviewed('dnx', runtimeArgs, inputs);
  const tail = render(packageArgs, inputs, false);
  const source = pkg.registryBaseUrl && !/^https:\/\/api\.nuget\.org(\/|$)/i.test(pkg.registryBaseUrl) ? ['--source', pkg.registryBaseUrl] : [];
  const { env, secretEnvInEntry } = secretsInEnv(inputs);
  return {
    command: runtime.dnx,
    args: [`${identifier}@${version}`, '--yes', ...source, ...options.argv, ...(tail.argv.length > 0 ? ['--', ...tail.argv] : [])],
    env,
    secretArgs: [...new Set([...options.secrets, ...tail.secrets])],
    secretEnvInEntry,
    unsafeOptions: options.unsafe,
  };
}


function checked(value: string | undefined, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value) || value.length > 200) {
    throw new McpmError('EINVALIDNAME', `Refusing the ${what} ${JSON.stringify(String(value).slice(0, 120))}`, {
      hint: 'The registry entry is malformed; choose another version with name@version.',
    });
  }
  return value;
}
