import type { Context } from '../context.js';
import { McpmError, usageError } from '../errors.js';
import { checkValue, looksSecret, type ArgValues, type InputRequest } from '../plan/inputs.js';
import { listOf } from '../plan/request.js';

export interface ChosenInputs {
  env: Record<string, string>;
  secretEnv: Record<string, string>;
  args: ArgValues;
  /** Values of secret arguments, variables and headers: kept in the secrets file, never in mcpm's state. */
  secretArgs: ArgValues;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** `--env KEY=VALUE` sets a value; `--env KEY` takes KEY's value from mcpm's own environment. */
export function parseAssignments(ctx: Context, flag: string, values: string[], fromEnvironment: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of assignments(ctx, flag, values, fromEnvironment)) out[key] = value;
  return out;
}

/** `--arg NAME=VALUE`, repeatable: a NAME given several times collects its values in order. */
export function parseArgAssignments(ctx: Context, values: string[]): ArgValues {
  const out: ArgValues = {};
  for (const [key, value] of assignments(ctx, '--arg', values, false)) out[key] = key in out ? [...listOf(out[key]), value] : value;
  return out;
}

function assignments(ctx: Context, flag: string, values: string[], fromEnvironment: boolean): Array<[string, string]> {
  return values.map((item) => {
    const eq = item.indexOf('=');
    const key = eq === -1 ? item : item.slice(0, eq);
    if (!NAME.test(key)) throw usageError(`Invalid ${flag} "${key}"`, `Use ${flag} NAME=VALUE${fromEnvironment ? ` or ${flag} NAME` : ''}.`);
    if (eq !== -1) return [key, item.slice(eq + 1)];
    if (fromEnvironment && ctx.env[key] !== undefined) return [key, ctx.env[key]!];
    throw new McpmError('EINPUT', `${flag} ${key} was given without a value${fromEnvironment ? `, and ${key} is not set in the environment` : ''}`, {
      hint: `Use ${flag} ${key}=VALUE${fromEnvironment ? ` or export ${key} first` : ''}.`,
    });
  });
}

export interface PreviousInputs {
  env: Record<string, string>;
  secretEnv: Record<string, string>;
  args: ArgValues;
  secretArgs: ArgValues;
}

/**
 * Decides every input's value: given on the command line, else kept from the installed version, else a prompt
 * on a TTY (secrets masked), else a required input is an error naming it. Values are checked against their
 * choices and format (see checkValue). Unknown --env keys are passed through; unknown --arg names are an error.
 */
export async function chooseInputs(ctx: Context, requests: InputRequest[], given: { env: Record<string, string>; args: ArgValues }, previous: PreviousInputs): Promise<ChosenInputs> {
  const chosen: ChosenInputs = { env: {}, secretEnv: {}, args: {}, secretArgs: {} };
  const missing: InputRequest[] = [];
  const where = { cwd: ctx.cwd, home: ctx.home };
  for (const request of requests) {
    const arg = request.kind === 'arg';
    const supplied = arg ? given.args[request.name] : given.env[request.name];
    const kept = arg ? previous.args[request.name] ?? previous.secretArgs[request.name] : previous.env[request.name] ?? previous.secretEnv[request.name];
    let values = listOf(supplied ?? kept);
    if (values.length === 0 && request.isRequired) {
      if (request.default !== undefined && !ctx.prompter.available) values = [request.default];
      else if (ctx.prompter.available) values = [await ask(ctx, request)];
    }
    if (values.length === 0) {
      if (request.isRequired) missing.push(request);
      continue;
    }
    if (values.length > 1 && !request.isRepeated) {
      throw new McpmError('EINPUT', `--arg ${request.name} was given ${values.length} times, but ${request.name} takes one value`, { hint: `Pass --arg ${request.name}=VALUE once.` });
    }
    const checked = values.map((value) => checkValue(request, value, where));
    if (!arg) (request.isSecret ? chosen.secretEnv : chosen.env)[request.name] = checked[0]!;
    else (request.isSecret ? chosen.secretArgs : chosen.args)[request.name] = request.isRepeated ? checked : checked[0]!;
  }
  if (missing.length > 0) {
    const names = missing.map((r) => r.name);
    const flags = missing.map((r) => (r.kind === 'arg' ? `--arg ${r.name}=VALUE` : `--env ${r.name}=VALUE (or --env ${r.name} to read it from your environment)`));
    throw new McpmError('EINPUT', `Missing required input${names.length > 1 ? 's' : ''}: ${names.join(', ')}`, {
      hint: `Pass ${flags.join(', ')}. Nothing was written.`,
    });
  }
  const declared = new Set(requests.filter((r) => r.kind === 'env').map((r) => r.name));
  for (const [key, value] of Object.entries({ ...previous.env, ...previous.secretEnv, ...given.env })) {
    if (declared.has(key)) continue;
    if (looksSecret(key) || key in previous.secretEnv) chosen.secretEnv[key] = value;
    else chosen.env[key] = value;
  }
  const declaredArgs = new Set(requests.filter((r) => r.kind === 'arg').map((r) => r.name));
  const unknownArgs = Object.keys(given.args).filter((name) => !declaredArgs.has(name));
  if (unknownArgs.length > 0) {
    throw new McpmError('EINPUT', `This server takes no argument named ${unknownArgs.join(', ')}`, {
      hint: `Its arguments: ${[...declaredArgs].join(', ') || 'none'} (see \`mcpm info\`).`,
    });
  }
  return chosen;
}

async function ask(ctx: Context, request: InputRequest): Promise<string> {
  const label = `${request.name}${request.description ? ` (${request.description})` : ''}`;
  if (request.choices && request.choices.length > 0) {
    return ctx.prompter.select(label, request.choices.map((choice) => ({ title: choice, value: choice })));
  }
  if (request.format === 'boolean') return ctx.prompter.select(label, [{ title: 'true', value: 'true' }, { title: 'false', value: 'false' }]);
  return ctx.prompter.text(label, { secret: request.isSecret, initial: request.default });
}
