import type { Context } from '../context.js';
import { McpmError, usageError } from '../errors.js';
import { looksSecret, type InputRequest } from '../plan/inputs.js';

export interface ChosenInputs {
  env: Record<string, string>;
  secretEnv: Record<string, string>;
  args: Record<string, string>;
  /** Secret arguments and secret remote inputs: kept in the secret store, never in state or a client's file. */
  secretArgs: Record<string, string>;
}

/** `--env KEY=VALUE` sets a value; `--env KEY` takes KEY's value from mcpm's own environment. */
export function parseAssignments(ctx: Context, flag: string, values: string[], fromEnvironment: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of values) {
    const eq = item.indexOf('=');
    const key = eq === -1 ? item : item.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) throw usageError(`Invalid ${flag} "${key}"`, `Use ${flag} NAME=VALUE${fromEnvironment ? ` or ${flag} NAME` : ''}.`);
    if (eq !== -1) out[key] = item.slice(eq + 1);
    else if (fromEnvironment && ctx.env[key] !== undefined) out[key] = ctx.env[key]!;
    else {
      throw new McpmError('EINPUT', `${flag} ${key} was given without a value${fromEnvironment ? `, and ${key} is not set in the environment` : ''}`, {
        hint: `Use ${flag} ${key}=VALUE${fromEnvironment ? ` or export ${key} first` : ''}.`,
      });
    }
  }
  return out;
}

/**
 * Decides every input's value: given on the command line, else kept from the installed version, else a prompt
 * on a TTY (secrets masked), else a required input is an error naming it. Unknown --env keys are passed through.
 */
export async function chooseInputs(
  ctx: Context,
  requests: InputRequest[],
  given: { env: Record<string, string>; args: Record<string, string> },
  previous: { env: Record<string, string>; secretEnv: Record<string, string>; args: Record<string, string> },
): Promise<ChosenInputs> {
  const chosen: ChosenInputs = { env: {}, secretEnv: {}, args: {}, secretArgs: {} };
  const missing: InputRequest[] = [];
  for (const request of requests) {
    const bucket = request.kind === 'arg' ? (request.isSecret ? chosen.secretArgs : chosen.args) : request.isSecret ? chosen.secretEnv : chosen.env;
    const supplied = request.kind === 'arg' ? given.args[request.name] : given.env[request.name];
    const kept = request.kind === 'arg' ? previous.args[request.name] : previous.env[request.name] ?? previous.secretEnv[request.name];
    let value = supplied ?? kept;
    if (value === undefined && request.isRequired) {
      if (request.default !== undefined && !ctx.prompter.available) value = request.default;
      else if (ctx.prompter.available) value = await ask(ctx, request);
    }
    if (value === undefined) {
      if (request.isRequired) missing.push(request);
      continue;
    }
    if (request.choices && request.choices.length > 0 && !request.choices.includes(value)) {
      throw new McpmError('EINPUT', `${request.name} must be one of ${request.choices.join(', ')}`, { hint: `Pass a valid value with --${request.kind} ${request.name}=VALUE.` });
    }
    bucket[request.name] = value;
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
  return ctx.prompter.text(label, { secret: request.isSecret, initial: request.default });
}
