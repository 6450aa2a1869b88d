import { createHash } from 'node:crypto';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { OCI_LABEL, readOciLabel } from './oci-label.js';
import type { Package } from './types.js';

/**
 * Before publishing, the ownership rules a registry checks, checked here first where mcpm can reach the package:
 *
 * - npm: the version's package.json says `"mcpName": "<server name>"` (read from the package's npm registry);
 * - pypi: the project's description (its README) has a line `mcp-name: <server name>`;
 * - nuget: the package's README has the same line (the NuGet v3 flat container);
 * - mcpb: the bundle at its URL has the SHA-256 the entry gives (`fileSha256`);
 * - oci: the image's label `io.modelcontextprotocol.server.name` (read from its container registry, oci-label.ts).
 *
 * A package that says it belongs to another server is an error (EOWNERSHIP, or EINTEGRITY for a bundle's checksum);
 * one that cannot be reached, or does not say, is a warning: the registry decides then.
 */
export interface OwnershipCheck {
  package: string;
  result: 'ok' | 'unchecked';
  detail?: string;
}

const MAX_DOC = 32 * 1024 * 1024;
const MAX_BUNDLE = 512 * 1024 * 1024;

export async function checkOwnership(ctx: Context, serverName: string, packages: Package[]): Promise<OwnershipCheck[]> {
  const results: OwnershipCheck[] = [];
  for (const pkg of packages) {
    const label = `${pkg.registryType ?? '?'} ${pkg.identifier ?? '?'}${pkg.version ? `@${pkg.version}` : ''}`;
    try {
      const detail = await checkOne(ctx, serverName, pkg);
      results.push(detail === undefined ? { package: label, result: 'ok' } : { package: label, result: 'unchecked', detail });
    } catch (error) {
      if (error instanceof McpmError && ['EOWNERSHIP', 'EINTEGRITY', 'EINVALIDNAME'].includes(error.code)) throw error;
      results.push({ package: label, result: 'unchecked', detail: error instanceof McpmError ? error.message : (error as Error).message });
    }
  }
  for (const r of results) if (r.result === 'unchecked') ctx.out.warn(`Ownership of ${r.package} not checked here: ${r.detail}; the registry checks it`);
  return results;
}

/** undefined when the package is confirmed to belong to the server; else why it could not be checked. */
async function checkOne(ctx: Context, serverName: string, pkg: Package): Promise<string | undefined> {
  const id = pkg.identifier ?? '';
  switch (pkg.registryType) {
    case 'npm': {
      const base = (pkg.registryBaseUrl ?? 'https://registry.npmjs.org').replace(/\/+$/, '');
      const doc = (await getJson(ctx, `${base}/${id.replace('/', '%2f')}`)) as { versions?: Record<string, { mcpName?: unknown }> } | undefined;
      const manifest = doc?.versions?.[pkg.version ?? ''];
      if (!manifest) return `${id}@${pkg.version} is not on ${base} (publish the package first)`;
      if (typeof manifest.mcpName !== 'string') throw mismatch(`${id}@${pkg.version}`, serverName, undefined, 'add "mcpName": "<server name>" to its package.json');
      if (manifest.mcpName !== serverName) throw mismatch(`${id}@${pkg.version}`, serverName, manifest.mcpName, 'fix "mcpName" in its package.json');
      return undefined;
    }
    case 'pypi': {
      const base = (pkg.registryBaseUrl ?? 'https://pypi.org').replace(/\/+$/, '');
      const doc = (await getJson(ctx, `${base}/pypi/${encodeURIComponent(id)}/${encodeURIComponent(pkg.version ?? '')}/json`)) as { info?: { description?: unknown } } | undefined;
      if (!doc) return `${id}==${pkg.version} is not on ${base}`;
      return readmeSays(typeof doc.info?.description === 'string' ? doc.info.description : '', `${id}==${pkg.version}`, serverName);
    }
    case 'nuget': {
      const base = pkg.registryBaseUrl && !/api\.nuget\.org/.test(pkg.registryBaseUrl) ? undefined : 'https://api.nuget.org/v3-flatcontainer';
      if (!base) return 'only nuget.org READMEs are read here';
      const readme = await getText(ctx, `${base}/${id.toLowerCase()}/${(pkg.version ?? '').toLowerCase()}/readme`);
      if (readme === undefined) return `${id} ${pkg.version} has no README on nuget.org`;
      return readmeSays(readme, `${id} ${pkg.version}`, serverName);
    }
    case 'mcpb': {
      if (!pkg.fileSha256) throw new McpmError('EINTEGRITY', `The mcpb package ${id} has no fileSha256`, { hint: 'Add the bundle\'s SHA-256 (sha256sum file.mcpb) as fileSha256.' });
      const actual = await hashUrl(ctx, id);
      if (actual !== pkg.fileSha256.toLowerCase()) {
        throw new McpmError('EINTEGRITY', `The bundle at ${id} has SHA-256 ${actual}, not the fileSha256 given (${pkg.fileSha256})`, { hint: 'Put the SHA-256 of the file as published at that URL in fileSha256.' });
      }
      return undefined;
    }
    case 'oci': {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), ctx.timeoutMs * 4);
      try {
        const label = await readOciLabel(id, pkg.version, (url, headers) => fetch(url, { headers, signal: controller.signal }));
        if (label !== serverName) throw mismatch(`The image ${id}`, serverName, label, `add LABEL ${OCI_LABEL}="${serverName}" to its Dockerfile`);
        return undefined;
      } catch (error) {
        if (error instanceof McpmError) throw error;
        if (controller.signal.aborted) throw new Error('its container registry did not answer in time');
        const code = (error as { cause?: { code?: string } }).cause?.code;
        throw code ? new Error(`its container registry is unreachable (${code})`) : error;
      } finally {
        clearTimeout(timer);
      }
    }
    default:
      return `mcpm does not know how to check ${pkg.registryType ?? 'this'} packages`;
  }
}

/** A README must say `mcp-name: <server name>` on a line of its own (as the official registry asks). */
function readmeSays(text: string, what: string, serverName: string): string | undefined {
  const names = [...text.matchAll(/^\s*(?:<!--\s*)?mcp-name:\s*([^\s>]+)/gim)].map((m) => m[1]!);
  if (names.includes(serverName)) return undefined;
  throw mismatch(what, serverName, names[0], `add a line "mcp-name: ${serverName}" to its README`);
}

function mismatch(what: string, serverName: string, says: string | undefined, fix: string): McpmError {
  return new McpmError('EOWNERSHIP', says ? `${what} says it belongs to ${says}, not to ${serverName}` : `${what} does not say it belongs to ${serverName}`, {
    hint: `Registries accept a package only when it names its server: ${fix}, publish that package version, then publish the server.`,
  });
}

async function getJson(ctx: Context, url: string): Promise<unknown> {
  const text = await getText(ctx, url);
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}

/** GET with the command's timeout; undefined for a 404. */
async function getText(ctx: Context, url: string): Promise<string | undefined> {
  const response = await fetchWithin(ctx, url, async (res) => {
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`${new URL(url).host} answered HTTP ${res.status}`);
    if (Number(res.headers.get('content-length')) > MAX_DOC) throw new Error(`${url} is larger than 32 MiB`);
    return res.text();
  });
  return response;
}

async function hashUrl(ctx: Context, url: string): Promise<string> {
  if (!/^https?:\/\//i.test(url)) throw new Error('the bundle\'s identifier is not an http(s) URL');
  return fetchWithin(ctx, url, async (res) => {
    if (!res.ok || !res.body) throw new Error(`${new URL(url).host} answered HTTP ${res.status}`);
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > MAX_BUNDLE) throw new Error('the bundle is larger than 512 MiB');
      hash.update(chunk);
    }
    return hash.digest('hex');
  });
}

async function fetchWithin<T>(ctx: Context, url: string, use: (res: Response) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ctx.timeoutMs * 4);
  try {
    return await use(await fetch(url, { signal: controller.signal, headers: { accept: 'application/json, */*' } }));
  } catch (error) {
    if (controller.signal.aborted) throw new Error(`${new URL(url).host} did not answer in time`);
    const code = (error as { cause?: { code?: string } }).cause?.code;
    throw code ? new Error(`${new URL(url).host} is unreachable (${code})`) : error;
  } finally {
    clearTimeout(timer);
  }
}
