import { defineCommand } from './spec.js';
import { DEFAULT_CACHE_TTL_MS, type Context } from '../context.js';
import { parseDuration } from '../duration.js';
import { McpmError } from '../errors.js';
import { DEFAULT_REGISTRIES, normalizeRegistryUrl } from '../registry/config.js';
import { updateSettings, type Settings } from '../settings.js';
import { table } from './list.js';
import { flag, settingPath, SUPPLY_KEYS } from '../supply/config-keys.js';

/**
 * `mcpm config get|set|unset|list`: the documented keys of config.json. Values are checked and stored in the form
 * mcpm reads (durations in milliseconds, registry paths absolute); other keys in the file are left alone.
 */
interface KeySpec {
  description: string;
  /** The environment variable that overrides the file, if any. */
  env?: string;
  fallback: unknown;
  parse(value: string, ctx: Context): unknown;
}

const KEYS: Record<string, KeySpec> = {
  registries: {
    description: 'registries, highest priority first (comma-separated; "embedded" is the built-in index); `mcpm registry add` keeps a list',
    env: 'MCPM_REGISTRY',
    fallback: DEFAULT_REGISTRIES.map((r) => r.url).join(','),
    parse: (value, ctx) => {
      const specs = value.split(',').map((s) => s.trim()).filter(Boolean);
      if (specs.length === 0) throw new McpmError('EUSAGE', 'registries cannot be empty', { hint: 'Give at least one registry, or `mcpm config unset registries` for the defaults.' });
      return specs.map((spec) => normalizeRegistryUrl(spec, ctx.cwd)).join(',');
    },
  },
  timeout: {
    description: 'how long to wait for a registry, in milliseconds ("5s" works)',
    env: 'MCPM_TIMEOUT',
    fallback: 5000,
    parse: (value) => duration('timeout', value, 1),
  },
  cacheTtl: {
    description: 'how long cached registry data is used before asking the registry again, in milliseconds ("10m" works; 0: always ask)',
    env: 'MCPM_CACHE_TTL',
    fallback: DEFAULT_CACHE_TTL_MS,
    parse: (value) => duration('cacheTtl', value, 0),
  },
  'oauth.client-metadata-url': {
    description: 'an https URL of a Client ID Metadata Document describing mcpm (client_id = that URL); used with authorization servers that take one, instead of dynamic registration',
    fallback: '',
    parse: (value) => {
      let url: URL | undefined;
      try {
        url = new URL(value);
      } catch {
        url = undefined;
      }
      // The draft's rule: an https URL with a path, which the document's own client_id repeats exactly.
      if (!url || url.protocol !== 'https:' || url.pathname === '/' || url.hash || url.username || url.password) {
        throw new McpmError('EUSAGE', `Invalid oauth.client-metadata-url "${value}"`, { hint: 'Give the https URL (with a path) where mcpm\'s client metadata document is published.' });
      }
      return url.href;
    },
  },
  ...SUPPLY_KEYS,
  guard: {
    description: 'true: entries mcpm writes from now on start `mcpm run --guard <name>`, which withholds tools that changed since they were pinned (reinstall a server to rewrite its entries)',
    fallback: false,
    parse: flag('guard'),
  },
  'dev-files': {
    description: 'true: versions installed from now on keep their packages\' source maps (.map) and type declarations (.d.ts); by default the store leaves them out, as nothing a server runs reads them',
    fallback: false,
    parse: flag('dev-files'),
  },
};

/** A key's value in the file: `policy.<rule>` keys live in the policy section. */
function stored(settings: Settings, key: string): unknown {
  const [first, second] = settingPath(key);
  const top = (settings as Record<string, unknown>)[first];
  if (second === undefined) return top;
  return top && typeof top === 'object' && !Array.isArray(top) ? (top as Record<string, unknown>)[second] : undefined;
}

function store(settings: Settings, key: string, value: unknown): void {
  const [first, second] = settingPath(key);
  const object = settings as Record<string, unknown>;
  if (second === undefined) {
    if (value === undefined) delete object[first];
    else object[first] = value;
    return;
  }
  const section = object[first] && typeof object[first] === 'object' && !Array.isArray(object[first]) ? (object[first] as Record<string, unknown>) : {};
  if (value === undefined) delete section[second];
  else section[second] = value;
  if (Object.keys(section).length > 0) object[first] = section;
  else delete object[first];
}

function duration(key: string, value: string, min: number): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms < min) throw new McpmError('EUSAGE', `Invalid ${key} "${value}"`, { hint: 'Give milliseconds (5000) or a duration: 500ms, 5s, 10m, 1h.' });
  return ms;
}

function spec(key: string): KeySpec {
  const found = Object.hasOwn(KEYS, key) ? KEYS[key] : undefined;
  if (!found) throw new McpmError('EUSAGE', `Unknown setting "${key}"`, { hint: `Settings: ${Object.keys(KEYS).join(', ')}.` });
  return found;
}

export interface SettingValue {
  key: string;
  value: unknown;
  /** "config": set in config.json; "default": not set. */
  source: 'config' | 'default';
  /** Set when an environment variable overrides the file right now. */
  overriddenBy?: string;
  description: string;
}

function describe(ctx: Context, key: string, settings: Settings): SettingValue {
  const keySpec = spec(key);
  const value = stored(settings, key);
  const overridden = keySpec.env && ctx.env[keySpec.env] ? { overriddenBy: keySpec.env } : {};
  return { key, value: value ?? keySpec.fallback, source: value === undefined ? 'default' : 'config', ...overridden, description: keySpec.description };
}

export function configGet(ctx: Context, key: string): SettingValue {
  return describe(ctx, key, ctx.settings());
}

export function configList(ctx: Context): SettingValue[] {
  const settings = ctx.settings();
  return Object.keys(KEYS).map((key) => describe(ctx, key, settings));
}

export async function configSet(ctx: Context, key: string, raw: string): Promise<SettingValue & { file: string }> {
  const value = spec(key).parse(raw, ctx);
  const settings = await updateSettings(ctx.paths.configFile, (current) => {
    store(current, key, value);
    return current;
  });
  return { ...describe(ctx, key, settings), file: ctx.paths.configFile };
}

export async function configUnset(ctx: Context, key: string): Promise<SettingValue & { file: string }> {
  spec(key);
  const settings = await updateSettings(ctx.paths.configFile, (current) => {
    store(current, key, undefined);
    return current;
  });
  return { ...describe(ctx, key, settings), file: ctx.paths.configFile };
}

export function renderValue(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}

export function renderConfigList(values: SettingValue[]): string {
  return table(
    ['KEY', 'VALUE', 'SOURCE'],
    values.map((v) => [v.key, renderValue(v.value), v.source + (v.overriddenBy ? ` (overridden by ${v.overriddenBy})` : '')]),
  );
}

export const group = { name: 'config', description: 'read and change mcpm\'s settings file (config.json)' };

const KEY_ARGUMENT: [string, string] = ['<key>', `one of ${Object.keys(KEYS).join(', ')}`];

export const commands = [
  defineCommand({
    name: 'config list',
    aliases: ['ls'],
    description: 'every setting with its value and where it comes from',
    run: async (ctx) => ({ result: configList(ctx) }),
    render: renderConfigList,
  }),
  defineCommand({
    name: 'config get',
    description: 'print one setting',
    arguments: [KEY_ARGUMENT],
    run: async (ctx, { args }) => ({ result: configGet(ctx, args.key) }),
    render: (result) => renderValue(result.value),
  }),
  defineCommand({
    name: 'config set',
    description: 'change one setting',
    arguments: [KEY_ARGUMENT, ['<value>', 'the new value']],
    run: async (ctx, { args }) => ({ result: await configSet(ctx, args.key, args.value) }),
    render: (result) => `${result.key} = ${renderValue(result.value)} (${result.file})`,
  }),
  defineCommand({
    name: 'config unset',
    description: 'return one setting to its default',
    arguments: [KEY_ARGUMENT],
    run: async (ctx, { args }) => ({ result: await configUnset(ctx, args.key) }),
    render: (result) => `${result.key} = ${renderValue(result.value)} (default)`,
  }),
];
