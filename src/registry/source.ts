import type { ServerVersion } from './types.js';

/** A place server.json data comes from: an MCP registry (v0.1 API), a static index file, or the embedded index. */
export interface RegistrySource {
  /** What results record: the URL, the path, or "embedded". */
  readonly id: string;
  /** What users see and type: the registry's configured (or derived) name. */
  readonly name: string;
  /**
   * The latest version of every server whose name (title, description) matches. From a cached registry, each hit
   * carries only the search index's fields (name, title, description, version, status, package types and
   * identifiers, remote types): ask versions() for the whole server.json.
   */
  search(query: string): Promise<ServerVersion[]>;
  /** Every published version of one server (deleted ones may be included: callers filter). Empty when unknown. */
  versions(name: string): Promise<ServerVersion[]>;
  /**
   * For cached registries: refresh now unless already done in this run; true when it did. Used when a name or
   * version is not found, so something published a minute ago is found despite the cache's TTL.
   */
  refresh?(): Promise<boolean>;
}
