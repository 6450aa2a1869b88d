// Editors and desktop apps (a data table: see table.ts for what each field means).
import type { ClientDefinition, FileCandidate, Marker, OsKey } from './table.js';
import { appData, detectEverywhere, everywhere, inAppData, reload, SAFE_KEY, sameFile } from './rows-common.js';

const VSCODE_EXTENSIONS = '~/.vscode/extensions';
const CLINE_EXTENSION = 'saoudrizwan.claude-dev';
/** The file the Cline CLI reads, and since 4.0.0 the Cline extension too (see the cline row in rows-agents.ts). */
export const CLINE_SHARED_FILE =
  '${CLINE_MCP_SETTINGS_PATH:-${CLINE_DATA_DIR:-${CLINE_DIR:-~/.cline}/data}/settings/cline_mcp_settings.json}';

/**
 * The Cline extension inside one editor. Up to 3.x it reads `globalStorage/saoudrizwan.claude-dev/settings/` under
 * the editor's user folder; 4.0.0 moved to the file shared with the Cline CLI and imports the old file once, at its
 * first start. So: the shared file when 4.x or later is installed, else the editor's own file (which a later 4.x
 * imports).
 */
function clineExtension(id: string, editor: string, app: string, extensionsDir: string): ClientDefinition {
  const modern: Marker = { extensionsDir, extension: CLINE_EXTENSION, atLeast: '4.0.0' };
  const files = Object.fromEntries(
    (['darwin', 'linux', 'win32'] as const).map((os) => [
      os,
      [{ path: CLINE_SHARED_FILE, when: modern }, `${appData(app)[os]}/User/globalStorage/${CLINE_EXTENSION}/settings/cline_mcp_settings.json`] as FileCandidate[],
    ]),
  ) as Record<OsKey, FileCandidate[]>;
  return {
    id,
    name: `Cline (${editor} extension)`,
    source: 'https://github.com/cline/cline/blob/main/apps/vscode/src/hosts/vscode/mcp-settings-legacy-migration.ts',
    format: 'json',
    serversPath: ['mcpServers'],
    files,
    detect: detectEverywhere({ extensionsDir, extension: CLINE_EXTENSION }),
    stdio: 'standard',
    remote: { shape: 'cline', transports: ['streamable-http', 'sse'] },
    disable: { field: 'disabled', off: true },
    keyPattern: SAFE_KEY,
    restart: 'Cline reloads its MCP settings itself.',
  };
}

/** An Electron app's user-data folder (the app writes it at first start; mcpm never writes there) and more markers. */
function withAppData(app: string, ...more: Marker[]): Record<OsKey, Marker[]> {
  const base = appData(app);
  return { darwin: [base.darwin, ...more], linux: [base.linux, ...more], win32: [base.win32, ...more] };
}

export const APP_CLIENTS: ClientDefinition[] = [
  {
    id: 'claude-desktop',
    name: 'Claude Desktop',
    source: 'https://modelcontextprotocol.io/quickstart/user',
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
    // The config folder is also the one mcpm creates; the app bundle, the Squirrel install folder, the Store
    // package and Electron's own storage are not.
    detect: {
      darwin: ['/Applications/Claude.app', '~/Applications/Claude.app'],
      linux: ['${XDG_CONFIG_HOME:-~/.config}/Claude/Local Storage'],
      win32: ['${LOCALAPPDATA:-~/AppData/Local}/AnthropicClaude', '${LOCALAPPDATA:-~/AppData/Local}/Packages/Claude_pzs8sxrjxfjjc'],
    },
    stdio: 'standard',
    keyPattern: SAFE_KEY,
    restart: 'Restart Claude Desktop (quit it from the tray or menu bar) to load the change.',
  },
  {
    id: 'cursor',
    name: 'Cursor',
    source: 'https://cursor.com/docs/context/mcp',
    format: 'json',
    serversPath: ['mcpServers'],
    files: sameFile('~/.cursor/mcp.json'),
    detect: detectEverywhere('~/.cursor/extensions', { program: 'cursor' }),
    projectFile: '.cursor/mcp.json',
    stdio: 'standard',
    remote: { shape: 'url', transports: ['streamable-http', 'sse'] },
    keyPattern: SAFE_KEY,
    restart: reload('Cursor'),
  },
  {
    id: 'vscode',
    name: 'VS Code',
    source: 'https://github.com/microsoft/vscode-docs/blob/main/docs/copilot/reference/mcp-configuration.md',
    format: 'jsonc',
    serversPath: ['servers'],
    files: inAppData('Code', 'User/mcp.json'),
    detect: detectEverywhere(VSCODE_EXTENSIONS, { program: 'code' }),
    projectFile: '.vscode/mcp.json',
    stdio: 'typed',
    remote: { shape: 'vscode', transports: ['streamable-http', 'sse'] },
    keyPattern: SAFE_KEY,
    restart: 'VS Code picks up mcp.json changes itself; start the server from the MCP view if it is not running.',
  },
  {
    id: 'vscode-insiders',
    name: 'VS Code Insiders',
    source: 'https://code.visualstudio.com/docs/agents/reference/mcp-configuration',
    format: 'jsonc',
    serversPath: ['servers'],
    files: inAppData('Code - Insiders', 'User/mcp.json'),
    detect: detectEverywhere('~/.vscode-insiders/extensions', { program: 'code-insiders' }),
    projectFile: '.vscode/mcp.json',
    stdio: 'typed',
    remote: { shape: 'vscode', transports: ['streamable-http', 'sse'] },
    keyPattern: SAFE_KEY,
    restart: 'VS Code Insiders picks up mcp.json changes itself; start the server from the MCP view if it is not running.',
  },
  {
    id: 'windsurf',
    name: 'Windsurf',
    source: 'https://docs.windsurf.com/windsurf/cascade/mcp',
    format: 'json',
    serversPath: ['mcpServers'],
    files: sameFile('~/.codeium/windsurf/mcp_config.json'),
    detect: detectEverywhere('~/.windsurf/extensions', { program: 'windsurf' }),
    stdio: 'standard',
    remote: { shape: 'windsurf', transports: ['streamable-http', 'sse'] },
    keyPattern: SAFE_KEY,
    restart: 'Press refresh in Windsurf\'s MCP panel (or restart it) to load the change.',
  },
  clineExtension('cline-vscode', 'VS Code', 'Code', VSCODE_EXTENSIONS),
  clineExtension('cline-vscode-insiders', 'VS Code Insiders', 'Code - Insiders', '~/.vscode-insiders/extensions'),
  clineExtension('cline-cursor', 'Cursor', 'Cursor', '~/.cursor/extensions'),
  clineExtension('cline-windsurf', 'Windsurf', 'Windsurf', '~/.windsurf/extensions'),
  {
    id: 'roo-code',
    name: 'Roo Code',
    source: 'https://github.com/RooCodeInc/Roo-Code/blob/main/src/services/mcp/McpHub.ts',
    format: 'json',
    serversPath: ['mcpServers'],
    files: inAppData('Code', 'User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json'),
    detect: detectEverywhere({ extensionsDir: VSCODE_EXTENSIONS, extension: 'rooveterinaryinc.roo-cline' }),
    projectFile: '.roo/mcp.json',
    stdio: 'standard',
    remote: { shape: 'roo-code', transports: ['streamable-http', 'sse'] },
    disable: { field: 'disabled', off: true },
    keyPattern: SAFE_KEY,
    restart: 'Roo Code reloads its MCP settings itself.',
  },
  {
    // The Roo-based Kilo Code extension's file. The Kilo CLI (and the extension built on it) reads it too, at every
    // start, converting entries to its own shape: `kilo mcp list` shows them.
    id: 'kilo-code',
    name: 'Kilo Code (VS Code extension)',
    source: 'https://kilo.ai/docs/features/mcp/using-mcp-in-kilo-code',
    format: 'json',
    serversPath: ['mcpServers'],
    files: inAppData('Code', 'User/globalStorage/kilocode.kilo-code/settings/mcp_settings.json'),
    detect: detectEverywhere({ extensionsDir: VSCODE_EXTENSIONS, extension: 'kilocode.kilo-code' }),
    projectFile: '.kilocode/mcp.json',
    stdio: 'standard',
    remote: { shape: 'roo-code', transports: ['streamable-http', 'sse'] },
    disable: { field: 'disabled', off: true },
    keyPattern: SAFE_KEY,
    restart: 'Kilo Code reloads its MCP settings itself.',
  },
  {
    id: 'continue',
    name: 'Continue (extension and cn)',
    source: 'https://github.com/continuedev/continue/blob/main/docs/customize/deep-dives/mcp.mdx',
    format: 'yaml-list',
    serversPath: ['mcpServers'],
    files: sameFile('~/.continue/config.yaml'),
    detect: detectEverywhere('~/.continue/logs', { extensionsDir: VSCODE_EXTENSIONS, extension: 'continue.continue' }, { program: 'cn' }),
    skeleton: { name: 'Local Config', version: '1.0.0', schema: 'v1' },
    stdio: 'continue',
    remote: { shape: 'continue', transports: ['streamable-http', 'sse'] },
    keyPattern: SAFE_KEY,
    restart: reload('your editor\'s Continue extension (or start a new cn session)'),
  },
  {
    id: 'zed',
    name: 'Zed',
    source: 'https://zed.dev/docs/ai/mcp',
    format: 'jsonc',
    serversPath: ['context_servers'],
    files: {
      darwin: ['~/.config/zed/settings.json'],
      linux: ['${FLATPAK_XDG_CONFIG_HOME:-${XDG_CONFIG_HOME:-~/.config}}/zed/settings.json'],
      win32: ['${APPDATA:-~/AppData/Roaming}/Zed/settings.json'],
    },
    // Zed's data folders (its database, extensions), apart from the settings folder mcpm may create.
    detect: {
      darwin: ['~/Library/Application Support/Zed', { program: 'zed' }],
      linux: ['${XDG_DATA_HOME:-~/.local/share}/zed', { program: 'zed' }, { program: 'zeditor' }],
      win32: ['${LOCALAPPDATA:-~/AppData/Local}/Zed', { program: 'zed' }],
    },
    projectFile: '.zed/settings.json',
    stdio: 'zed',
    remote: { shape: 'url', transports: ['streamable-http'] },
    disable: { field: 'enabled', off: false },
    keyPattern: SAFE_KEY,
    restart: 'Zed reloads settings.json itself.',
  },
  {
    id: 'lm-studio',
    name: 'LM Studio',
    source: 'https://lmstudio.ai/docs/app/mcp',
    format: 'json',
    serversPath: ['mcpServers'],
    files: sameFile('~/.lmstudio/mcp.json'),
    detect: withAppData('LM Studio', { program: 'lms' }),
    stdio: 'standard',
    remote: { shape: 'url', transports: ['streamable-http'] },
    keyPattern: SAFE_KEY,
    restart: 'LM Studio reloads mcp.json itself.',
  },
  {
    id: 'kiro',
    name: 'Kiro',
    source: 'https://kiro.dev/docs/mcp/configuration',
    format: 'json',
    serversPath: ['mcpServers'],
    files: sameFile('~/.kiro/settings/mcp.json'),
    detect: withAppData('Kiro', { program: 'kiro' }, { program: 'kiro-cli' }),
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
    source: 'https://docs.aws.amazon.com/amazonq/latest/qdeveloper-ug/mcp-ide.html',
    format: 'json',
    serversPath: ['mcpServers'],
    files: sameFile('~/.aws/amazonq/mcp.json'),
    detect: detectEverywhere({ program: 'q' }, { program: 'qchat' }, { extensionsDir: VSCODE_EXTENSIONS, extension: 'amazonwebservices.amazon-q-vscode' }),
    projectFile: '.amazonq/mcp.json',
    stdio: 'standard',
    remote: { shape: 'amazon-q', transports: ['streamable-http'] },
    disable: { field: 'disabled', off: true },
    keyPattern: SAFE_KEY,
    restart: 'Start a new Amazon Q session to load the change.',
  },
  {
    id: 'trae',
    name: 'Trae',
    source: 'https://www.volcengine.com/docs/86677/2137601',
    format: 'json',
    serversPath: ['mcpServers'],
    files: inAppData('Trae', 'User/mcp.json'),
    detect: detectEverywhere('~/.trae/extensions', { program: 'trae' }),
    projectFile: '.trae/mcp.json',
    stdio: 'standard',
    remote: { shape: 'url', transports: ['streamable-http', 'sse'] },
    keyPattern: SAFE_KEY,
    restart: reload('Trae'),
  },
  {
    id: 'antigravity',
    name: 'Antigravity',
    source: 'https://antigravity.google/docs/mcp',
    format: 'json',
    serversPath: ['mcpServers'],
    files: sameFile('~/.gemini/antigravity/mcp_config.json'),
    // Its config sits in Gemini CLI's folder; its Electron user-data folder is its own.
    detect: withAppData('Antigravity', { program: 'antigravity' }),
    stdio: 'standard',
    remote: { shape: 'windsurf', transports: ['streamable-http', 'sse'] },
    keyPattern: SAFE_KEY,
    restart: 'Press refresh in Antigravity\'s MCP servers panel (or restart it) to load the change.',
  },
  {
    id: 'visual-studio',
    name: 'Visual Studio',
    source: 'https://learn.microsoft.com/visualstudio/ide/mcp-servers',
    format: 'jsonc',
    serversPath: ['servers'],
    files: sameFile('~/.mcp.json'),
    detect: { win32: ['${LOCALAPPDATA:-~/AppData/Local}/Microsoft/VisualStudio'] },
    unsupported: { darwin: 'Visual Studio runs on Windows only', linux: 'Visual Studio runs on Windows only' },
    // Visual Studio also reads <solution>/.mcp.json, but that file is Claude Code's, with another key.
    projectFile: '.vs/mcp.json',
    stdio: 'typed',
    remote: { shape: 'vscode', transports: ['streamable-http', 'sse'] },
    keyPattern: SAFE_KEY,
    restart: 'Visual Studio picks up .mcp.json changes itself; check the server in the Copilot chat tools list.',
  },
  {
    id: 'jetbrains-ai',
    name: 'JetBrains AI Assistant',
    source: 'https://www.jetbrains.com/help/ai-assistant/mcp.html',
    format: 'json',
    serversPath: ['mcpServers'],
    files: everywhere([] as FileCandidate[]),
    detect: {
      darwin: ['~/Library/Application Support/JetBrains'],
      linux: ['${XDG_CONFIG_HOME:-~/.config}/JetBrains'],
      win32: ['${APPDATA:-~/AppData/Roaming}/JetBrains'],
    },
    unsupported:
      'JetBrains AI Assistant keeps MCP servers in each IDE\'s own settings store (Settings | Tools | AI Assistant | Model Context Protocol), which the running IDE rewrites: add the server there (it can import a Claude Desktop config)',
    stdio: 'standard',
    keyPattern: SAFE_KEY,
    restart: 'Restart the IDE.',
  },
  {
    id: 'junie',
    name: 'Junie (JetBrains)',
    source: 'https://www.jetbrains.com/help/junie/model-context-protocol-mcp.html',
    format: 'json',
    serversPath: ['mcpServers'],
    files: sameFile('~/.junie/mcp/mcp.json'),
    detect: detectEverywhere({ program: 'junie' }),
    projectFile: '.junie/mcp/mcp.json',
    stdio: 'standard',
    keyPattern: SAFE_KEY,
    restart: 'Junie reads mcp.json when a task starts.',
  },
  {
    id: 'warp',
    name: 'Warp',
    source: 'https://docs.warp.dev/agent-platform/capabilities/mcp/',
    format: 'json',
    serversPath: ['mcpServers'],
    files: sameFile('~/.warp/.mcp.json'),
    // ~/.warp is where mcpm writes; Warp's own application data lives elsewhere.
    detect: {
      darwin: ['/Applications/Warp.app', '~/Library/Application Support/dev.warp.Warp-Stable'],
      linux: ['${XDG_DATA_HOME:-~/.local/share}/warp-terminal', { program: 'warp-terminal' }],
      win32: ['${LOCALAPPDATA:-~/AppData/Local}/warp/Warp'],
    },
    projectFile: '.warp/.mcp.json',
    stdio: 'standard',
    remote: { shape: 'url', transports: ['streamable-http', 'sse'] },
    keyPattern: SAFE_KEY,
    restart: 'Warp watches ~/.warp/.mcp.json and starts global servers itself.',
  },
];
