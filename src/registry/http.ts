import { McpmError } from '../errors.js';

export interface FetchJsonOptions {
  timeoutMs: number;
  /** A bearer token for this registry only. Never logged. */
  token?: string;
  /** Responses larger than this are refused rather than parsed (a registry must not exhaust memory). */
  maxBytes?: number;
  /** The error when maxBytes is exceeded (a caller's own budget has its own message). */
  tooLarge?: () => McpmError;
  /** Bytes of bodies read are added here (a caller counting what several requests took). */
  received?: { bytes: number };
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** GET a JSON document with a hard deadline covering connect, headers and body. */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<unknown> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  const registry = new URL(url).origin;
  try {
    const response = await fetchFollowing(url, options.token, controller.signal);
    if (response.status === 404) return undefined;
    if (!response.ok) {
      throw new McpmError('EREGISTRY', `Registry ${registry} answered HTTP ${response.status} for ${new URL(url).pathname}`, {
        hint: response.status === 401 || response.status === 403
          ? 'Check the token configured for this registry.'
          : 'Try again later, or choose another registry with --registry.',
      });
    }
    const text = await readLimited(response, options.maxBytes ?? DEFAULT_MAX_BYTES, options.tooLarge ?? (() => tooLarge(registry, options.maxBytes ?? DEFAULT_MAX_BYTES)), options.received);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new McpmError('EREGISTRY', `Registry ${registry} did not answer with JSON`, {
        hint: 'Check that the URL points at an MCP registry (v0.1 API) or a .json index.',
      });
    }
    assertShallow(value, `Registry ${registry}`);
    return value;
  } catch (error) {
    if (error instanceof McpmError) throw error;
    if (controller.signal.aborted) {
      throw new McpmError('ENETWORK', `Registry ${registry} did not answer within ${options.timeoutMs} ms`, {
        hint: 'Check your network, raise --timeout, or choose another registry with --registry.',
      });
    }
    const inner = (error as { cause?: { code?: string; message?: string } }).cause;
    const cause = inner?.code ?? (error as Error).message;
    if (/redirect/i.test(inner?.message ?? '')) {
      throw new McpmError('ENETWORK', `Registry ${registry} redirects in a loop`, { hint: 'Check the registry URL, or choose another registry with --registry.', cause: error });
    }
    if (/^(UND_ERR_SOCKET|UND_ERR_CLOSED|ECONNRESET|EPIPE)$/.test(inner?.code ?? '')) {
      throw new McpmError('ENETWORK', `Registry ${registry} closed the connection before answering in full (${cause})`, {
        hint: 'Try again later, or choose another registry with --registry.',
        cause: error,
      });
    }
    throw new McpmError('ENETWORK', `Registry ${registry} is unreachable (${cause})`, {
      hint: 'Check your network, or choose another registry with --registry.',
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

const MAX_REDIRECTS = 5;

/**
 * fetch, following redirects. With a token, redirects are followed by hand and only within the registry's own
 * origin: the Authorization header must never reach another host, whatever the registry answers.
 */
async function fetchFollowing(url: string, token: string | undefined, signal: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (!token) return fetch(url, { headers, signal, redirect: 'follow' });
  headers.authorization = `Bearer ${token}`;
  const origin = new URL(url).origin;
  let current = url;
  for (let hop = 0; ; hop++) {
    const response = await fetch(current, { headers, signal, redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || location === null) return response;
    await response.body?.cancel();
    const next = new URL(location, current);
    if (next.origin !== origin || hop >= MAX_REDIRECTS) {
      throw new McpmError('EREGISTRY', `Registry ${origin} redirected to ${next.origin === origin ? 'itself too many times' : next.origin}; its token is not sent elsewhere`, {
        hint: 'Configure the registry by the URL it redirects to, if you trust it with the token.',
      });
    }
    current = next.href;
  }
}

async function readLimited(response: Response, maxBytes: number, tooBig: () => McpmError, received?: { bytes: number }): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) throw tooBig();
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (received) received.bytes += chunk.byteLength;
    if (size > maxBytes) throw tooBig();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(registry: string, maxBytes: number): McpmError {
  return new McpmError('EREGISTRY', `Registry ${registry} sent more than ${Math.round(maxBytes / 1048576)} MiB`, {
    hint: 'The registry may be misbehaving; choose another with --registry.',
  });
}

/** Real registry documents nest about ten levels; far deeper data is refused rather than walked. */
export const MAX_JSON_DEPTH = 64;

/**
 * Refuses JSON nested deeper than MAX_JSON_DEPTH (checked without recursion). JSON.parse copes with 100k levels,
 * but everything that later walks such a value recursively (JSON.stringify for --json, spreading, printing) would
 * overflow the stack: a registry must not be able to crash mcpm that way.
 */
export function assertShallow(value: unknown, who: string): void {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw new McpmError('EREGISTRY', `${who} answered with JSON nested more than ${MAX_JSON_DEPTH} levels deep`, {
        hint: 'The registry is misbehaving; choose another with --registry.',
      });
    }
    for (const child of Array.isArray(node) ? node : Object.values(node)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
}
