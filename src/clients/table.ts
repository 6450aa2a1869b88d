/**
 * The MCP clients mcpm knows, as data: where each keeps its server list on each OS, in what format, under which
 * key, the shape of its entries, how it turns one off. Adding a client is adding a row. Each row was settled from
 * the client's own documentation or source (see the README's client table for the sources).
 *
 * Paths are templates (see clients/paths.ts): `~` is the home folder, `${VAR:-fallback}` an environment variable.
 */
export type FileFormat = 'json' | 'jsonc' | 'yaml-map' | 'yaml-list' | 'toml';

/** How a client wants a stdio entry (see plan/entry.ts). */
export type StdioShape = 'standard' | 'typed' | 'zed' | 'goose' | 'opencode' | 'continue';

/** How a client wants a remote entry (see plan/entry.ts). */
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

/** A candidate file; `when` names a folder whose existence selects it even before the file's own folder exists. */
export type FileCandidate = string | { path: string; when: string };

export interface ClientDefinition {
  id: string;
  name: string;
  format: FileFormat;
  /** The map (or list, for yaml-list) holding the servers, as a key path from the top of the file. */
  serversPath: string[];
  /**
   * Candidate files per OS, in order of preference. The first that exists, else the first whose folder exists, is
   * the one mcpm edits; if none does, the last (the most general) is created when the user names the client.
   */
  files: { darwin: FileCandidate[]; linux: FileCandidate[]; win32: FileCandidate[] };
  /** Folders whose existence means the client is installed (default: the folders of `files`). */
  detect?: { darwin?: string[]; linux?: string[]; win32?: string[] };
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

const SAFE_KEY = /[A-Za-z0-9_.-]/;
const NO_DOT_KEY = /[A-Za-z0-9_-]/;
const DASH_KEY = /[A-Za-z0-9-]/;
const CODE_USER = {
  darwin: '~/Library/Application Support/Code/User',
  linux: '${XDG_CONFIG_HOME:-~/.config}/Code/User',
  win32: '${APPDATA:-~/AppData/Roaming}/Code/User',
};
const reload = (name: string) => `Reload ${name} (or restart it) to load the change.`;

export const CLIENTS: readonly ClientDefinition[] = [
  {
    id: 'claude-desktop',
    name: 'Claude Desktop',
    format: 'json',
    serversPath: ['mcpServers'],
    files: {
      darwin: ['~/Library/Application Support/Claude/claude_desktop_config.json'],
      linux: ['${XDG_CONFIG_HOME:-~/.config}/Claude/claude_desktop_config.json'],
      win32: [
        // The Microsoft Store (MSIX) build, the default since 2026, reads its own virtualised copy of %APPDATA%;
        // writing the classic path does nothing for it, so it comes first when present.
        {
          path: '${LOCALAPPDATA:-~/AppData/Local}/Packages/Claude_pzs8sxrjxfjjc/LocalCache/Roaming/Claude/claude_desktop_config.json',
          when: '${LOCALAPPDATA:-~/AppData/Local}/Packages/Claude_pzs8sxrjxfjjc',
        },
        '${APPDATA:-~/AppData/Roaming}/Claude/claude_desktop_config.json',
      ],
    },
    stdio: 'standard',
    keyPattern: SAFE_KEY,
    restart: 'Restart Claude Desktop (quit it from the tray or menu bar) to load the change.',
  },
  {
    id: 'claude-code',
    name: 'Claude Code',
    format: 'json',
    serversPath: ['mcpServers'],
    files: { darwin: ['${CLAUDE_CONFIG_DIR:-~}/.claude.json'], linux: ['${CLAUDE_CONFIG_DIR:-~}/.claude.json'], win32: ['${CLAUDE_CONFIG_DIR:-~}/.claude.json'] },
    detect: { darwin: ['${CLAUDE_CONFIG_DIR:-~/.claude}'], linux: ['${CLAUDE_CONFIG_DIR:-~/.claude}'], win32: ['${CLAUDE_CONFIG_DIR:-~/.claude}'] },
    projectFile: '.mcp.json',
    stdio: 'typed',
    remote: { shape: 'claude-code', transports: ['streamable-http', 'sse'] },
    keyPattern: NO_DOT_KEY,
    restart: 'Start a new Claude Code session to load the change.',
  },
  {
    id: 'cursor',
    name: 'Cursor',
    format: 'json',
    serversPath: ['mcpServers'],
    files: { darwin: ['~/.cursor/mcp.json'], linux: ['~/.cursor/mcp.json'], win32: ['~/.cursor/mcp.json'] },
    projectFile: '.cursor/mcp.json',
    stdio: 'standard',
    remote: { shape: 'url', transports: ['streamable-http', 'sse'] },
    keyPattern: SAFE_KEY,
    restart: reload('Cursor'),
  },
  {
    id: 'vscode',
    name: 'VS Code',
    format: 'jsonc',
    serversPath: ['servers'],
    files: { darwin: [`${CODE_USER.darwin}/mcp.json`], linux: [`${CODE_USER.linux}/mcp.json`], win32: [`${CODE_USER.win32}/mcp.json`] },
    projectFile: '.vscode/mcp.json',
    stdio: 'typed',
    remote: { shape: 'vscode', transports: ['streamable-http', 'sse'] },
    keyPattern: SAFE_KEY,
    restart: 'VS Code picks up mcp.json changes itself; start the server from the MCP view if it is not running.',
  },
  {
    id: 'windsurf',
    name: 'Windsurf',
    format: 'json',
    serversPath: ['mcpServers'],
    files: { darwin: ['~/.codeium/windsurf/mcp_config.json'], linux: ['~/.codeium/windsurf/mcp_config.json'], win32: ['~/.codeium/windsurf/mcp_config.json'] },
    stdio: 'standard',
    remote: { shape: 'windsurf', transports: ['streamable-http', 'sse'] },
    keyPattern: SAFE_KEY,
    restart: 'Press refresh in Windsurf\'s MCP panel (or restart it) to load the change.',
  },
  {
    id: 'cline',
    name: 'Cline',
    format: 'json',
    serversPath: ['mcpServers'],
    files: {
      darwin: ['${CLINE_DATA_DIR:-${CLINE_DIR:-~/.cline}/data}/settings/cline_mcp_settings.json'],
      linux: ['${CLINE_DATA_DIR:-${CLINE_DIR:-~/.cline}/data}/settings/cline_mcp_settings.json'],
      win32: ['${CLINE_DATA_DIR:-${CLINE_DIR:-~/.cline}/data}/settings/cline_mcp_settings.json'],
    },
    detect: { darwin: ['${CLINE_DIR:-~/.cline}'], linux: ['${CLINE_DIR:-~/.cline}'], win32: ['${CLINE_DIR:-~/.cline}'] },
    stdio: 'standard',
    remote: { shape: 'cline', transports: ['streamable-http', 'sse'] },
    disable: { field: 'disabled', off: true },
    keyPattern: SAFE_KEY,
    restart: 'Cline reloads its MCP settings itself.',
  },
  {
    id: 'roo-code',
    name: 'Roo Code',
    format: 'json',
    serversPath: ['mcpServers'],
    files: {
      darwin: [`${CODE_USER.darwin}/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json`],
      linux: [`${CODE_USER.linux}/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json`],
      win32: [`${CODE_USER.win32}/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json`],
    },
    detect: {
      darwin: [`${CODE_USER.darwin}/globalStorage/rooveterinaryinc.roo-cline`],
      linux: [`${CODE_USER.linux}/globalStorage/rooveterinaryinc.roo-cline`],
      win32: [`${CODE_USER.win32}/globalStorage/rooveterinaryinc.roo-cline`],
    },
    projectFile: '.roo/mcp.json',
    stdio: 'standard',
    remote: { shape: 'roo-code', transports: ['streamable-http', 'sse'] },
    disable: { field: 'disabled', off: true },
    keyPattern: SAFE_KEY,
    restart: 'Roo Code reloads its MCP settings itself.',
  },
  {
    id: 'continue',
    name: 'Continue',
    format: 'yaml-list',
    serversPath: ['mcpServers'],
    files: { darwin: ['~/.continue/config.yaml'], linux: ['~/.continue/config.yaml'], win32: ['~/.continue/config.yaml'] },
    skeleton: { name: 'Local Config', version: '1.0.0', schema: 'v1' },
    stdio: 'continue',
    remote: { shape: 'continue', transports: ['streamable-http', 'sse'] },
    keyPattern: SAFE_KEY,
    restart: reload('your editor\'s Continue extension'),
  },
  {
    id: 'zed',
    name: 'Zed',
    format: 'jsonc',
    serversPath: ['context_servers'],
    files: {
      darwin: ['~/.config/zed/settings.json'],
      linux: ['${FLATPAK_XDG_CONFIG_HOME:-${XDG_CONFIG_HOME:-~/.config}}/zed/settings.json'],
      win32: ['${APPDATA:-~/AppData/Roaming}/Zed/settings.json'],
    },
    projectFile: '.zed/settings.json',
    stdio: 'zed',
    remote: { shape: 'url', transports: ['streamable-http'] },
    disable: { field: 'enabled', off: false },
    keyPattern: SAFE_KEY,
    restart: 'Zed reloads settings.json itself.',
  },
  {
    id: 'goose',
    name: 'Goose',
    format: 'yaml-map',
    serversPath: ['extensions'],
    files: {
      darwin: ['${GOOSE_PATH_ROOT:-${XDG_CONFIG_HOME:-~/.config}/goose}/config.yaml'],
      linux: ['${GOOSE_PATH_ROOT:-${XDG_CONFIG_HOME:-~/.config}/goose}/config.yaml'],
      win32: ['${GOOSE_PATH_ROOT:-${APPDATA:-~/AppData/Roaming}/Block/goose/config}/config.yaml'],
    },
    stdio: 'goose',
    remote: { shape: 'goose', transports: ['streamable-http'] },
    disable: { field: 'enabled', off: false },
    keyPattern: SAFE_KEY,
    restart: 'Start a new Goose session to load the change.',
  },
  {
    id: 'codex',
    name: 'Codex',
    format: 'toml',
    serversPath: ['mcp_servers'],
    files: { darwin: ['${CODEX_HOME:-~/.codex}/config.toml'], linux: ['${CODEX_HOME:-~/.codex}/config.toml'], win32: ['${CODEX_HOME:-~/.codex}/config.toml'] },
    // Codex reads it only in projects the user marked trusted.
    projectFile: '.codex/config.toml',
    stdio: 'standard',
    remote: { shape: 'codex', transports: ['streamable-http'] },
    disable: { field: 'enabled', off: false },
    keyPattern: NO_DOT_KEY,
    restart: 'Start a new Codex session to load the change.',
  },
  {
    id: 'gemini-cli',
    name: 'Gemini CLI',
    format: 'jsonc',
    serversPath: ['mcpServers'],
    files: {
      darwin: ['${GEMINI_CLI_HOME:-~}/.gemini/settings.json'],
      linux: ['${GEMINI_CLI_HOME:-~}/.gemini/settings.json'],
      win32: ['${GEMINI_CLI_HOME:-~}/.gemini/settings.json'],
    },
    projectFile: '.gemini/settings.json',
    stdio: 'standard',
    remote: { shape: 'gemini', transports: ['streamable-http', 'sse'] },
    // Gemini builds tool ids as mcp_<server>_<tool>: an underscore in a server name breaks its policy rules.
    keyPattern: DASH_KEY,
    restart: 'Start a new Gemini CLI session to load the change.',
  },
  {
    id: 'opencode',
    name: 'opencode',
    format: 'jsonc',
    serversPath: ['mcp'],
    files: {
      darwin: ['${XDG_CONFIG_HOME:-~/.config}/opencode/opencode.jsonc', '${XDG_CONFIG_HOME:-~/.config}/opencode/opencode.json'],
      linux: ['${XDG_CONFIG_HOME:-~/.config}/opencode/opencode.jsonc', '${XDG_CONFIG_HOME:-~/.config}/opencode/opencode.json'],
      win32: ['~/.config/opencode/opencode.jsonc', '~/.config/opencode/opencode.json'],
    },
    projectFile: 'opencode.json',
    stdio: 'opencode',
    remote: { shape: 'opencode', transports: ['streamable-http', 'sse'] },
    disable: { field: 'enabled', off: false },
    keyPattern: SAFE_KEY,
    restart: 'Start a new opencode session to load the change.',
  },
  {
    id: 'lm-studio',
    name: 'LM Studio',
    format: 'json',
    serversPath: ['mcpServers'],
    files: { darwin: ['~/.lmstudio/mcp.json'], linux: ['~/.lmstudio/mcp.json'], win32: ['~/.lmstudio/mcp.json'] },
    stdio: 'standard',
    remote: { shape: 'url', transports: ['streamable-http'] },
    keyPattern: SAFE_KEY,
    restart: 'LM Studio reloads mcp.json itself.',
  },
  {
    id: 'kiro',
    name: 'Kiro',
    format: 'json',
    serversPath: ['mcpServers'],
    files: { darwin: ['~/.kiro/settings/mcp.json'], linux: ['~/.kiro/settings/mcp.json'], win32: ['~/.kiro/settings/mcp.json'] },
    detect: { darwin: ['~/.kiro'], linux: ['~/.kiro'], win32: ['~/.kiro'] },
    projectFile: '.kiro/settings/mcp.json',
    stdio: 'standard',
    remote: { shape: 'url', transports: ['streamable-http', 'sse'] },
    disable: { field: 'disabled', off: true },
    keyPattern: SAFE_KEY,
    restart: 'Kiro reloads mcp.json itself.',
  },
  {
    id: 'amazon-q',
    name: 'Amazon Q Developer',
    format: 'json',
    serversPath: ['mcpServers'],
    files: { darwin: ['~/.aws/amazonq/mcp.json'], linux: ['~/.aws/amazonq/mcp.json'], win32: ['~/.aws/amazonq/mcp.json'] },
    detect: { darwin: ['~/.aws/amazonq'], linux: ['~/.aws/amazonq'], win32: ['~/.aws/amazonq'] },
    projectFile: '.amazonq/mcp.json',
    stdio: 'standard',
    remote: { shape: 'amazon-q', transports: ['streamable-http'] },
    disable: { field: 'disabled', off: true },
    keyPattern: SAFE_KEY,
    restart: 'Start a new Amazon Q session to load the change.',
  },
];

export function findClient(id: string): ClientDefinition | undefined {
  return CLIENTS.find((client) => client.id === id);
}

/** The key as this client accepts it: characters it rejects become "-". */
export function clientKey(client: ClientDefinition, key: string): string {
  return [...key].map((ch) => (client.keyPattern.test(ch) ? ch : '-')).join('');
}
