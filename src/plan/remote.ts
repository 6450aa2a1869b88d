import { McpmError } from '../errors.js';
import type { Input, Transport } from '../registry/types.js';
import type { RemoteSpec } from './entry.js';
import type { InputRequest } from './inputs.js';
import { looksSecret } from './inputs.js';
import { own } from '../json.js';

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
    ...(input.isSecret !== true && looksSecret(name) ? { secretByName: true } : {}),
    default: input.default,
    choices: Array.isArray(input.choices) ? input.choices : undefined,
  };
}

/** Replaces `{name}` with values; a name with no value stays as written. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{([A-Za-z0-9_.-]+)\}/g, (whole, name: string) => own(values, name) ?? whole);
}

/** Pure: the URL and headers a client connects with, given the chosen values. */
export function renderRemote(remote: RemoteTransport, transport: RemoteSpec['transport'], values: Record<string, string>): RemoteSpec {
  const headers: Record<string, string> = {};
  for (const header of remote.headers ?? []) {
    if (!header.name) continue;
    const value = header.value !== undefined ? fillTemplate(header.value, values) : own(values, header.name) ?? header.default;
    if (value === undefined) continue;
    // A line break would end the header and start another one of the value's choosing.
    if (/[\r\n\0]/.test(value)) {
      throw new McpmError('EINPUT', `The value of the header ${header.name} holds a line break or NUL`, { hint: 'Give a value on one line (--arg NAME=VALUE).' });
    }
    headers[header.name] = value;
  }
  return { transport, url: fillUrl(remote.url ?? '', values, remote.variables ?? {}), headers };
}

const VARIABLE = /\{([A-Za-z0-9_.-]+)\}/g;
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Pure: a URL template's `{variables}` filled so that no value can move the URL elsewhere. Each value is encoded
 * for the part of the URL it lands in (percent-encoded in the path, query and fragment; `.` and `..` refused as
 * path segments); a variable in the host accepts one DNS label only (letters, digits, hyphens), and none may stand
 * in the user or password part. The origin of the result is the template's (but for the label a host variable
 * fills). A variable without a value takes its `default`, an optional one without either is left empty, and a
 * required one without a value stays as `{name}` (the caller reports it).
 */
export function fillUrl(template: string, values: Record<string, string>, variables: Record<string, Input>): string {
  const names = [...new Set([...template.matchAll(VARIABLE)].map((m) => m[1]!))];
  const marker = (i: number) => `mcpmvar${i}x`;
  const marked = names.reduce((text, name, i) => text.replaceAll(`{${name}}`, marker(i)), template);
  let shape: URL | undefined;
  try {
    shape = new URL(marked);
  } catch {
    shape = undefined;
  }
  let filled = marked;
  names.forEach((name, i) => {
    const variable = own(variables, name);
    const value = own(values, name) ?? variable?.default ?? (variable && variable.isRequired !== true ? '' : undefined);
    const spot = marker(i);
    if (value === undefined) {
      filled = filled.replaceAll(spot, `{${name}}`);
      return;
    }
    const bad = (what: string) => new McpmError('EINPUT', `${name} cannot be ${JSON.stringify(value.slice(0, 80))}: ${what}`, { hint: `Give another value with --arg ${name}=VALUE.` });
    let encoded: string;
    if (shape === undefined) {
      // A template that does not parse on its own (a variable in the port, say): only unreserved characters.
      if (!/^[A-Za-z0-9._~-]*$/.test(value) || value === '.' || value === '..') throw bad('it may only hold letters, digits and . _ ~ -');
      encoded = value;
    } else if (shape.hostname.includes(spot)) {
      if (!LABEL.test(value)) throw bad('it stands in the host name, which takes one label of letters, digits and hyphens');
      encoded = value;
    } else if (shape.username.includes(spot) || shape.password.includes(spot)) {
      throw bad('a value may not stand in a URL\'s user or password');
    } else {
      if (shape.pathname.includes(spot) && (value === '.' || value === '..')) throw bad('it would climb the path');
      encoded = encodeURIComponent(value);
    }
    filled = filled.replaceAll(spot, encoded);
  });
  if (shape && !names.some((_, i) => shape.hostname.includes(marker(i)))) {
    const parsed = (() => {
      try {
        return new URL(filled);
      } catch {
        return undefined;
      }
    })();
    if (parsed && parsed.origin !== shape.origin) {
      throw new McpmError('EINPUT', `The values given would move ${template} to ${parsed.origin}`, { hint: 'Check the --arg values for this server.' });
    }
  }
  return filled;
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
