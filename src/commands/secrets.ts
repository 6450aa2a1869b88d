import { defineCommand } from './spec.js';
import { statSync } from 'node:fs';
import type { Context } from '../context.js';
import { McpmError, usageError } from '../errors.js';
import { findInstalled, readState, requireInstalled, updateState, type InstalledServer } from '../state/installed.js';
import { readAllSecrets, readSecrets, secretsFile, writeSecrets } from '../state/secrets.js';

/**
 * `mcpm secrets list|set|unset`. Values are never printed, logged or returned; `set` reads the value from a
 * prompt (masked) or from stdin, never from its arguments, so it stays out of shell history and `ps`.
 */
export async function listSecrets(ctx: Context, name?: string) {
  const servers = name ? [requireServer(ctx, name)] : Object.values(readState(ctx).servers);
  const rows = [];
  for (const server of servers) {
    const profile = profileOf(ctx, server);
    const file = secretsFile(ctx, server.name, profile);
    const keys = Object.keys(await readSecrets(ctx, server.name, profile));
    const mode = modeOf(file);
    rows.push({ name: server.name, profile, keys, file, ...(mode !== undefined ? { mode: `0${mode.toString(8)}` } : {}) });
  }
  return rows;
}

/**
 * A secret of an installed server, or of one not installed yet (by full or short name, resolved in the registries):
 * the install that follows finds the value kept, so a secret never has to pass through a command line or an agent.
 */
export async function setSecret(ctx: Context, name: string, key: string, readValue: () => Promise<string>) {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw usageError(`"${key}" is not a variable name`, 'Use letters, digits and _ (API_TOKEN).');
  const server = findInstalled(readState(ctx), name);
  const serverName = server?.name ?? (await notInstalledName(ctx, name, key));
  const value = await readValue();
  if (value === '') throw new McpmError('EINPUT', `No value for ${key} was given`, { hint: 'Type it at the prompt, or pipe it on stdin: `printf %s "$TOKEN" | mcpm secrets set ...`.' });
  const profile = server ? profileOf(ctx, server) : ctx.profile;
  const current = await readAllSecrets(ctx, serverName, profile);
  const values = { ...current.env, [key]: value };
  await writeSecrets(ctx, serverName, { env: values, args: current.args }, current.format ?? 'node', { always: Boolean(server?.package?.registryType === 'npm'), profile });
  if (server) await recordKeys(ctx, server, [...new Set([...server.secretEnv, key])]);
  return { name: serverName, profile, key, file: secretsFile(ctx, serverName, profile), ...(server ? {} : { installed: false }) };
}

/** The registry name of a server not installed, checked to declare the variable (a typo would be kept forever). */
async function notInstalledName(ctx: Context, name: string, key: string): Promise<string> {
  const { resolveVersion } = await import('../registry/resolve.js');
  const { inputRequests } = await import('../plan/inputs.js');
  const { chosen } = await resolveVersion(ctx, name, undefined);
  const declared = (chosen.server.packages ?? []).flatMap((p) => inputRequests(p).map((r) => r.name));
  if (!declared.includes(key)) {
    throw new McpmError('EINPUT', `${chosen.server.name} declares no input ${key}`, { hint: `Its inputs: ${[...new Set(declared)].join(', ') || 'none'} (see \`mcpm info ${chosen.server.name}\`).` });
  }
  return chosen.server.name;
}

export async function unsetSecret(ctx: Context, name: string, key: string) {
  const server = requireServer(ctx, name);
  const profile = profileOf(ctx, server);
  const current = await readAllSecrets(ctx, server.name, profile);
  const values = current.env;
  if (!(key in values)) throw new McpmError('ENOTFOUND', `${server.name} has no secret ${key}`, { hint: `Run \`mcpm secrets list ${name}\`.` });
  delete values[key];
  // The state keeps the name: the server still expects it, and `mcpm check` reports it missing until it is set.
  await writeSecrets(ctx, server.name, { env: values, args: current.args }, current.format ?? 'node', { always: server.package?.registryType === 'npm', profile });
  return { name: server.name, profile, key };
}

/** Reads a secret from stdin when it is not a TTY (a pipe), else from a masked prompt. */
export async function readSecretValue(ctx: Context, key: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  if (!ctx.prompter.available) throw new McpmError('EINPUT', `No value for ${key}`, { hint: 'Pipe it on stdin, or run without --yes to be prompted.' });
  return ctx.prompter.text(`${key}`, { secret: true });
}

/** The profile a command means: the one named with --profile/MCPM_PROFILE, else the one the server uses. */
function profileOf(ctx: Context, server: InstalledServer): string {
  return ctx.profileExplicit ? ctx.profile : server.profile ?? 'default';
}

function requireServer(ctx: Context, name: string): InstalledServer {
  return requireInstalled(readState(ctx), name);
}

async function recordKeys(ctx: Context, server: InstalledServer, keys: string[]): Promise<void> {
  await updateState(ctx, (state) => {
    const record = state.servers[server.name];
    if (record) record.secretEnv = keys;
  });
}

function modeOf(file: string): number | undefined {
  try {
    return statSync(file).mode & 0o777;
  } catch {
    return undefined;
  }
}

export const group = { name: 'secrets', description: 'manage the secret inputs mcpm keeps for servers (values are never shown)' };

export const commands = [
  defineCommand({
    name: 'secrets list',
    description: 'secret names per server, the file and its mode',
    arguments: [['[name]', 'one server (default: all)']],
    run: async (ctx, { args }) => ({ result: await listSecrets(ctx, args.name) }),
    render: (result) => result.map((r) => `${r.name}: ${r.keys.join(', ') || '(none)'}  ${r.file}${r.mode ? ` (${r.mode})` : ''}`).join('\n') || 'No servers installed.',
  }),
  defineCommand({
    name: 'secrets set',
    description: 'set a secret from a masked prompt or stdin (never from arguments)',
    arguments: [['<name>', 'the server'], ['<KEY>', 'the variable']],
    run: async (ctx, { args }) => ({ result: await setSecret(ctx, args.name, args.KEY, () => readSecretValue(ctx, args.KEY)) }),
    render: (result) => `Set ${result.key} for ${result.name} (${result.file})${result.installed === false ? '; it is not installed yet: `mcpm install` uses it' : ''}`,
  }),
  defineCommand({
    name: 'secrets unset',
    description: 'remove a secret',
    arguments: [['<name>', 'the server'], ['<KEY>', 'the variable']],
    run: async (ctx, { args }) => ({ result: await unsetSecret(ctx, args.name, args.KEY) }),
    render: (result) => `Removed ${result.key} from ${result.name}`,
  }),
];
