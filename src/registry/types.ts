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
  /** A remote's pre-registered OAuth client (server.json has no standard field; mcpm reads `oauth.clientId`). */
  oauth?: { clientId: string };
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
/** mcpm's own metadata on versions it mirrored (`registry mirror`): from where, and when the copy last changed. */
export const MIRROR_META_KEY = 'dev.mcpm.registry/mirror';

/** Turn one `{ server, _meta }` element of a response into a ServerVersion, or undefined when it is unusable. */
export function readServerResponse(raw: unknown, registry: string): ServerVersion | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const record = raw as { server?: unknown; _meta?: Record<string, unknown> };
  const server = record.server as Partial<ServerJson> | undefined;
  if (!server || typeof server !== 'object') return undefined;
  if (typeof server.name !== 'string' || typeof server.version !== 'string') return undefined;
  const meta = (isObject(record._meta) ? record._meta[OFFICIAL_META_KEY] : undefined) as OfficialMeta | undefined;
  return {
    server: {
      ...server,
      name: server.name,
      version: server.version,
      description: text(server.description),
      title: text(server.title),
      packages: objects(server.packages).map(readPackage),
      remotes: objects(server.remotes).map(readTransport),
    },
    meta: isObject(meta) ? { ...meta, status: text(meta.status), publishedAt: text(meta.publishedAt), updatedAt: text(meta.updatedAt), isLatest: meta.isLatest === true } : {},
    registry,
  };
}

// Every field mcpm reads gets the type the code expects, or is left out: a registry sending a number where a list
// belongs, null items or an object for a string must not crash a command.

function isObject<T>(value: T): value is T & Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objects(value: unknown): Array<Record<string, any>> {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** A string as is; a number or boolean as its text (registries write `"default": 8080`); anything else dropped. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function flag(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

function readInput(raw: Record<string, any>): Input {
  const variables = isObject(raw.variables)
    ? Object.fromEntries(Object.entries(raw.variables).filter(([, v]) => isObject(v)).map(([k, v]) => [k, readInput(v as Record<string, any>)]))
    : undefined;
  return {
    name: text(raw.name),
    description: text(raw.description),
    isRequired: flag(raw.isRequired),
    isSecret: flag(raw.isSecret),
    format: text(raw.format),
    value: text(raw.value),
    default: text(raw.default),
    choices: Array.isArray(raw.choices) ? raw.choices.flatMap((c) => text(c) ?? []) : undefined,
    valueHint: text(raw.valueHint),
    isRepeated: flag(raw.isRepeated),
    type: text(raw.type),
    ...(variables ? { variables } : {}),
  };
}

function readTransport(raw: Record<string, any>): Transport & { variables?: Record<string, Input> } {
  const variables = isObject(raw.variables)
    ? Object.fromEntries(Object.entries(raw.variables).filter(([, v]) => isObject(v)).map(([k, v]) => [k, readInput(v as Record<string, any>)]))
    : undefined;
  const clientId = isObject(raw.oauth) ? text((raw.oauth as Record<string, any>).clientId) : undefined;
  return {
    type: text(raw.type),
    url: text(raw.url),
    ...(Array.isArray(raw.headers) ? { headers: objects(raw.headers).map(readInput) } : {}),
    ...(variables ? { variables } : {}),
    ...(clientId ? { oauth: { clientId } } : {}),
  };
}

function readPackage(raw: Record<string, any>): Package {
  return {
    registryType: text(raw.registryType),
    registryBaseUrl: text(raw.registryBaseUrl),
    identifier: text(raw.identifier),
    version: text(raw.version),
    fileSha256: text(raw.fileSha256),
    runtimeHint: text(raw.runtimeHint),
    transport: isObject(raw.transport) ? readTransport(raw.transport) : undefined,
    runtimeArguments: objects(raw.runtimeArguments).map(readInput),
    packageArguments: objects(raw.packageArguments).map(readInput),
    environmentVariables: objects(raw.environmentVariables).map(readInput),
  };
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
