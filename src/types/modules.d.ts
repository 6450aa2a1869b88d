// The npm CLI's libraries ship without type declarations; these cover what mcpm uses.
declare module 'pacote' {
  export interface Manifest {
    name: string;
    version: string;
    bin?: string | Record<string, string>;
    engines?: Record<string, string>;
    mcpName?: string;
    _integrity?: string;
    _resolved?: string;
    [key: string]: unknown;
  }
  export function manifest(spec: string, options?: Record<string, unknown>): Promise<Manifest>;
  /** The tarball's bytes, checked against options.integrity (read from the cache by integrity when it is there). */
  export function tarball(spec: string, options?: Record<string, unknown>): Promise<Buffer>;
  /** The registry's document of every version (with `time` when fetched with fullMetadata). */
  export function packument(spec: string, options?: Record<string, unknown>): Promise<{ name: string; versions: Record<string, unknown>; time?: Record<string, string> }>;
  const pacote: { manifest: typeof manifest; tarball: typeof tarball; packument: typeof packument };
  export default pacote;
}

declare module '@npmcli/arborist' {
  export default class Arborist {
    constructor(options: Record<string, unknown>);
    reify(options?: Record<string, unknown>): Promise<unknown>;
    buildIdealTree(options?: Record<string, unknown>): Promise<{ meta: { toString(): string } }>;
    rebuild(options?: Record<string, unknown>): Promise<unknown>;
  }
}

/** Arborist's in-memory packument cache (an LRU bounded by the heap's size); pacote reads and fills it. */
declare module '@npmcli/arborist/lib/packument-cache.js' {
  export default class PackumentCache {
    constructor(options?: Record<string, unknown>);
    has(key: string): boolean;
  }
}

declare module 'npm-registry-fetch' {
  function fetch(url: string, options?: Record<string, unknown>): Promise<{ status: number; json(): Promise<unknown> }>;
  namespace fetch {
    function json(url: string, options?: Record<string, unknown>): Promise<unknown>;
  }
  export default fetch;
}
