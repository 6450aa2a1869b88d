/**
 * The README's client table, written from the client table itself, so the two cannot disagree:
 * `npm run docs:clients` puts it between the markers in README.md, and a unit test fails when they differ.
 * Pure: rows in, Markdown out. Not loaded by the CLI.
 */
import type { ClientDefinition, FileCandidate, Marker, OsKey, RemoteShape, StdioShape } from './table.js';
import { replaceVariables } from './paths.js';

export const TABLE_BEGIN = '<!-- clients:begin (generated from src/clients/table.ts by `npm run docs:clients`; do not edit) -->';
export const TABLE_END = '<!-- clients:end -->';

const STDIO: Record<StdioShape, string> = {
  standard: '`command, args, env`',
  typed: '`type: "stdio", command, args, env`',
  zed: '`source: "custom", command, args, env`',
  goose: '`name, type: "stdio", cmd, args, envs, enabled, timeout`',
  opencode: '`type: "local", command: [cmd, …args], environment, enabled`',
  continue: '`name, command, args, env`',
};

/** Per shape: the HTTP form, the SSE form (when it differs only in the type, the shared text). */
const REMOTE: Record<RemoteShape, { http: string; sse: string; both: string }> = {
  'claude-code': { http: '`type: "http", url, headers`', sse: '`type: "sse", url, headers`', both: '`type: "http"|"sse", url, headers`' },
  vscode: { http: '`type: "http", url, headers`', sse: '`type: "sse", url, headers`', both: '`type: "http"|"sse", url, headers`' },
  url: { http: '`url, headers`', sse: '`url, headers`', both: '`url, headers`' },
  windsurf: { http: '`serverUrl, headers`', sse: '`serverUrl, headers`', both: '`serverUrl, headers`' },
  cline: { http: '`type: "streamableHttp", url, headers`', sse: '`type: "sse", url, headers`', both: '`type: "streamableHttp"|"sse", url, headers`' },
  'roo-code': { http: '`type: "streamable-http", url, headers`', sse: '`type: "sse", url, headers`', both: '`type: "streamable-http"|"sse", url, headers`' },
  continue: { http: '`name, type, url, requestOptions.headers`', sse: '`name, type, url, requestOptions.headers`', both: '`name, type, url, requestOptions.headers`' },
  goose: { http: '`type: "streamable_http", uri, headers, description`', sse: '-', both: '-' },
  codex: { http: '`url, http_headers`', sse: '-', both: '-' },
  gemini: { http: '`httpUrl, headers`', sse: '`url, headers`', both: '`httpUrl` (HTTP) or `url` (SSE), `headers`' },
  opencode: { http: '`type: "remote", url, headers, enabled`', sse: '`type: "remote", url, headers, enabled`', both: '`type: "remote", url, headers, enabled`' },
  'amazon-q': { http: '`type: "http", url, headers`', sse: '-', both: '-' },
};

const OS_ORDER: OsKey[] = ['linux', 'darwin', 'win32'];

/**
 * A path template as people read it: Windows folders as `%APPDATA%`, XDG folders and a client's own override
 * variable by their default (the variables are listed after the table row's paths).
 */
function readable(template: string): string {
  return replaceVariables(template, (name, fallback) => (name === 'APPDATA' || name === 'LOCALAPPDATA' ? `%${name}%` : fallback !== undefined ? readable(fallback) : `$${name}`))!;
}

/** The environment variables that move a file (XDG and Windows folders aside, which everyone knows). */
function overrides(template: string): string[] {
  const names = [...template.matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]!);
  return names.filter((n) => !['APPDATA', 'LOCALAPPDATA', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'FLATPAK_XDG_CONFIG_HOME'].includes(n));
}

function candidatePath(candidate: FileCandidate): string {
  return typeof candidate === 'string' ? candidate : candidate.path;
}

function whenText(marker: Marker): string {
  if (typeof marker === 'string') return `\`${readable(marker)}\` exists`;
  if ('program' in marker) return `\`${marker.program}\` is on PATH`;
  const range = marker.atLeast ? ` ${marker.atLeast} or later` : marker.below ? ` before ${marker.below}` : '';
  return `the editor has \`${marker.extension}\`${range}`;
}

function fileCell(client: ClientDefinition): string {
  const perOs = OS_ORDER.map((os) => {
    const reason = typeof client.unsupported === 'string' ? client.unsupported : client.unsupported?.[os];
    if (reason) return `not writable (${reason.split(':')[0]})`;
    return client.files[os].filter((c) => typeof c === 'string').map((c) => `\`${readable(candidatePath(c))}\``).join(' or ');
  });
  // A file chosen only while its marker holds (the Store build of Claude Desktop, Cline 4.x) is named once, after.
  const gated = [
    ...new Set(
      OS_ORDER.flatMap((os) =>
        client.files[os].flatMap((c) => (typeof c === 'string' ? [] : [`\`${readable(c.path)}\` when ${whenText(c.when)}`])),
      ),
    ),
  ];
  const vars = [...new Set(OS_ORDER.flatMap((os) => client.files[os].flatMap((c) => overrides(candidatePath(c)))))];
  const paths = perOs.every((p) => p === perOs[0]) ? perOs[0]! : perOs.join(' · ');
  return [paths, gated.length ? `; instead ${gated.join('; ')}` : '', vars.length ? ` (moved by ${vars.map((v) => `\`$${v}\``).join(', ')})` : ''].join('');
}

function serversCell(client: ClientDefinition): string {
  if (client.format === 'toml') return `\`[${client.serversPath.join('.')}.<key>]\``;
  const at = client.serversPath.map((k) => (k.includes('.') ? `"${k}"` : k)).join('.');
  return client.format === 'yaml-list' ? `\`${at}\` (a list of \`name:\` items)` : `\`${at}\``;
}

function remoteCell(client: ClientDefinition): string {
  if (!client.remote) return 'an `mcpm run` entry, which bridges';
  const forms = REMOTE[client.remote.shape];
  const http = client.remote.transports.includes('streamable-http');
  const sse = client.remote.transports.includes('sse');
  if (http && sse) return forms.both;
  return http ? `${forms.http} (HTTP only)` : `${forms.sse} (SSE only)`;
}

function offCell(client: ClientDefinition): string {
  if (!client.disable) return 'removal';
  const value = JSON.stringify(client.disable.off);
  return client.format === 'toml' ? `\`${client.disable.field} = ${value}\`` : `\`${client.disable.field}: ${value}\``;
}

/** A source link shortened to its site (and, on GitHub, the repository). */
export function shortSource(url: string): string {
  const parts = url.replace(/^https?:\/\/(www\.)?/, '').split(/[/#?]/);
  return parts[0] === 'github.com' ? parts.slice(0, 3).join('/') : parts[0]!;
}

function sourceCell(client: ClientDefinition): string {
  return `[${shortSource(client.source)}](${client.source})`;
}

const escapeCell = (text: string) => text.replaceAll('|', '\\|');

/** The Markdown table, one row per client, in the table's order. */
export function renderClientTable(clients: readonly ClientDefinition[]): string {
  const header = '| id | client | file (Linux · macOS · Windows) | servers at | stdio entry | remote entry | off switch | project file | source |';
  const rule = '|---|---|---|---|---|---|---|---|---|';
  const rows = clients.map((c) =>
    [
      `\`${c.id}\``,
      c.name,
      fileCell(c),
      serversCell(c),
      c.files.linux.length || c.files.win32.length ? STDIO[c.stdio] : '-',
      c.files.linux.length || c.files.win32.length ? remoteCell(c) : '-',
      c.files.linux.length || c.files.win32.length ? offCell(c) : '-',
      c.projectFile ? `\`${c.projectFile}\`` : '-',
      sourceCell(c),
    ]
      .map(escapeCell)
      .join(' | '),
  );
  return [header, rule, ...rows.map((r) => `| ${r} |`)].join('\n');
}

/** README text with the block between the markers replaced by `table`; throws when the markers are missing. */
export function replaceClientTable(readme: string, table: string): string {
  const begin = readme.indexOf(TABLE_BEGIN);
  const end = readme.indexOf(TABLE_END);
  if (begin === -1 || end === -1 || end < begin) throw new Error('README.md has no client table markers');
  return `${readme.slice(0, begin + TABLE_BEGIN.length)}\n${table}\n${readme.slice(end)}`;
}
