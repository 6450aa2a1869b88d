import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

// The real clients `npm run test:clients` runs, at pinned versions, with the command each offers to show the MCP
// servers it read (found in each one's own --help), and how to read that command's output. Bump a version here
// and in test/golden/clients.json ("proven") together.

export interface Listed {
  name: string;
  /** Undefined where the command does not say. */
  connected?: boolean;
  /** True where the command shows the entry turned off. */
  disabled?: boolean;
}

export interface RealClient {
  /** The mcpm client whose file mcpm writes for it. */
  id: string;
  pkg: string;
  version: string;
  bin: string;
  /** The client's own listing command (arguments after the program). */
  command: string[];
  /** Environment the command needs beyond HOME and PATH, and why (in the comment beside it). */
  env?: Record<string, string>;
  /** Whether the command connects to each server and reports it. */
  reportsConnection: boolean;
  read(stdout: string, stderr: string): Listed[];
  /** Set when this client cannot be proven here at all, saying why. */
  skip?: string;
  /** What the user does before the client reads a project's own file (Codex reads it only in trusted projects). */
  trustProject?: (home: string, project: string) => Promise<void>;
  /**
   * For a client that loads MCP servers only to give their tools to a model: the user's setup pointing it at the
   * suite's stand-in model (before mcpm writes), and the command that sends one prompt. A server's tool in the
   * model request means the client connected to that server and listed its tools.
   */
  viaModel?: {
    prepare: (home: string, modelUrl: string, run: (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>) => Promise<void>;
    args: (home: string) => string[];
  };
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;
const plain = (text: string) => text.replace(ANSI, '');

/**
 * Lines like `echo: /usr/bin/node … - ✔ Connected` (Claude Code), `✓ echo: … (stdio) - Connected` (Gemini, Qwen;
 * Gemini prints them on stderr).
 */
function nameColonStatus(stdout: string, stderr: string): Listed[] {
  return plain(`${stdout}\n${stderr}`)
    .split('\n')
    .flatMap((line) => {
      const m = line.match(/^\s*(?:[✓✔✗✘○●-]\s+)?([\w.-]+): .* - (.+)$/);
      return m ? [{ name: m[1]!, connected: /connected/i.test(m[2]!) && !/disconnected|failed/i.test(m[2]!) }] : [];
    });
}

/** opencode's and Kilo's `●  ✓ echo connected` and `●  ○ echo disabled` lines. */
function checkmarkStatus(stdout: string): Listed[] {
  return plain(stdout)
    .split('\n')
    .flatMap((line) => {
      const m = line.match(/[✓✗○]\s+([\w.-]+)\s+(.+?)\s*$/);
      return m ? [{ name: m[1]!, connected: m[2] === 'connected', disabled: m[2] === 'disabled' }] : [];
    });
}

export const REAL_CLIENTS: RealClient[] = [
  {
    id: 'claude-code',
    pkg: '@anthropic-ai/claude-code',
    version: '2.1.332',
    bin: 'claude',
    command: ['mcp', 'list'],
    reportsConnection: true,
    read: nameColonStatus,
  },
  {
    id: 'gemini-cli',
    pkg: '@google/gemini-cli',
    version: '0.61.0',
    bin: 'gemini',
    command: ['mcp', 'list'],
    // Gemini starts no server in a folder the user has not trusted; this says the test's folder is trusted.
    env: { GEMINI_CLI_TRUST_WORKSPACE: 'true' },
    reportsConnection: true,
    read: nameColonStatus,
  },
  {
    id: 'codex',
    pkg: '@openai/codex',
    version: '0.171.0',
    bin: 'codex',
    command: ['mcp', 'list', '--json'],
    reportsConnection: false,
    // As `codex` asks the user to, on the first run in a folder: mark the project trusted in the user's config.
    trustProject: async (home, project) => {
      await mkdir(path.join(home, '.codex'), { recursive: true });
      await appendFile(path.join(home, '.codex', 'config.toml'), `[projects.${JSON.stringify(project)}]\ntrust_level = "trusted"\n`);
    },
    read: (stdout) => (JSON.parse(stdout) as Array<{ name: string; enabled: boolean }>).map((s) => ({ name: s.name, disabled: !s.enabled })),
  },
  {
    id: 'copilot-cli',
    pkg: '@github/copilot',
    version: '1.0.102',
    bin: 'copilot',
    command: ['mcp', 'list', '--json'],
    // No self-update from the test.
    env: { COPILOT_AUTO_UPDATE: 'false' },
    reportsConnection: false,
    // Copilot reads a workspace's MCP file only in a folder the user trusted (it asks on the first run there).
    trustProject: async (home, project) => {
      await mkdir(path.join(home, '.copilot'), { recursive: true });
      await writeFile(path.join(home, '.copilot', 'config.json'), JSON.stringify({ trusted_folders: [project] }));
    },
    read: (stdout) => Object.keys((JSON.parse(stdout) as { mcpServers: Record<string, unknown> }).mcpServers).map((name) => ({ name })),
  },
  {
    id: 'opencode',
    pkg: 'opencode-ai',
    version: '1.18.33',
    bin: 'opencode',
    command: ['mcp', 'list'],
    reportsConnection: true,
    read: checkmarkStatus,
  },
  {
    id: 'kilo',
    pkg: '@kilocode/cli',
    // 7.8.1 (the newest) names platform packages npm does not have; 7.7.7 is the newest that installs.
    version: '7.7.7',
    bin: 'kilo',
    command: ['mcp', 'list'],
    reportsConnection: true,
    read: checkmarkStatus,
  },
  {
    // The Kilo Code extension's own file. The extension runs this same Kilo program with KILO_PLATFORM=vscode, and
    // only then does the program read the extension's global mcp_settings.json (its kilocode.mcp-migrator).
    id: 'kilo-code',
    pkg: '@kilocode/cli',
    version: '7.7.7',
    bin: 'kilo',
    command: ['mcp', 'list'],
    env: { KILO_PLATFORM: 'vscode' },
    reportsConnection: true,
    read: checkmarkStatus,
  },
  {
    id: 'qwen-code',
    pkg: '@qwen-code/qwen-code',
    // Declares Node >= 22, but its MCP commands run on Node 20.
    version: '0.24.4',
    bin: 'qwen',
    command: ['mcp', 'list'],
    reportsConnection: true,
    read: nameColonStatus,
  },
  {
    id: 'droid',
    pkg: 'droid',
    version: '0.215.0',
    bin: 'droid',
    command: ['mcp', 'list'],
    reportsConnection: true,
    read: (stdout) =>
      plain(stdout)
        .split('\n')
        .flatMap((line) => {
          const m = line.match(/^\s+([\w.-]+)\s+(?:stdio|http|sse)\s+(\S+)/);
          return m ? [{ name: m[1]!, connected: m[2] === 'connected', disabled: m[2] === 'disabled' }] : [];
        }),
  },
  {
    id: 'amp',
    pkg: '@ampcode/cli',
    // The newest version names platform packages npm does not have yet; this is the newest that installs.
    version: '0.0.1790142911-g7618fb',
    bin: 'amp',
    command: ['mcp', 'list', '--json'],
    reportsConnection: false,
    read: (stdout) => (JSON.parse(stdout) as Array<{ name: string }>).map((s) => ({ name: s.name })),
  },
  {
    id: 'auggie',
    pkg: '@augmentcode/auggie',
    version: '0.36.0',
    bin: 'auggie',
    command: ['mcp', 'list', '--json'],
    reportsConnection: false,
    read: (stdout) => (JSON.parse(stdout.slice(stdout.indexOf('{'))) as { servers: Array<{ name: string }> }).servers.map((s) => ({ name: s.name })),
  },
  {
    // The Cline CLI has no listing command (its MCP view is a TUI). It loads the servers to give their tools to its
    // model: the user's provider (`cline auth`, here pointed at the stand-in model) and one prompt in --json mode.
    id: 'cline',
    pkg: 'cline',
    version: '3.0.65',
    bin: 'cline',
    command: ['--json', 'Say hi.'],
    reportsConnection: true,
    viaModel: {
      prepare: async (_home, modelUrl, run) => {
        const auth = await run(['auth', '-p', 'openai-compatible', '-k', 'test-key', '-m', 'mock', '-b', modelUrl]);
        if (auth.code !== 0) throw new Error(`cline auth failed: ${auth.stdout}${auth.stderr}`);
      },
      args: () => ['--json', 'Say hi.'],
    },
    read: () => [],
  },
  {
    id: 'crush',
    pkg: '@charmland/crush',
    version: '0.96.1',
    bin: 'crush',
    command: ['mcp', 'list'],
    reportsConnection: false,
    read: () => [],
  },
  {
    // cn has no listing command; it loads MCP servers to hand their tools to its model. The user's config.yaml
    // names a model (here the suite's stand-in on 127.0.0.1) and mcpm adds its servers to that same file.
    id: 'continue',
    pkg: '@continuedev/cli',
    version: '1.5.47',
    bin: 'cn',
    command: ['-p', 'Say hi.'],
    reportsConnection: true,
    viaModel: {
      prepare: async (home, modelUrl) => {
        await mkdir(path.join(home, '.continue'), { recursive: true });
        const config = ['name: My config', 'version: 1.0.0', 'schema: v1', 'models:', '  - name: Stand-in model', '    provider: openai', '    model: mock', `    apiBase: ${modelUrl}`, '    apiKey: test-key', '    roles: [chat]', ''];
        await writeFile(path.join(home, '.continue', 'config.yaml'), config.join('\n'));
      },
      args: (home) => ['-p', 'Say hi.', '--config', path.join(home, '.continue', 'config.yaml')],
    },
    read: () => [],
  },
];
