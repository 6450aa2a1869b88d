import path from 'node:path';
import type { Context } from '../context.js';
import { ApiRegistrySource } from './api-source.js';
import { EMBEDDED_ID, embeddedIndexSource, fileIndexSource, httpIndexSource } from './index-source.js';
import type { RegistrySource } from './source.js';

export const OFFICIAL_REGISTRY = 'https://registry.modelcontextprotocol.io';

/**
 * The registries to ask, highest priority first: --registry, else MCPM_REGISTRY, else the configuration, else
 * the official registry followed by the embedded index. Lists are comma-separated; "embedded" is the built-in index.
 */
export function registrySpecs(ctx: Context): string[] {
  const configured = ctx.settings().registries;
  const raw = ctx.options.registry ?? ctx.env.MCPM_REGISTRY ?? (Array.isArray(configured) ? configured.join(',') : configured);
  const specs = (raw ?? '').split(',').map((spec) => spec.trim()).filter(Boolean);
  return specs.length > 0 ? specs : [OFFICIAL_REGISTRY, EMBEDDED_ID];
}

export function createSource(spec: string, ctx: Context): RegistrySource {
  const options = { timeoutMs: ctx.timeoutMs };
  if (spec === EMBEDDED_ID) return embeddedIndexSource();
  if (/^https?:\/\//i.test(spec)) {
    return new URL(spec).pathname.endsWith('.json') ? httpIndexSource(spec, options) : new ApiRegistrySource(spec, options);
  }
  if (spec.startsWith('file:')) return fileIndexSource(spec);
  return fileIndexSource(path.resolve(ctx.cwd, spec));
}

export function createSources(ctx: Context): RegistrySource[] {
  return registrySpecs(ctx).map((spec) => createSource(spec, ctx));
}
