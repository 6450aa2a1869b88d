/**
 * Reading entries mcpm did not write (people's hand-written `npx -y pkg` lines) back into a command line, and
 * finding the npm package they start. Pure.
 */
export interface ForeignLaunch {
  command?: string;
  args: string[];
  env: Record<string, string>;
  url?: string;
  headers?: Record<string, string>;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const stringMap = (value: unknown): Record<string, string> =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).filter((pair): pair is [string, string] => typeof pair[1] === 'string'))
    : {};

/** Any client's entry shape: command/cmd/command-array, args, env/envs/environment, url/serverUrl/httpUrl/uri. */
export function readForeignEntry(value: unknown): ForeignLaunch {
  const entry = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const commandArray = strings(entry.command);
  const command = Array.isArray(entry.command) ? commandArray[0] : typeof entry.command === 'string' ? entry.command : typeof entry.cmd === 'string' ? entry.cmd : undefined;
  const args = Array.isArray(entry.command) ? commandArray.slice(1) : strings(entry.args);
  const env = { ...stringMap(entry.env), ...stringMap(entry.envs), ...stringMap(entry.environment) };
  const url = [entry.url, entry.serverUrl, entry.httpUrl, entry.uri].find((u): u is string => typeof u === 'string');
  const requestOptions = entry.requestOptions as { headers?: unknown } | undefined;
  const headers = { ...stringMap(entry.headers), ...stringMap(entry.http_headers), ...stringMap(requestOptions?.headers) };
  return { command, args, env, ...(url ? { url } : {}), ...(url && Object.keys(headers).length ? { headers } : {}) };
}

export interface NpmLaunch {
  name: string;
  version?: string;
  /** The arguments after the package (`npx -y pkg@1.0.0 --verbose` -> ["--verbose"]): the server's own. */
  rest: string[];
}

const RUNNERS: Record<string, string[]> = { npx: [], bunx: [], pnpm: ['dlx'], yarn: ['dlx'], 'pnpx': [] };

/** The npm package a launch runs: `npx -y pkg@1.2.3`, `cmd /c npx ...`, `pnpm dlx pkg`, `node .../node_modules/pkg/bin.js`. */
export function npmPackageOf(launch: ForeignLaunch): NpmLaunch | undefined {
  if (!launch.command) return undefined;
  let [command, ...args] = [launch.command, ...launch.args];
  const base = (p: string) => p.replaceAll('\\', '/').split('/').pop()!.replace(/\.(cmd|exe|ps1)$/i, '').toLowerCase();
  if (base(command) === 'cmd' && ['/c', '/C'].includes(args[0] ?? '')) [command, ...args] = args.slice(1) as [string, ...string[]];
  const runner = RUNNERS[base(command ?? '')];
  if (runner) {
    if (runner.length > 0 && args[0] !== runner[0]) return undefined;
    const rest = args.slice(runner.length);
    const packageFlag = rest.findIndex((a) => a === '-p' || a === '--package');
    // `npx -p pkg cmd args` runs cmd; `npx [flags] pkg args` runs pkg's bin: what follows is the server's.
    const at = packageFlag !== -1 ? packageFlag + 1 : rest.findIndex((a) => !a.startsWith('-'));
    const spec = at === -1 ? undefined : rest[at];
    const after = packageFlag !== -1 ? rest.slice(at + 2) : rest.slice(at + 1);
    const parsed = spec ? parseSpec(spec) : undefined;
    return parsed ? { ...parsed, rest: after } : undefined;
  }
  if (base(command ?? '') === 'node') {
    const index = args.findIndex((a) => !a.startsWith('-'));
    const script = args[index]?.replaceAll('\\', '/');
    const match = script && /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(script);
    return match ? { name: match[1]!, rest: args.slice(index + 1) } : undefined;
  }
  return undefined;
}

function parseSpec(spec: string): Omit<NpmLaunch, 'rest'> | undefined {
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  const name = at === -1 ? spec : spec.slice(0, at);
  const version = at === -1 ? undefined : spec.slice(at + 1);
  if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name)) return undefined;
  return { name, ...(version && version !== 'latest' ? { version } : {}) };
}
