import { createRequire } from 'node:module';
import type { Agent } from 'node:http';

/**
 * The certificate authorities the user names for npm (`cafile`, or `ca`), parsed once for the whole process.
 *
 * Handed to npm's fetch stack as `ca`, a machine's bundle (~140 authorities, 200 KB of PEM) was paid for on every
 * request and every connection: node's agent joins the whole list into each request's pool name, and builds a new TLS
 * context from it for each socket. A cold install of memory spent about 1.5 s of CPU on that, half its own work.
 *
 * Instead the list becomes one secure context, shared by one agent: @npmcli/agent, the agent npm's fetches use, so
 * proxies, no-proxy, keep-alive and the DNS cache behave as they did. It is handed over as a function (minipass-fetch
 * calls it for each request), so that nothing is read, parsed or loaded until a request is made: a reinstall from
 * the store makes none, and loads neither the agent nor node's TLS.
 */
export function sharedAgent(key: string, authorities: () => string[], options: { proxy?: unknown; noProxy?: unknown }): () => Agent {
  // One per set of settings for the whole process, as npm's own agent cache keeps them: every npmOptions() of an
  // install shares the connections and the parsed authorities.
  const known = agents.get(key);
  if (known) return known;
  let agent: Agent | undefined;
  const get = () => {
    if (agent) return agent;
    const require = createRequire(import.meta.url);
    const { Agent: NpmAgent } = require('@npmcli/agent') as { Agent: new (options: Record<string, unknown>) => Agent };
    const { createSecureContext } = require('node:tls') as typeof import('node:tls');
    const ca = authorities();
    agent = new NpmAgent({
      // A file without certificates (or unreadable) leaves node's own authorities, as npm's reading of it does.
      ...(ca.length > 0 ? { secureContext: createSecureContext({ ca }) } : {}),
      // What npm-registry-fetch would hand make-fetch-happen's agent: its 30 s timeout and the proxy settings.
      timeout: 30_000,
      ...(options.proxy ? { proxy: options.proxy } : {}),
      ...(options.noProxy ? { noProxy: options.noProxy } : {}),
    });
    return agent;
  };
  agents.set(key, get);
  return get;
}

const agents = new Map<string, () => Agent>();
