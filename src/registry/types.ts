/**
 * The parts of server.json (schema 2025-12-11) and of the v0.1 API envelopes that mcpm reads. Registry data is
 * read leniently: every field is optional here and checked where it is used, because real entries are messy.
 */
export interface Input {
  name?: string;
  description?: string;
  isRequired?: boolean;
  isSecret?: boolean;
  format?: string;
  value?: string;
  default?: string;
  choices?: string[];
  valueHint?: string;
  isRepeated?: boolean;
  type?: 'positional' | 'named' | string;
  variables?: Record<string, Input>;
}

export interface Transport {
  type?: string;
  url?: string;
  headers?: Input[];
}

export interface Package {
  registryType?: string;
  registryBaseUrl?: string;
  identifier?: string;
  version?: string;
  fileSha256?: string;
  runtimeHint?: string;
  transport?: Transport;
  runtimeArguments?: Input[];
  packageArguments?: Input[];
  environmentVariables?: Input[];
}

export interface ServerJson {
  name: string;
  version: string;
  description?: string;
  title?: string;
  repository?: { url?: string; source?: string };
  websiteUrl?: string;
  packages?: Package[];
  remotes?: Transport[];
}

export interface OfficialMeta {
  status?: 'active' | 'deprecated' | 'deleted' | string;
  publishedAt?: string;
  updatedAt?: string;
  isLatest?: boolean;
}

/** One server version as a registry returned it, with the registry it came from. */
export interface ServerVersion {
  server: ServerJson;
  meta: OfficialMeta;
  /** The registry (its display id: a URL, a path, or "embedded") that returned it. */
  registry: string;
}

export const OFFICIAL_META_KEY = 'io.modelcontextprotocol.registry/official';

/** Turn one `{ server, _meta }` element of a response into a ServerVersion, or undefined when it is unusable. */
export function readServerResponse(raw: unknown, registry: string): ServerVersion | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const record = raw as { server?: unknown; _meta?: Record<string, unknown> };
  const server = record.server as Partial<ServerJson> | undefined;
  if (!server || typeof server !== 'object') return undefined;
  if (typeof server.name !== 'string' || typeof server.version !== 'string') return undefined;
  const meta = (record._meta?.[OFFICIAL_META_KEY] ?? {}) as OfficialMeta;
  return {
    server: {
      ...server,
      name: server.name,
      version: server.version,
      packages: Array.isArray(server.packages) ? server.packages.filter(isObject) : [],
      remotes: Array.isArray(server.remotes) ? server.remotes.filter(isObject) : [],
    },
    meta: isObject(meta) ? meta : {},
    registry,
  };
}

function isObject<T>(value: T): value is T & object {
  return typeof value === 'object' && value !== null;
}

/** The name rule of server.json: reverse-DNS namespace, one slash, a name. Also what keeps store paths safe. */
export const SERVER_NAME_PATTERN = /^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/;

export function isValidServerName(name: string): boolean {
  return name.length <= 200 && SERVER_NAME_PATTERN.test(name) && !name.split('/').some((part) => /^\.+$/.test(part));
}

/** Versions become folder names in the store: allow what semver and real registries use, nothing that moves up. */
export function isSafeVersion(version: string): boolean {
  return version.length <= 100 && /^[A-Za-z0-9][A-Za-z0-9.+_-]*$/.test(version) && !version.includes('..');
}
