import type { Context } from '../context.js';
import { CachedRegistrySource } from './cached-source.js';
import { effectiveRegistries, registryToken, type RegistryRef } from './config.js';
import { embeddedIndexSource, fileIndexSource } from './index-source.js';
import type { RegistrySource } from './source.js';

export { OFFICIAL_REGISTRY } from './config.js';

/**
 * A source for each registry of the effective list (see config.ts), highest priority first. Remote registries (the
 * v0.1 API, a static index over http) are read through their local cache; a local index file and the embedded
 * index are read directly: they are already on this machine.
 */
export function createSource(ref: RegistryRef, ctx: Context): RegistrySource {
  if (ref.kind === 'embedded') return embeddedIndexSource();
  if (/^https?:\/\//i.test(ref.url)) {
    let token: string | undefined;
    let read = false;
    // Read when the registry is first asked, not before: a fresh cache needs no token (and no warning about one).
    return new CachedRegistrySource(ctx, ref, () => (read ? token : ((read = true), (token = registryToken(ctx, ref)))));
  }
  return fileIndexSource(ref.url, ref.name);
}

export function createSources(ctx: Context): RegistrySource[] {
  return effectiveRegistries(ctx).registries.map((ref) => createSource(ref, ctx));
}
