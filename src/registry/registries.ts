import type { Context } from '../context.js';
import { CachedRegistrySource } from './cached-source.js';
import { EmbeddedIndexSource } from './embedded.js';
import { effectiveRegistries, registryToken, type RegistryRef } from './config.js';
import type { RegistrySource } from './source.js';
import type { ServerVersion } from './types.js';

export { OFFICIAL_REGISTRY } from './config.js';

/**
 * A source for each registry of the effective list (see config.ts), highest priority first. Remote registries (the
 * v0.1 API, a static index over http) are read through their local cache; a local index file and the embedded
 * index are read directly: they are already on this machine.
 */
export function createSource(ref: RegistryRef, ctx: Context): RegistrySource {
  if (ref.kind === 'embedded') return new EmbeddedIndexSource(ref.name);
  if (/^https?:\/\//i.test(ref.url)) {
    let token: string | undefined;
    let read = false;
    // Read when the registry is first asked, not before: a fresh cache needs no token (and no warning about one).
    return new CachedRegistrySource(ctx, ref, () => (read ? token : ((read = true), (token = registryToken(ctx, ref)))));
  }
  return new LocalIndex(ref, (m) => m.fileIndexSource(ref.url, ref.name));
}

/**
 * A local index file, loaded when first asked: index-source.ts brings semver along, which a
 * search answered by other registries' caches should not pay for.
 */
class LocalIndex implements RegistrySource {
  readonly id: string;
  readonly name: string;
  private source?: Promise<RegistrySource>;

  constructor(ref: RegistryRef, private readonly make: (m: typeof import('./index-source.js')) => RegistrySource) {
    this.id = ref.url.startsWith('file:') ? new URL(ref.url).pathname : ref.url;
    this.name = ref.name;
  }

  private get(): Promise<RegistrySource> {
    this.source ??= import('./index-source.js').then(this.make);
    return this.source;
  }

  async search(query: string): Promise<ServerVersion[]> {
    return (await this.get()).search(query);
  }

  async versions(name: string): Promise<ServerVersion[]> {
    return (await this.get()).versions(name);
  }
}

export function createSources(ctx: Context): RegistrySource[] {
  return effectiveRegistries(ctx).registries.map((ref) => createSource(ref, ctx));
}
