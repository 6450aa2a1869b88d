import { McpmError } from '../errors.js';
import { fetchJson } from './http.js';
import type { RegistrySource } from './source.js';
import { readServerResponse, type ServerVersion } from './types.js';

/** Real registries page through hundreds of entries; a registry whose cursors never end is cut off here. */
const MAX_PAGES = 500;
const PAGE_LIMIT = 100;
/** Paging as a whole may take this many timeouts (the official registry needs a few dozen pages, each well under one). */
const PAGING_BUDGET = 10;

/** A registry speaking the official MCP Registry API v0.1. */
export class ApiRegistrySource implements RegistrySource {
  readonly id: string;
  private readonly base: string;

  constructor(url: string, private readonly options: { timeoutMs: number; token?: string }) {
    this.base = url.replace(/\/+$/, '');
    this.id = this.base;
  }

  async search(query: string): Promise<ServerVersion[]> {
    return this.listAll({ search: query, version: 'latest' });
  }

  async versions(name: string): Promise<ServerVersion[]> {
    const body = await this.get(`/v0.1/servers/${encodeURIComponent(name)}/versions`);
    if (body === undefined) return [];
    return this.readList(body);
  }

  /**
   * Follows metadata.nextCursor to the end, refusing a cursor it has already seen, more than MAX_PAGES pages, or
   * paging for longer than PAGING_BUDGET timeouts in all (a registry paging forever, however slowly).
   */
  private async listAll(params: Record<string, string>): Promise<ServerVersion[]> {
    const results: ServerVersion[] = [];
    const seen = new Set<string>();
    const deadline = Date.now() + this.options.timeoutMs * PAGING_BUDGET;
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      if (page > 0 && Date.now() > deadline) throw this.endlessPaging(`still paging after ${Math.round((this.options.timeoutMs * PAGING_BUDGET) / 1000)} s`);
      const query = new URLSearchParams({ ...params, limit: String(PAGE_LIMIT) });
      if (cursor) query.set('cursor', cursor);
      const body = await this.get(`/v0.1/servers?${query}`);
      if (body === undefined) return results;
      results.push(...this.readList(body));
      const next = (body as { metadata?: { nextCursor?: unknown } }).metadata?.nextCursor;
      if (typeof next !== 'string' || next === '') return results;
      if (seen.has(next)) throw this.endlessPaging();
      seen.add(next);
      cursor = next;
    }
    throw this.endlessPaging();
  }

  private readList(body: unknown): ServerVersion[] {
    const servers = (body as { servers?: unknown })?.servers;
    if (!Array.isArray(servers)) {
      throw new McpmError('EREGISTRY', `Registry ${this.id} answered with something that is not a server list`, {
        hint: 'Check that the URL points at an MCP registry speaking the v0.1 API.',
      });
    }
    return servers.flatMap((raw) => readServerResponse(raw, this.id) ?? []);
  }

  private get(pathAndQuery: string): Promise<unknown> {
    return fetchJson(this.base + pathAndQuery, this.options);
  }

  private endlessPaging(why = `cursor cycle or over ${MAX_PAGES} pages`): McpmError {
    return new McpmError('EREGISTRY', `Registry ${this.id} keeps returning more pages (${why})`, {
      hint: 'The registry is misbehaving; try again later or choose another with --registry.',
    });
  }
}
