import { createRequire } from 'node:module';
import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import { CLIENTS } from '../clients/table.js';
import { configuredRegistries } from '../registry/config.js';
import { readState } from '../state/installed.js';
import { COMMANDS, commandFor } from './index.js';
import { defineCommand, type CommandSpec } from './spec.js';

/**
 * Shell completion through @pnpm/tabtab (pnpm's maintained fork of tabtab): `mcpm completion bash|zsh|fish` prints
 * the script the shell sources; the script asks `mcpm completion-server` (hidden) for the words that fit, which come
 * from the command table itself: commands, subcommands, options, client ids, installed servers, registries.
 */
const SHELLS = ['bash', 'zsh', 'fish'];
const GLOBAL_OPTIONS = ['--json', '--registry', '--timeout', '--yes', '--verbose', '--profile', '--project', '--no-color', '--help'];
/** Commands whose argument is an installed server. */
const TAKES_INSTALLED = new Set(['uninstall', 'enable', 'disable', 'update', 'rollback', 'check', 'run', 'login', 'logout', 'outdated', 'info']);
const VALUES: Record<string, () => string[]> = {
  '--client': () => [...CLIENTS.map((c) => c.id), 'all'],
  '--scope': () => ['user', 'project'],
  '--package-type': () => ['npm', 'pypi', 'oci', 'nuget', 'mcpb', 'remote'],
};

interface Tabtab {
  getCompletionScript(options: { name: string; completer: string; shell: string }): Promise<string>;
  parseEnv(env: NodeJS.ProcessEnv): { complete: boolean; words: number; line: string; last: string; prev: string };
  log(items: string[], shell: string, logToConsole?: (message: string) => void): void;
  getShellFromEnv(env: NodeJS.ProcessEnv): string;
}

// A CommonJS package: required, not imported, so the bundle keeps it external and loads it only here.
const tabtab = (): Tabtab => createRequire(import.meta.url)('@pnpm/tabtab') as Tabtab;

async function script(shell: string): Promise<string> {
  if (!SHELLS.includes(shell)) throw usageError(`No completion for the shell "${shell}"`, `Use one of ${SHELLS.join(', ')}.`);
  return tabtab().getCompletionScript({ name: 'mcpm', completer: 'mcpm', shell });
}

/** The words that fit where the cursor is. */
export async function completions(ctx: Context, line: string, last: string, prev: string): Promise<string[]> {
  const words = line.trim().split(/\s+/).slice(1);
  if (last !== '' && words[words.length - 1] === last) words.pop();
  const top = words.find((word) => !word.startsWith('-'));
  const command = top ? commandFor(top) : undefined;
  if (prev === '--registry') return configuredRegistries(ctx.settings(), ctx.cwd).map((r) => r.name).concat('embedded');
  if (Object.hasOwn(VALUES, prev)) return VALUES[prev]!();
  if (!command) return [...Object.keys(COMMANDS).filter((name) => name !== 'completion-server'), ...GLOBAL_OPTIONS];
  const module = await COMMANDS[command]!.load();
  const specs = module.commands as CommandSpec[];
  const positional = words.filter((word) => !word.startsWith('-'));
  if (module.group && positional.length === 1) return specs.map((spec) => spec.name.split(' ')[1]!).filter(Boolean);
  const spec = specs.find((s) => s.name === (module.group ? `${command} ${positional[1]}` : command));
  if (last.startsWith('-')) return [...(spec?.options ?? []).map((o) => o.flags.split(/[ ,]/)[0]!), ...GLOBAL_OPTIONS];
  if (command === 'completion') return SHELLS;
  if (TAKES_INSTALLED.has(command) || module.group?.name === 'secrets') {
    const servers = Object.values(readState(ctx).servers);
    return [...new Set(servers.flatMap((s) => [s.name, ...s.entries.map((e) => e.key)]))];
  }
  return [];
}

export const commands = [
  defineCommand({
    name: 'completion',
    description: 'print a shell completion script: `mcpm completion bash >> ~/.bashrc` (zsh and fish alike)',
    arguments: [['<shell>', 'bash, zsh or fish']],
    run: async (_ctx, { args }) => ({ result: await script(args.shell) }),
    render: (result) => result.trimEnd(),
  }),
  defineCommand({
    name: 'completion-server',
    description: 'answers the completion script (called by the shell)',
    hidden: true,
    arguments: [['[words...]', 'the command line being completed']],
    run: async (ctx) => {
      const lib = tabtab();
      const env = lib.parseEnv(process.env);
      const items = env.complete ? await completions(ctx, env.line, env.last, env.prev) : [];
      lib.log(items, lib.getShellFromEnv(process.env), (message) => process.stdout.write(`${message}\n`));
      return { rawExitCode: 0 };
    },
  }),
];
