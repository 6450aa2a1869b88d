import type { RemoteShape, StdioShape } from '../clients/table.js';

/** How to start an installed server: an absolute command, its argv, and the environment values it needs. */
export interface LaunchSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** A server reached over the network: no download, the client connects to the URL. */
export interface RemoteSpec {
  transport: 'streamable-http' | 'sse';
  url: string;
  headers: Record<string, string>;
}

const withEnv = (entry: Record<string, unknown>, key: string, env: Record<string, string>) => {
  if (Object.keys(env).length > 0) entry[key] = env;
  return entry;
};

/** Pure: a stdio launch in the shape a client's file wants. `key` is the entry's key (some clients repeat it). */
export function renderStdioEntry(shape: StdioShape, launch: LaunchSpec, key: string): Record<string, unknown> {
  const { command, args, env } = launch;
  switch (shape) {
    case 'standard':
      return withEnv({ command, args }, 'env', env);
    case 'typed':
      return withEnv({ type: 'stdio', command, args }, 'env', env);
    case 'zed':
      return withEnv({ source: 'custom', command, args }, 'env', env);
    case 'goose':
      return { name: key, type: 'stdio', cmd: command, args, envs: env, enabled: true, timeout: 300 };
    case 'opencode':
      return { ...withEnv({ type: 'local', command: [command, ...args] }, 'environment', env), enabled: true };
    case 'continue':
      return withEnv({ name: key, command, args }, 'env', env);
  }
}

const withHeaders = (entry: Record<string, unknown>, field: string, headers: Record<string, string>) => {
  if (Object.keys(headers).length > 0) entry[field] = headers;
  return entry;
};

/** Pure: a remote server in the shape a client's file wants. */
export function renderRemoteEntry(shape: RemoteShape, remote: RemoteSpec, key: string): Record<string, unknown> {
  const { url, headers, transport } = remote;
  const http = transport === 'streamable-http';
  switch (shape) {
    case 'claude-code':
    case 'vscode':
      return withHeaders({ type: http ? 'http' : 'sse', url }, 'headers', headers);
    case 'url':
      return withHeaders({ url }, 'headers', headers);
    case 'windsurf':
      return withHeaders({ serverUrl: url }, 'headers', headers);
    case 'cline':
      return withHeaders({ type: http ? 'streamableHttp' : 'sse', url }, 'headers', headers);
    case 'roo-code':
      return withHeaders({ type: http ? 'streamable-http' : 'sse', url }, 'headers', headers);
    case 'continue':
      return { name: key, type: http ? 'streamable-http' : 'sse', url, ...(Object.keys(headers).length > 0 ? { requestOptions: { headers } } : {}) };
    case 'goose':
      return { name: key, type: 'streamable_http', uri: url, headers, description: '', enabled: true, timeout: 300 };
    case 'codex':
      return withHeaders({ url }, 'http_headers', headers);
    case 'gemini':
      return withHeaders(http ? { httpUrl: url } : { url }, 'headers', headers);
    case 'opencode':
      return { ...withHeaders({ type: 'remote', url }, 'headers', headers), enabled: true };
    case 'amazon-q':
      return withHeaders({ type: 'http', url }, 'headers', headers);
  }
}
