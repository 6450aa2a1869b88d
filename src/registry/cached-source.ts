import type { Context } from '../context.js';
import { formatAge } from '../duration.js';
import { McpmError } from '../errors.js';
import { cacheFor, type CacheMeta, type RegistryCache } from './cache.js';
import type { RegistryRef } from './config.js';
import type { RegistrySource } from './source.js';
import { readServerResponse, type ServerVersion } from './types.js';

/**
 * A remote registry (v0.1 API, or a static index over http) read through its local cache. The cache is used as is
 * while younger than the TTL (`cacheTtl`, default 5 minutes); older, it is refreshed first (incrementally). When the
 * registry cannot be reached, the cache is used with a warning saying how old it is; without a cache, the error
 * stands (and the caller skips this registry).
 */
export class CachedRegistrySource implements RegistrySource {
  readonly id: string;
  readonly name: string;
  private readonly cache: RegistryCache;
  private ready?: Promise<void>;
  /** Asked the registry in this run already (successfully or not): a refresh would not tell anything new. */
  private askedThisRun = false;

  constructor(private readonly ctx: Context, private readonly ref: RegistryRef, private readonly token: () => string | undefined) {
    this.id = ref.url;
    this.name = ref.name;
    this.cache = cacheFor(ctx, ref.url);
  }

  async search(query: string): Promise<ServerVersion[]> {
    await this.prepare();
    return this.cache.search(query, this.id);
  }

  /** Live versions only: like the API without include_deleted, deleted versions are not offered. */
  async versions(name: string): Promise<ServerVersion[]> {
    await this.prepare();
    return this.cache
      .entries(name)
      .flatMap((raw) => readServerResponse(raw, this.id) ?? [])
      .filter((entry) => entry.meta.status !== 'deleted');
  }

  /** A name or version missing from a cache that was not refreshed in this run: refresh once and look again. */
  async refresh(): Promise<boolean> {
    await this.prepare().catch(() => undefined);
    if (this.askedThisRun) return false;
    const meta = this.cache.readMeta();
    if (meta && this.failedRecently(meta)) return false;
    try {
      await this.sync();
      return true;
    } catch (error) {
      if (!isRegistryError(error)) throw error;
      if (meta) await (await import('./cache-writer.js')).markFailed(this.cache, meta);
      this.ctx.out.debug(`refreshing ${this.name} failed: ${error.message}`);
      return false;
    }
  }

  private prepare(): Promise<void> {
    this.ready ??= this.check();
    return this.ready;
  }

  private async check(): Promise<void> {
    const meta = this.cache.readMeta();
    if (meta && Date.now() - Date.parse(meta.syncedAt) < this.ctx.cacheTtlMs) return;
    // It failed a moment ago: do not wait for it again on every command until the TTL has passed once more.
    if (meta && this.failedRecently(meta)) {
      this.ctx.out.warn(`Registry ${this.name} (${this.id}) could not be reached ${formatAge(Date.now() - Date.parse(meta.failedAt!))} ago; ${this.usingCache(meta)}`);
      return;
    }
    try {
      await this.sync(meta ? undefined : 'first');
    } catch (error) {
      if (!isRegistryError(error) || !meta) throw error;
      await (await import('./cache-writer.js')).markFailed(this.cache, meta);
      this.ctx.out.warn(`${error.message}; ${this.usingCache(meta)}`);
    }
  }

  private async sync(first?: 'first'): Promise<void> {
    const started = Date.now();
    if (first) this.ctx.out.debug(`no cache of ${this.name} yet: fetching its full listing`);
    this.askedThisRun = true;
    // notBefore: a concurrent mcpm that synced while we waited for the lock has done the work.
    // Loaded only now: a search answered from a fresh cache never loads the sync, lock and write code.
    const { syncRegistry } = await import('./sync.js');
    await syncRegistry(this.ctx, this.ref, this.token(), { notBefore: started });
  }

  private failedRecently(meta: CacheMeta): boolean {
    return meta.failedAt !== undefined && Date.now() - Date.parse(meta.failedAt) < this.ctx.cacheTtlMs;
  }

  private usingCache(meta: CacheMeta): string {
    return `using its cache from ${formatAge(Date.now() - Date.parse(meta.syncedAt))} ago (${meta.syncedAt}); \`mcpm registry sync\` refreshes it`;
  }
}

function isRegistryError(error: unknown): error is McpmError {
  return error instanceof McpmError && (error.code === 'ENETWORK' || error.code === 'EREGISTRY');
}
