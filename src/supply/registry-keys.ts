import type { NpmOptions } from '../store/npm-config.js';
import { npmCall } from '../store/npm-errors.js';

/** One key of an npm registry's `/-/npm/v1/keys`, with the PEM form pacote verifies with. */
export interface RegistryKey {
  keyid: string;
  keytype?: string;
  scheme?: string;
  key: string;
  expires: string | null;
  pemkey: string;
}

const known = new Map<string, Promise<RegistryKey[] | undefined>>();

/** The registry a package name is fetched from: its scope's registry, else the configured one, else npmjs. */
export function registryOf(name: string, options: NpmOptions): string {
  const scope = name.startsWith('@') ? name.slice(0, name.indexOf('/')) : undefined;
  const registry = (scope && options[`${scope}:registry`]) || options.registry || 'https://registry.npmjs.org/';
  return String(registry).replace(/\/?$/, '/');
}

/**
 * pacote reads a registry's keys from the option `//host/path:_keys`, spelled exactly as the registry URL it picks
 * (with or without the trailing slash the user's .npmrc gave): both spellings are set.
 */
export function keysOption(registry: string): string[] {
  const url = new URL(registry);
  const path = url.pathname.replace(/\/+$/, '');
  return [`//${url.host}${path}/:_keys`, `//${url.host}${path}:_keys`];
}

/**
 * The registry's signing keys, once per process per registry. A registry that answers 404 (or refuses the path)
 * publishes none: its packages are "unsigned". A network failure is an error, not "unsigned": a registry that
 * signs must not be made to look unsigned by blocking one request.
 */
export function registryKeys(registry: string, options: NpmOptions): Promise<RegistryKey[] | undefined> {
  let pending = known.get(registry);
  if (!pending) {
    pending = fetchKeys(registry, options);
    known.set(registry, pending);
  }
  return pending;
}

async function fetchKeys(registry: string, options: NpmOptions): Promise<RegistryKey[] | undefined> {
  const { default: fetch } = await import('npm-registry-fetch');
  let answer: unknown;
  try {
    answer = await fetch.json(`${registry}-/npm/v1/keys`, { ...options, registry, preferOnline: true });
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 404 || status === 405 || status === 501) return undefined;
    return npmCall(`the signing keys of ${registry}`, () => Promise.reject(error));
  }
  const keys = (answer as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) return undefined;
  return keys
    .filter((k): k is { keyid: string; key: string; expires?: string | null; keytype?: string; scheme?: string } => typeof k?.keyid === 'string' && typeof k?.key === 'string')
    .map((k) => ({ keyid: k.keyid, keytype: k.keytype, scheme: k.scheme, key: k.key, expires: k.expires ?? null, pemkey: `-----BEGIN PUBLIC KEY-----\n${k.key}\n-----END PUBLIC KEY-----` }));
}
