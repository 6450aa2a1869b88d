import path from 'node:path';
import { McpmError } from '../errors.js';
import { NODE_ENV_FILE, type Launch, type LaunchInputs } from './launch.js';
import { listOf, type InputRequest } from './request.js';
import { own } from '../json.js';

/**
 * Pure: an MCP Bundle's manifest.json (https://github.com/anthropics/mcpb, MANIFEST.md) as mcpm reads it: how to
 * start the server (`server.type`, `entry_point`, `mcp_config` with `${__dirname}`, `${HOME}`... and
 * `${user_config.KEY}` substitution, `platform_overrides`), what it asks the user (`user_config`), where it runs
 * (`compatibility.platforms`).
 */
export interface UserConfigOption {
  type?: string;
  title?: string;
  description?: string;
  required?: boolean;
  default?: unknown;
  multiple?: boolean;
  sensitive?: boolean;
  min?: number;
  max?: number;
}

interface McpConfig {
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  platform_overrides?: Record<string, { command?: string; args?: string[]; env?: Record<string, string> }>;
}

export interface BundleManifest {
  name?: string;
  version?: string;
  server: { type: string; entry_point?: string; mcp_config?: McpConfig };
  user_config: Record<string, UserConfigOption>;
  platforms?: string[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const strings = (value: unknown): string[] | undefined => (Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined);
const stringMap = (value: unknown): Record<string, string> | undefined =>
  isObject(value) && Object.values(value).every((v) => typeof v === 'string') ? (value as Record<string, string>) : undefined;

function bad(message: string): McpmError {
  return new McpmError('EPACKAGE', `The bundle's manifest.json ${message}`, { hint: 'The bundle is malformed; try another version or report it to its author.' });
}

export function readManifest(text: string): BundleManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw bad('is not valid JSON');
  }
  if (!isObject(raw) || !isObject(raw.server)) throw bad('has no "server" object');
  const server = raw.server;
  const type = typeof server.type === 'string' ? server.type : undefined;
  if (!type) throw bad('does not say the server\'s type (node, python, binary)');
  const config = isObject(server.mcp_config) ? server.mcp_config : undefined;
  const overrides: McpConfig['platform_overrides'] = {};
  if (config && isObject(config.platform_overrides)) {
    for (const [platform, value] of Object.entries(config.platform_overrides)) {
      if (isObject(value)) overrides[platform] = { command: typeof value.command === 'string' ? value.command : undefined, args: strings(value.args), env: stringMap(value.env) };
    }
  }
  const userConfig: Record<string, UserConfigOption> = {};
  if (isObject(raw.user_config)) {
    for (const [key, option] of Object.entries(raw.user_config)) if (isObject(option) && /^[A-Za-z0-9_.-]+$/.test(key)) userConfig[key] = option as UserConfigOption;
  }
  const compatibility = isObject(raw.compatibility) ? raw.compatibility : {};
  return {
    name: typeof raw.name === 'string' ? raw.name : undefined,
    version: typeof raw.version === 'string' ? raw.version : undefined,
    server: {
      type,
      entry_point: typeof server.entry_point === 'string' ? server.entry_point : undefined,
      mcp_config: config
        ? { command: typeof config.command === 'string' ? config.command : undefined, args: strings(config.args), env: stringMap(config.env), platform_overrides: overrides }
        : undefined,
    },
    user_config: userConfig,
    platforms: strings(compatibility.platforms),
  };
}

const FORMATS: Record<string, string> = { number: 'number', boolean: 'boolean', directory: 'filepath', file: 'filepath' };

/**
 * The bundle's user_config as inputs, given with `--arg KEY=VALUE` (repeated for `multiple`). A default satisfies
 * `required`: it is not asked for, and the launch uses the whole default (every value of a `multiple` one).
 */
export function userConfigRequests(manifest: BundleManifest, dirs: Record<string, string>): InputRequest[] {
  return Object.entries(manifest.user_config).map(([key, option]) => {
    const defaults = listOf(defaultValues(option.default)).map((value) => substitute(value, dirs));
    return {
      kind: 'arg',
      name: key,
      description: option.description ?? option.title,
      isRequired: option.required === true && defaults.length === 0,
      isSecret: option.sensitive === true,
      ...(defaults.length > 0 ? { default: defaults[0] } : {}),
      ...(option.type && FORMATS[option.type] ? { format: FORMATS[option.type] } : {}),
      ...(option.multiple ? { isRepeated: true } : {}),
      ...(typeof option.min === 'number' ? { min: option.min } : {}),
      ...(typeof option.max === 'number' ? { max: option.max } : {}),
    } satisfies InputRequest;
  });
}

function defaultValues(value: unknown): string | string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String);
  return String(value);
}

/** `${HOME}`, `${__dirname}`, `${/}`...: the bundle's own variables (not user_config). */
function substitute(text: string, variables: Record<string, string>): string {
  return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => own(variables, name) ?? whole);
}

/** Whether the bundle runs here (compatibility.platforms uses node's process.platform names). */
export function supportsPlatform(manifest: BundleManifest, platform: string): boolean {
  return !manifest.platforms || manifest.platforms.length === 0 || manifest.platforms.includes(platform);
}

/** The command the bundle names before mcpm resolves it: "node" is mcpm's node; a path is inside the bundle. */
export function bundleCommand(manifest: BundleManifest, platform: string): string {
  const config = manifest.server.mcp_config;
  const command = config?.platform_overrides?.[platform]?.command ?? config?.command;
  if (command) return command;
  if (manifest.server.type === 'node') return 'node';
  if (manifest.server.type === 'python') return 'python3';
  if (manifest.server.type === 'binary' && manifest.server.entry_point) return `\${__dirname}/${manifest.server.entry_point}`;
  throw bad(`has no mcp_config.command, and a "${manifest.server.type}" server cannot be started from its entry_point alone`);
}

export interface BundlePlace {
  /** The folder the bundle is unpacked into (its store version). */
  dir: string;
  platform: string;
  /** HOME, DESKTOP, DOCUMENTS, DOWNLOADS for `${...}` in the manifest. */
  dirs: Record<string, string>;
}

/** `${user_config.KEY}` (and the bundle's own variables) filled in manifest strings. */
function expander(manifest: BundleManifest, values: LaunchInputs['values'], place: BundlePlace) {
  const separator = place.platform === 'win32' ? '\\' : '/';
  const builtins: Record<string, string> = { ...place.dirs, __dirname: place.dir, pathSeparator: separator, '/': separator };
  const valuesOf = (key: string): string[] => {
    const given = listOf(own(values, key));
    if (given.length > 0) return given;
    return listOf(defaultValues(own(manifest.user_config, key)?.default)).map((value) => substitute(value, builtins));
  };
  /** One manifest string to zero or more strings (zero: it named a key without a value), and the keys it used. */
  return (text: string, whole: boolean): { values: string[]; keys: string[] } => {
    const alone = /^\$\{user_config\.([^}]+)\}$/.exec(text);
    if (alone && whole) return { values: valuesOf(alone[1]!), keys: [alone[1]!] };
    const keys: string[] = [];
    let missing = false;
    // One pass over the manifest's own text: a user's value is inserted as it is, never read for `${...}` again.
    const filled = text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
      if (!name.startsWith('user_config.')) return own(builtins, name) ?? whole;
      const key = name.slice('user_config.'.length);
      keys.push(key);
      const [first] = valuesOf(key);
      if (first === undefined) missing = true;
      return first ?? '';
    });
    return { values: missing ? [] : [filled], keys };
  };
}

const sensitive = (manifest: BundleManifest, isSecret: (name: string) => boolean) => (key: string) => own(manifest.user_config, key)?.sensitive === true || isSecret(key);

/**
 * Pure: the environment the bundle's mcp_config sets, filled. An env value using a sensitive key is secret; one
 * naming a key without a value is left out.
 */
export function bundleEnvironment(manifest: BundleManifest, values: LaunchInputs['values'], isSecret: (name: string) => boolean, place: BundlePlace) {
  const config = manifest.server.mcp_config;
  const expand = expander(manifest, values, place);
  const secret = sensitive(manifest, isSecret);
  const out = { env: {} as Record<string, string>, secretEnv: {} as Record<string, string> };
  for (const [name, template] of Object.entries({ ...config?.env, ...config?.platform_overrides?.[place.platform]?.env })) {
    const { values: [value], keys } = expand(template, false);
    if (value !== undefined) (keys.some(secret) ? out.secretEnv : out.env)[name] = value;
  }
  return out;
}

export interface BundleRuntime extends BundlePlace {
  /** The absolute path of a bare command (node: mcpm's node; python3, uv...: found on PATH at install). */
  resolve: (command: string) => string;
  /** mcpm's node: a bundle started with it reads its secrets from node's --env-file. */
  node: string;
  /** The registry entry's own package arguments, appended. */
  extraArgs: string[];
}

/**
 * Pure: the bundle's launch. `${user_config.KEY}` alone in an argument expands to each of its values; inside a
 * longer string it is replaced by the (first) value; an optional key without a value removes the argument that
 * names it. A command inside the bundle becomes an absolute path in the store (`.exe` added on Windows); it may
 * not leave the bundle's folder. `inputs.env`/`secretEnv` already hold bundleEnvironment's values; with node the
 * secret ones are read from node's --env-file, otherwise they go into the entry's env (warned by the caller).
 */
export function bundleLaunch(manifest: BundleManifest, inputs: LaunchInputs, runtime: BundleRuntime): Launch {
  const config = manifest.server.mcp_config;
  const override = config?.platform_overrides?.[runtime.platform];
  const expand = expander(manifest, inputs.values, runtime);
  const secret = sensitive(manifest, inputs.isSecret);
  const rawArgs = override?.args ?? config?.args ?? (manifest.server.entry_point && !config?.command ? [`\${__dirname}/${manifest.server.entry_point}`] : []);
  const secretArgs = new Set<string>();
  const args = rawArgs.flatMap((arg) => {
    const { values, keys } = expand(arg, true);
    if (values.length > 0) for (const key of keys.filter(secret)) secretArgs.add(key);
    return values;
  });
  const [command] = expand(bundleCommand(manifest, runtime.platform), false).values;
  if (command === undefined) throw bad('names a command from user_config that has no value');
  const absolute = commandPath(command, runtime);
  const node = absolute === runtime.node;
  const useFile = node && inputs.secretsFile !== undefined && Object.keys(inputs.secretEnv).length > 0;
  return {
    command: absolute,
    args: [...(useFile ? [`${NODE_ENV_FILE}=${inputs.secretsFile}`] : []), ...args, ...runtime.extraArgs],
    env: node ? inputs.env : { ...inputs.env, ...inputs.secretEnv },
    secretArgs: [...secretArgs],
    secretEnvInEntry: node ? [] : Object.keys(inputs.secretEnv),
  };
}

function commandPath(command: string, runtime: BundleRuntime): string {
  if (!command.includes('/') && !command.includes('\\')) return runtime.resolve(command);
  const absolute = path.resolve(runtime.dir, command);
  const relative = path.relative(runtime.dir, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new McpmError('EPACKAGE', `The bundle's command ${command} is outside the bundle`, { hint: 'Refusing to start it; report the bundle to its author.' });
  }
  return runtime.platform === 'win32' && path.extname(absolute) === '' ? `${absolute}.exe` : absolute;
}
