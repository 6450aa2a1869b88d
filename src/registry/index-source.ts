import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { McpmError } from '../errors.js';
import { assertShallow } from './http.js';
import { latestOfEach } from './latest.js';
import type { RegistrySource } from './source.js';
import { readServerResponse, type ServerVersion } from './types.js';

/**
 * A static index: a JSON file in the v0.1 list envelope ({ "servers": [{ "server", "_meta" }] }), read whole.
 * Used for local files and the index embedded in mcpm (an index over http(s) is read through the cache).
 */
export class IndexRegistrySource implements RegistrySource {
  private loaded?: Promise<ServerVersion[]>;
  private body?: Promise<unknown[]>;

  readonly name: string;

  constructor(
    readonly id: string,
    private readonly load: () => Promise<unknown>,
    name?: string,
  ) {
    this.name = name ?? id;
  }

  async search(query: string): Promise<ServerVersion[]> {
    const needle = query.toLowerCase();
    const all = latestOfEach(await this.entries());
    return all.filter(({ server }) =>
      [server.name, server.title, server.description, ...(server.packages ?? []).map((p) => p.identifier)].some((text) => typeof text === 'string' && text.toLowerCase().includes(needle)),
    );
  }

  async versions(name: string): Promise<ServerVersion[]> {
    // One server's versions (an install): only its entries are read into shape, not the whole index's.
    const named = (await this.raw()).filter((raw) => (raw as { server?: { name?: unknown } } | null)?.server?.name === name);
    return named.flatMap((raw) => readServerResponse(raw, this.id) ?? []);
  }

  private entries(): Promise<ServerVersion[]> {
    this.loaded ??= this.raw().then((servers) => servers.flatMap((raw) => readServerResponse(raw, this.id) ?? []));
    return this.loaded;
  }

  private raw(): Promise<unknown[]> {
    this.body ??= this.load().then((body) => {
      const servers = (body as { servers?: unknown })?.servers;
      if (!Array.isArray(servers)) {
        throw new McpmError('EREGISTRY', `Index ${this.id} is not a server list`, {
          hint: 'A static index is a JSON file shaped like { "servers": [{ "server": {...}, "_meta": {...} }] }.',
        });
      }
      return servers as unknown[];
    });
    return this.body;
  }
}

export function fileIndexSource(spec: string, name?: string): IndexRegistrySource {
  const file = spec.startsWith('file:') ? fileURLToPath(spec) : spec;
  return new IndexRegistrySource(file, async () => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new McpmError('EREGISTRY', `Cannot read the index ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
        hint: 'Check the path given with --registry, MCPM_REGISTRY or the configuration.',
        cause: error,
      });
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new McpmError('EREGISTRY', `The index ${file} is not valid JSON`, {
        hint: 'Fix the file or remove it from the registry list.',
        cause: error,
      });
    }
    assertShallow(value, `The index ${file}`);
    return value;
  }, name);
}
