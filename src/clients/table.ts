/**
 * The MCP clients mcpm knows, as data: where each keeps its server list on each OS, in what format, under which
 * key, the shape of its entries, how it turns one off, how to tell it is installed, and where each fact comes from
 * (`source`, a link to the client's own documentation or source; more in test/golden/clients.json). Adding a client
 * is adding a row (rows-apps.ts: editors and desktop apps; rows-agents.ts: terminal agents). The README's client
 * table is generated from these rows (`npm run docs:clients`).
 *
 * Paths are templates (see clients/paths.ts): `~` is the home folder, `${VAR:-fallback}` an environment variable.
 */
import { APP_CLIENTS } from './rows-apps.js';
import { AGENT_CLIENTS } from './rows-agents.js';

export type FileFormat = 'json' | 'jsonc' | 'yaml-map' | 'yaml-list' | 'toml';

/** How a client wants a stdio entry (see plan/entry.ts). */
export type StdioShape = 'standard' | 'typed' | 'zed' | 'goose' | 'opencode' | 'continue';

/**
 * How a client wants a remote entry (see plan/entry.ts). `vscode` is the common `{ type: "http"|"sse", url,
 * headers }` many clients share; `url` is `{ url, headers }` with the transport left to the client.
 */
export type RemoteShape =
  | 'claude-code'
  | 'url'
  | 'vscode'
  | 'windsurf'
  | 'cline'
  | 'roo-code'
  | 'continue'
  | 'goose'
  | 'codex'
  | 'gemini'
  | 'opencode'
  | 'amazon-q';

export type OsKey = 'darwin' | 'linux' | 'win32';

/**
 * Something that exists only because the client is installed, never because mcpm wrote a file: a path (file or
 * folder; a unit test checks that no client file mcpm may write lies at or under it), an executable on PATH, or an
 * editor extension's folder (`<dir>/<id>-<version>`), optionally limited to a range of its versions.
 */
export type Marker =
  | string
  | { program: string }
  | { extensionsDir: string; extension: string; atLeast?: string; below?: string };

/** A candidate file; `when` says what selects it even before the file itself exists (and, unless met, rules it out). */
export type FileCandidate = string | { path: string; when: Marker };

export interface ClientDefinition {
  id: string;
  name: string;
  /** Where the row's facts come from: the client's documentation or source. */
  source: string;
  format: FileFormat;
  /** The map (or list, for yaml-list) holding the servers, as a key path from the top of the file (a key may hold a dot). */
  serversPath: string[];
  /**
   * Candidate files per OS, in order of preference. A candidate with `when` counts only while its marker holds;
   * of the others, the first whose file exists, else the first whose marker holds, else the first whose folder
   * exists is the one mcpm edits; if none does, the last (the most general) is created when the user names it.
   */
  files: Record<OsKey, FileCandidate[]>;
  /** What shows the client is installed here (besides its config file existing). See Marker. */
  detect: Partial<Record<OsKey, Marker[]>>;
  /** Set where mcpm cannot edit the client's server list safely (all OSes, or some): the reason, shown and refused. */
  unsupported?: string | Partial<Record<OsKey, string>>;
  /** The project-scoped file, relative to the project folder (`--scope project`), if the client has one. */
  projectFile?: string;
  stdio: StdioShape;
  /** Remote transports the file can hold, and in which shape; absent: the client cannot reach remote servers itself. */
  remote?: { shape: RemoteShape; transports: Array<'streamable-http' | 'sse'> };
  /** The client's own per-entry switch, if it has one; otherwise disable removes the entry and remembers it. */
  disable?: { field: string; off: boolean };
  /** Top-level keys a new file must have for the client to accept it (Continue refuses a config without a name). */
  skeleton?: Record<string, unknown>;
  /** Characters a client accepts in an entry key; others become "-". */
  keyPattern: RegExp;
  restart: string;
}

export const CLIENTS: readonly ClientDefinition[] = [...APP_CLIENTS, ...AGENT_CLIENTS];

export function findClient(id: string): ClientDefinition | undefined {
  return CLIENTS.find((client) => client.id === id);
}

/** Why mcpm will not write this client's file on this OS, if it will not. */
export function unsupportedReason(client: ClientDefinition, os: OsKey): string | undefined {
  return typeof client.unsupported === 'string' ? client.unsupported : client.unsupported?.[os];
}

/** The key as this client accepts it: characters it rejects become "-". */
export function clientKey(client: ClientDefinition, key: string): string {
  return [...key].map((ch) => (client.keyPattern.test(ch) ? ch : '-')).join('');
}
