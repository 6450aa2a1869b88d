import { COMMANDS } from '../commands/index.js';
import type { CommandInput, CommandSpec } from '../commands/spec.js';
import type { Context } from '../context.js';
import { McpmError, usageError } from '../errors.js';
import { resolvePaint } from '../output.js';
import { pageContext, type Said } from './capture.js';

/**
 * The page runs mcpm's own commands: the same CommandSpec the CLI runs, with the same input commander would hand
 * it, and the same renderer for the result. So the page and the terminal cannot disagree, and an error shows the
 * same message and hint.
 */
export interface Invocation {
  /** A command's name as the CLI spells it: `install`, `registry add`. */
  command: string;
  input: CommandInput;
}

export type Ran =
  | { ok: true; result: unknown; text: string; exitCode: number; said: Said[] }
  | { ok: false; error: { code: string; message: string; hint: string }; said: Said[] };

export async function commandSpec(name: string): Promise<CommandSpec> {
  const top = name.split(' ')[0]!;
  const entry = Object.hasOwn(COMMANDS, top) ? COMMANDS[top] : undefined;
  const spec = entry ? (await entry.load()).commands.find((c) => c.name === name) : undefined;
  if (!spec) throw new Error(`unknown command ${name}`);
  return spec;
}

export async function runCommand(base: Context, invocation: Invocation, listen?: (said: Said) => void): Promise<Ran> {
  const { ctx, said } = pageContext(base, listen);
  try {
    const spec = await commandSpec(invocation.command);
    const outcome = await spec.run(ctx, invocation.input);
    if ('rawExitCode' in outcome) return { ok: true, result: undefined, text: '', exitCode: outcome.rawExitCode, said };
    const text = spec.render ? resolvePaint(spec.render(outcome.result, invocation.input), false) : '';
    return { ok: true, result: outcome.result, text, exitCode: outcome.exitCode ?? 0, said };
  } catch (error) {
    return { ok: false, error: asMcpmError(error), said };
  }
}

/** As exit.ts's fail(): a foreseen failure as it is, anything else as EINTERNAL. */
export function asMcpmError(error: unknown): { code: string; message: string; hint: string } {
  const known = error instanceof McpmError ? error : new McpmError('EINTERNAL', `Unexpected error: ${(error as Error)?.message ?? String(error)}`);
  return { code: known.code, message: known.message, hint: known.hint };
}

/**
 * The buttons of the Installed and Registries pages: which command a posted form runs, with which arguments. Only
 * these run from a POST to /run; install has its own two steps (plan, then apply).
 */
export function actionFor(form: URLSearchParams): Invocation & { title: string } {
  const action = form.get('action') ?? '';
  const name = form.get('name') ?? '';
  const client = form.get('client') ?? '';
  const needName = () => {
    if (!name) throw usageError(`${action} needs a server name`);
    return name;
  };
  const clients = client ? [client] : [];
  switch (action) {
    case 'enable':
    case 'disable':
      return { title: `${action} ${needName()}${client ? ` in ${client}` : ''}`, command: action, input: { args: { name }, options: { client: clients } } };
    case 'uninstall':
      return { title: `uninstall ${needName()}${client ? ` from ${client}` : ''}`, command: 'uninstall', input: { args: { name }, options: client ? { client: clients } : {} } };
    case 'update':
      return { title: `update ${needName()}`, command: 'update', input: { args: { names: [name] }, options: { latest: form.get('latest') === 'yes' } } };
    case 'rollback':
      return { title: `rollback ${needName()}`, command: 'rollback', input: { args: { name }, options: {} } };
    case 'check':
      return { title: `check ${name || 'all servers'}`, command: 'check', input: { args: { names: name ? [name] : [] }, options: {} } };
    case 'adopt':
      return { title: `import --adopt${client ? ` --client ${client}` : ''}`, command: 'import', input: { args: {}, options: { adopt: true, ...(client ? { client: clients } : {}) } } };
    case 'registry-add': {
      const url = (form.get('url') ?? '').trim();
      if (!url) throw usageError('A registry needs a URL', 'Give an MCP registry URL, a static index, or "embedded".');
      const options: Record<string, unknown> = {};
      const registryName = (form.get('registryName') ?? '').trim();
      if (registryName) options.name = registryName;
      if (form.get('last') === 'yes') options.last = true;
      return { title: `registry add ${url}`, command: 'registry add', input: { args: { url }, options } };
    }
    case 'registry-remove':
      return { title: `registry remove ${needName()}`, command: 'registry remove', input: { args: { name }, options: {} } };
    case 'registry-sync':
      return { title: 'registry sync', command: 'registry sync', input: { args: { names: name ? [name] : [] }, options: {} } };
    default:
      throw usageError(`Unknown action "${action}"`, 'Use the buttons of the page.');
  }
}
