/**
 * The MCP clients mcpm knows, as data: where each keeps its server list on each OS, in what format, under which
 * key, and the shape of an entry. Adding a client is adding a row. Sources for each row are in the README's
 * client table.
 */
export type FileFormat = 'json' | 'jsonc' | 'yaml' | 'toml';
export type StdioShape = 'standard';

export interface ClientDefinition {
  id: string;
  name: string;
  format: FileFormat;
  /** The object holding the servers, as a key path from the top of the file. */
  serversPath: string[];
  /**
   * Candidate files per OS (templates, see clients/paths.ts), in order of preference. The first whose folder exists
   * is the one mcpm edits; if none exists, the last (the most general) is created when the user names the client.
   */
  files: { darwin: string[]; linux: string[]; win32: string[] };
  stdio: StdioShape;
  /** Said after a change, since clients read their file only at start. */
  restart: string;
}

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
        // The Microsoft Store (MSIX) build reads its own virtualised copy of %APPDATA%; writing the classic path
        // does nothing for it, so it comes first when present.
        '${LOCALAPPDATA:-~/AppData/Local}/Packages/Claude_pzs8sxrjxfjjc/LocalCache/Roaming/Claude/claude_desktop_config.json',
        '${APPDATA:-~/AppData/Roaming}/Claude/claude_desktop_config.json',
      ],
    },
    stdio: 'standard',
    restart: 'Restart Claude Desktop (quit it from the tray or menu bar) to load the change.',
  },
];

export function findClient(id: string): ClientDefinition | undefined {
  return CLIENTS.find((client) => client.id === id);
}
