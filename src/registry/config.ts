import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import type { RegistryConfig, Settings } from '../settings.js';
import { shortHash } from './hash.js';
import { readStoredToken } from '../state/registry-tokens.js';

export const OFFICIAL_REGISTRY = 'https://registry.modelcontextprotocol.io';
export const EMBEDDED_ID = 'embedded';

/** api: the v0.1 API, cached locally. index: a static JSON index (file or URL). embedded: the index inside mcpm. */
export type RegistryKind = 'api' | 'index' | 'embedded';

/** One registry of the effective list, with where its token comes from (never the token itself). */
export interface RegistryRef extends RegistryConfig {
  kind: RegistryKind;
  /** True when it comes from config.json (so `registry remove` can remove it and its stored token applies). */
  configured: boolean;
}

export type ListSource = 'flag' | 'env' | 'config' | 'default';

const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const TOKEN_ENV_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function registryKind(url: string): RegistryKind {
  if (url === EMBEDDED_ID) return 'embedded';
  if (/^https?:\/\//i.test(url)) return new URL(url).pathname.endsWith('.json') ? 'index' : 'api';
  return 'index';
}

/**
 * The canonical form of a registry spec: http(s) URLs without trailing slashes, paths made absolute (so a list
 * stored in config.json means the same from every folder). Credentials inside a URL are refused: they would be
 * printed and cached; a token belongs in an environment variable or mcpm's secret store.
 */
export function normalizeRegistryUrl(spec: string, cwd: string): string {
  const value = spec.trim();
  if (value === EMBEDDED_ID) return value;
  if (/^https?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new McpmError('EUSAGE', `"${value}" is not a valid URL`, { hint: 'Give the registry\'s base URL, e.g. https://registry.example.com.' });
    }
    if (url.username || url.password) {
      throw new McpmError('EUSAGE', 'A registry URL must not contain credentials', {
        hint: 'Put the token in an environment variable and give its name with --token-env, or use --token-stdin.',
      });
    }
    return value.replace(/\/+$/, '');
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !value.startsWith('file:')) {
    throw new McpmError('EUSAGE', `Unsupported registry URL "${value}"`, { hint: 'Use an http(s) URL, a path to a .json index, or "embedded".' });
  }
  return value.startsWith('file:') ? value : path.resolve(cwd, value);
}

/** A readable name for a registry given without one: "official", "embedded", the host, or the file's base name. */
export function deriveName(url: string, taken: Iterable<string> = []): string {
  const used = new Set(taken);
  let base: string;
  if (url === OFFICIAL_REGISTRY) base = 'official';
  else if (url === EMBEDDED_ID) base = EMBEDDED_ID;
  else if (/^https?:\/\//i.test(url)) {
    const parsed = new URL(url);
    base = `${parsed.hostname}${parsed.port ? `-${parsed.port}` : ''}`;
  } else base = path.basename(url.startsWith('file:') ? new URL(url).pathname : url).replace(/\.json$/i, '');
  base = base.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 60) || 'registry';
  let name = base;
  for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
  return name;
}

export function checkRegistryName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw new McpmError('EUSAGE', `"${name}" cannot be a registry name`, { hint: 'Use lower-case letters, digits, ".", "_" and "-" (at most 64), starting with a letter or digit.' });
  }
  return name;
}

export function checkTokenEnv(variable: string): string {
  if (!TOKEN_ENV_PATTERN.test(variable)) {
    throw new McpmError('EUSAGE', `"${variable}" is not an environment variable name`, { hint: 'Give the variable\'s name, not its value: --token-env TEAM_REGISTRY_TOKEN.' });
  }
  return variable;
}

/** The list in config.json as RegistryConfig objects: strings (the comma form) get derived names. */
export function configuredRegistries(settings: Settings, cwd: string): RegistryConfig[] {
  const raw = settings.registries;
  const items: Array<string | RegistryConfig> = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : [];
  const result: RegistryConfig[] = [];
  for (const item of items) {
    if (typeof item === 'string') {
      if (item.trim() === '') continue;
      const url = normalizeRegistryUrl(item, cwd);
      result.push({ name: deriveName(url, result.map((r) => r.name)), url });
    } else if (item && typeof item === 'object' && typeof item.url === 'string') {
      const url = normalizeRegistryUrl(item.url, cwd);
      const name = typeof item.name === 'string' && NAME_PATTERN.test(item.name) ? item.name : deriveName(url, result.map((r) => r.name));
      result.push({ name, url, ...(typeof item.tokenEnv === 'string' && TOKEN_ENV_PATTERN.test(item.tokenEnv) ? { tokenEnv: item.tokenEnv } : {}) });
    }
  }
  return result;
}

export const DEFAULT_REGISTRIES: RegistryConfig[] = [
  { name: 'official', url: OFFICIAL_REGISTRY },
  { name: EMBEDDED_ID, url: EMBEDDED_ID },
];

/**
 * The registries to ask, highest priority first: --registry, else MCPM_REGISTRY, else config.json, else the
 * official registry followed by the embedded index. In --registry and MCPM_REGISTRY lists, a configured registry
 * may be named (`--registry team`); a URL that is configured keeps its name and token.
 */
export function effectiveRegistries(ctx: Context): { from: ListSource; registries: RegistryRef[] } {
  const configured = configuredRegistries(ctx.settings(), ctx.cwd);
  const override = ctx.options.registry ?? ctx.env.MCPM_REGISTRY;
  const ref = (config: RegistryConfig, isConfigured: boolean): RegistryRef => ({ ...config, kind: registryKind(config.url), configured: isConfigured });
  if (override !== undefined && override.trim() !== '') {
    const refs: RegistryRef[] = [];
    for (const spec of override.split(',').map((s) => s.trim()).filter(Boolean)) {
      const known = configured.find((c) => c.name === spec) ?? configured.find((c) => c.url === normalizeRegistryUrl(spec, ctx.cwd));
      if (known) refs.push(ref(known, true));
      else {
        const url = normalizeRegistryUrl(spec, ctx.cwd);
        refs.push(ref({ name: deriveName(url, [...configured.map((c) => c.name), ...refs.map((r) => r.name)]), url }, false));
      }
    }
    return { from: ctx.options.registry !== undefined ? 'flag' : 'env', registries: refs };
  }
  if (configured.length > 0) return { from: 'config', registries: configured.map((c) => ref(c, true)) };
  return { from: 'default', registries: DEFAULT_REGISTRIES.map((c) => ref(c, false)) };
}

/**
 * The bearer token for a registry: its environment variable when it names one, else the one in mcpm's secret
 * store. Only ever passed to that registry's own requests; never printed, logged or cached.
 */
export function registryToken(ctx: Context, ref: RegistryRef): string | undefined {
  if (ref.tokenEnv) {
    const value = ctx.env[ref.tokenEnv];
    if (value === undefined || value === '') {
      ctx.out.warn(`${ref.tokenEnv} is not set; asking registry ${ref.name} without a token`);
      return undefined;
    }
    return value;
  }
  return ref.configured ? readStoredToken(ctx, ref.name, ref.url) : undefined;
}

/** Where a registry's cache lives: readable host/path plus a hash of the URL, so two registries never share one. */
export function cacheId(url: string): string {
  const readable = url.replace(/^https?:\/\//i, '').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return `${readable}-${shortHash(url)}`;
}
