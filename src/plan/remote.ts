import type { Input, Transport } from '../registry/types.js';
import type { RemoteSpec } from './entry.js';
import type { InputRequest } from './inputs.js';
import { looksSecret } from './inputs.js';

type RemoteTransport = Transport & { variables?: Record<string, Input>; headers?: Array<Input & { variables?: Record<string, Input> }> };

/** Pure: what a remote server asks for: its URL's {variables} and its headers (given with --arg NAME=VALUE). */
export function remoteInputRequests(remote: RemoteTransport): InputRequest[] {
  const requests = new Map<string, InputRequest>();
  const add = (name: string, input: Input) => {
    if (!requests.has(name)) requests.set(name, toRequest(name, input));
  };
  for (const [name, input] of Object.entries(remote.variables ?? {})) add(name, input);
  for (const header of remote.headers ?? []) {
    if (!header.name) continue;
    if (header.value === undefined) add(header.name, header);
    else for (const [name, input] of Object.entries(header.variables ?? {})) add(name, { ...input, isSecret: input.isSecret ?? header.isSecret });
  }
  return [...requests.values()];
}

function toRequest(name: string, input: Input): InputRequest {
  return {
    kind: 'arg',
    name,
    description: input.description,
    isRequired: input.isRequired === true,
    isSecret: input.isSecret === true || looksSecret(name),
    default: input.default,
    choices: Array.isArray(input.choices) ? input.choices : undefined,
  };
}

/** Replaces `{name}` with values; a name with no value stays as written. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{([A-Za-z0-9_.-]+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** Pure: the URL and headers a client connects with, given the chosen values. */
export function renderRemote(remote: RemoteTransport, transport: RemoteSpec['transport'], values: Record<string, string>): RemoteSpec {
  const headers: Record<string, string> = {};
  for (const header of remote.headers ?? []) {
    if (!header.name) continue;
    const value = header.value !== undefined ? fillTemplate(header.value, values) : values[header.name] ?? header.default;
    if (value !== undefined) headers[header.name] = value;
  }
  return { transport, url: fillTemplate(remote.url ?? '', values), headers };
}

/** The names whose values are secret in a remote's headers (so a client file holding them is warned about). */
export function secretHeaderNames(remote: RemoteTransport, secretInputs: Set<string>): string[] {
  return (remote.headers ?? [])
    .filter((h) => h.name && (h.isSecret || (h.value === undefined ? secretInputs.has(h.name) : Object.keys(h.variables ?? {}).some((v) => secretInputs.has(v)))))
    .map((h) => h.name!);
}

/** The remote `mcpm run` connects to when a client cannot: streamable HTTP when offered (SSE is deprecated). */
export function preferredRemote<T extends Transport>(remotes: T[]): T | undefined {
  return remotes.find((r) => r.type === 'streamable-http') ?? remotes[0];
}
