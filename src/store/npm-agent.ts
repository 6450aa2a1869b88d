import { createRequire } from 'node:module';
import type { Agent } from 'node:http';
import { createSecureContext } from 'node:tls';

/**
 * The certificate authorities the user names for npm (`cafile`, or `ca`), parsed once for the whole process.
 *
 * Handed to npm's fetch stack as `ca`, a machine's bundle (~140 authorities, 200 KB of PEM) was paid for on every
 * request and every connection: node's agent joins the whole list into each request's pool name, and builds a new TLS
 * context from it for each socket. A cold install of memory spent about 1.5 s of CPU on that, half its own work.
 *
 * Instead the list becomes one secure context, shared by one agent: @npmcli/agent, the agent npm's fetches use, so
 * proxies, no-proxy, keep-alive and the DNS cache behave as they did. It is handed over as a function (minipass-fetch
 * calls it for each request), so that nothing is parsed or loaded until a request is made: a reinstall from the
 * store makes none.
 */
export function sharedAgent(authorities: string[], options: { proxy?: unknown; noProxy?: unknown }): () => Agent {
  let agent: Agent | undefined;
  return () => {
    if (agent) return agent;
    const require = createRequire(import.meta.url);
    const { Agent: NpmAgent } = require('@npmcli/agent') as { Agent: new (options: Record<string, unknown>) => Agent };
    agent = new NpmAgent({
      secureContext: createSecureContext({ ca: authorities }),
      // What npm-registry-fetch would hand make-fetch-happen's agent: its 30 s timeout and the proxy settings.
      timeout: 30_000,
      ...(options.proxy ? { proxy: options.proxy } : {}),
      ...(options.noProxy ? { noProxy: options.noProxy } : {}),
    });
    return agent;
  };
}
