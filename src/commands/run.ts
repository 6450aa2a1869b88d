import { defineCommand } from './spec.js';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { constants } from 'node:os';
import { parseEnv } from 'node:util';
import type { Context } from '../context.js';
import { McpmError, usageError } from '../errors.js';
import { renderPackageArguments } from '../plan/inputs.js';
import { fillLaunch } from '../plan/entry-form.js';
import { NODE_ENV_FILE } from '../plan/launch.js';
import { readState, requireInstalled, type InstalledServer } from '../state/installed.js';
import { secretsBackend } from '../state/keychain.js';
import { readAllSecrets, secretsFile } from '../state/secrets.js';

/**
 * `mcpm run <name> [-- args]`: starts an installed server as its client entry would, for clients (and people) that
 * want one stable command. An npm server's bin runs in this process (see inThisProcess) or in a child node with
 * stdio inherited: either way nothing but the server's own bytes reach stdout and no byte is copied through mcpm; a
 * remote server is bridged (see bridge.ts). Returns the exit code mcpm should exit with (never, when the bin runs
 * here: its exit is the process's). Loads neither commander-heavy paths nor the MCP SDK for npm servers.
 */
export async function run(ctx: Context, name: string, extra: string[], options: { guard?: boolean } = {}): Promise<number> {
  const server = requireInstalled(readState(ctx), name);
  if (options.guard && server.remote) {
    throw new McpmError('EUNSUPPORTED', `mcpm run --guard relays stdio servers; ${server.name} is remote`, { hint: `Run \`mcpm run ${name}\` without --guard; \`mcpm check ${name}\` still compares its tools with the pins.` });
  }
  if (server.remote) {
    if (extra.length > 0) throw usageError(`${server.name} is a remote server; it takes no arguments`, `Run \`mcpm run ${name}\` alone.`);
    const { bridge } = await import('./bridge.js');
    return bridge(ctx, server);
  }
  const { command, args, env } = await launchOf(ctx, server);
  if (options.guard) {
    const { guardedRun } = await import('../trust/guard.js');
    return guardedRun(ctx, server, name, { command, args: [...args, ...extra], env });
  }
  const own = inThisProcess(command, args, env);
  if (own) return becomeServer(own, extra, env);
  return spawnPassthrough(command, [...args, ...extra], env);
}

interface OwnLaunch {
  bin: string;
  args: string[];
  /** The secrets file's values (node's --env-file-if-exists), read once. */
  fileValues: NodeJS.Dict<string>;
}

/**
 * An npm server started by this very node (the entry's node is the one running mcpm) with no node options but the
 * secrets' env file: it can run in this process instead of a child, which saves a whole node start on every start
 * of the server (the client waits for it). Anything else (another node, node options, another runtime) is spawned.
 */
export function inThisProcess(command: string, args: string[], env: NodeJS.ProcessEnv): OwnLaunch | undefined {
  if (command !== process.execPath) return undefined;
  const envFile = args[0]?.startsWith(`${NODE_ENV_FILE}=`) ? args[0].slice(NODE_ENV_FILE.length + 1) : undefined;
  const [bin, ...rest] = envFile === undefined ? args : args.slice(1);
  if (!bin || !path.isAbsolute(bin)) return undefined;
  // Variables node reads as it starts (NODE_OPTIONS, NODE_PATH, NODE_EXTRA_CA_CERTS...) cannot change a running
  // node: an entry or a secrets file that sets one of them gets a node of its own.
  const fileValues = envFile !== undefined && existsSync(envFile) ? parseEnvFile(envFile) : {};
  const startsNode = (key: string) => /^(NODE_|UV_)/.test(key);
  if (Object.keys(env).some((key) => startsNode(key) && env[key] !== process.env[key])) return undefined;
  if (Object.keys(fileValues).some((key) => startsNode(key) && env[key] === undefined)) return undefined;
  return { bin, args: rest, fileValues };
}

const parseEnvFile = (file: string): NodeJS.Dict<string> => parseEnv(readFileSync(file, 'utf8'));

/**
 * Runs the server's bin as this process's main module, as `node <bin> <args>` would: the same argv, the launch's
 * environment, the env file read as node's --env-file-if-exists reads it (the environment's values win), stdin,
 * stdout and stderr untouched, `require.main` the bin; its exit is this process's exit. Never resolves: the
 * process is the server's from here on.
 */
async function becomeServer(own: OwnLaunch, extra: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { default: nodeModule } = await import('node:module');
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value;
  for (const [key, value] of Object.entries(own.fileValues)) process.env[key] ??= value;
  process.argv = [process.execPath, own.bin, ...own.args, ...extra];
  (nodeModule as unknown as { runMain(main: string): void }).runMain(own.bin);
  return new Promise<number>(() => undefined);
}

/**
 * The same launch as the client entry, with secret values filled in only now, at spawn time: the launch recorded
 * at install (any package type), in a project the version its lock pinned; servers recorded before mcpm kept
 * launches start from their npm bin.
 */
export async function launchOf(ctx: Context, server: InstalledServer): Promise<{ command: string; args: string[]; env: NodeJS.ProcessEnv }> {
  const here = ctx.project !== undefined && server.projects && Object.hasOwn(server.projects, ctx.project) ? server.projects[ctx.project] : undefined;
  const template = here?.launch ?? server.launch;
  if (template) {
    const profile = server.profile ?? 'default';
    const stored = await readAllSecrets(ctx, server.name, profile);
    const { launch, missing } = fillLaunch(template, { ...stored.env, ...stored.args });
    if (missing.length > 0) {
      throw new McpmError('EINPUT', `The secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${server.name} ${missing.length > 1 ? 'are' : 'is'} missing from the secret store`, {
        hint: `Set ${missing.length > 1 ? 'each' : 'it'} with \`mcpm secrets set ${server.name} ${missing[0]}\`.`,
      });
    }
    const storePath = here?.storePath ?? server.storePath;
    if (storePath && !existsSync(storePath)) {
      throw new McpmError('ENOTINSTALLED', `${server.name}@${here?.version ?? server.version} is missing from the store (${storePath})`, {
        hint: here ? 'Run `mcpm install` in the project to install what its lock says.' : `Run \`mcpm install ${server.name}\` to install it again.`,
      });
    }
    return { command: launch.command, args: launch.args, env: { ...ctx.env, ...launch.env, ...(secretsBackend(ctx) === 'keychain' ? stored.env : {}) } };
  }
  if (!server.bin || !existsSync(server.bin)) {
    throw new McpmError('ENOTINSTALLED', `${server.name}@${server.version} is missing from the store${server.bin ? ` (${server.bin})` : ''}`, {
      hint: `Run \`mcpm install ${server.name}\` to install it again.`,
    });
  }
  const profile = server.profile ?? 'default';
  const envFile = secretsFile(ctx, server.name, profile);
  const stored = await readAllSecrets(ctx, server.name, profile);
  const secretArgs = stored.args;
  const missing = (server.secretArgs ?? []).filter((arg) => secretArgs[arg] === undefined);
  if (missing.length > 0) {
    throw new McpmError('EINPUT', `The secret argument${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${server.name} ${missing.length > 1 ? 'are' : 'is'} missing from the secret store`, {
      hint: `Reinstall it giving ${missing.map((arg) => `--arg ${arg}=VALUE`).join(' ')}.`,
    });
  }
  // Argument values may name a secret input as install's entries do (see install-apply.ts).
  const secretEnv = server.packageArguments?.length ? stored.env : {};
  const packageArgs = renderPackageArguments({ packageArguments: server.packageArguments ?? [] }, { ...server.args, ...secretEnv, ...secretArgs }).argv;
  return {
    command: ctx.nodePath,
    args: [...(existsSync(envFile) ? [`${NODE_ENV_FILE}=${envFile}`] : []), server.bin, ...packageArgs, ...(server.extraArgs ?? [])],
    // As a client would start the entry: its env values over the environment mcpm was started with.
    // With the keychain backend the env file is empty: the values are handed to the server here, at spawn time.
    env: { ...ctx.env, ...server.env, ...(secretsBackend(ctx) === 'keychain' ? stored.env : {}) },
  };
}

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Spawns with stdin, stdout and stderr inherited (the child reads and writes the very same pipes, so the protocol
 * bytes are untouched and cost nothing to relay), forwards the signals a client or terminal sends, and resolves
 * with the child's exit code, or 128 + the signal number when a signal ended it, as a shell reports it.
 */
export function spawnPassthrough(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => {
      child.kill(signal);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    const done = () => {
      for (const signal of FORWARDED) process.off(signal, forward);
    };
    child.on('error', (error) => {
      done();
      reject(new McpmError('EFS', `Cannot start ${command} (${(error as NodeJS.ErrnoException).code ?? error.message})`, {
        hint: 'The node that installed the server must still exist at that path; reinstall the server with the node you use now.',
        cause: error,
      }));
    });
    child.on('exit', (code, signal) => {
      done();
      resolve(code ?? 128 + (signal ? constants.signals[signal] ?? 0 : 0));
    });
  });
}

export const commands = [
  defineCommand<never>({
    name: 'run',
    description: 'start an installed server as its client would (stdio), bridging a remote one to its URL',
    arguments: [['<name>', 'full name, short name or entry key'], ['[args...]', 'extra arguments for the server, after --']],
    options: [{ flags: '--guard', description: 'relay stdio and withhold tools that changed since they were pinned (see `mcpm trust`)' }],
    ownsStdout: true,
    ownsSignals: true,
    run: async (ctx, { args, options }) => ({ rawExitCode: await run(ctx, args.name, args.args ?? [], { guard: options.guard === true }) }),
  }),
];
