import type { ServerVersion } from './types.js';

/** A place server.json data comes from: an MCP registry (v0.1 API), a static index file, or the embedded index. */
export interface RegistrySource {
  /** What users see: the URL, the path, or "embedded". */
  readonly id: string;
  /** The latest version of every server whose name (or, for static indexes, title or description) matches. */
  search(query: string): Promise<ServerVersion[]>;
  /** Every published version of one server, deleted ones included (callers filter). Empty when unknown. */
  versions(name: string): Promise<ServerVersion[]>;
}
