import { McpmError } from '../errors.js';
import { looksLikeCredential } from './credentials.js';
import { checkValue, looksSecret, type ArgValues, type InputRequest } from './inputs.js';
import { listOf } from './request.js';
import { own, record } from '../json.js';

/** Every input's value, split by kind and secrecy: what an install stores and launches with. */
export interface ChosenInputs {
  env: Record<string, string>;
  secretEnv: Record<string, string>;
  args: ArgValues;
  /** Values of secret arguments, variables and headers: kept in the secrets file, never in mcpm's state. */
  secretArgs: ArgValues;
  /** Inputs the registry did not mark secret that are kept as secrets because their name or value looks like one. */
  promoted?: string[];
}

/** What the command line gave (`--env`, `--arg`). */
export interface GivenInputs {
  env: Record<string, string>;
  args: ArgValues;
}

/** Values kept from the installed version (non-secret ones from the state, secret ones from the secrets file). */
export type PreviousInputs = ChosenInputs;

export const NO_INPUTS: ChosenInputs = Object.freeze({ env: record<string>(), secretEnv: record<string>(), args: record<string | string[]>(), secretArgs: record<string | string[]>() });

function supplied(request: InputRequest, given: GivenInputs, previous: PreviousInputs): string[] {
  const arg = request.kind === 'arg';
  const value = arg ? own(given.args, request.name) : own(given.env, request.name);
  const kept = arg ? own(previous.args, request.name) ?? own(previous.secretArgs, request.name) : own(previous.env, request.name) ?? own(previous.secretEnv, request.name);
  return listOf(value ?? kept);
}

/** Pure: the required inputs with no value given or kept, which a person at a terminal is asked for. */
export function inputsToAsk(requests: InputRequest[], given: GivenInputs, previous: PreviousInputs): InputRequest[] {
  return requests.filter((request) => request.isRequired && supplied(request, given, previous).length === 0);
}

/**
 * Pure: decides every input's value: given on the command line, else kept from the installed version, else the
 * answer a person gave, else a required input's default, else a required input is an error naming it. Values are
 * checked against their choices and format (see checkValue). Unknown --env keys are passed through (secret when
 * they look like credentials or were secret before); unknown --arg names are an error.
 */
export function chooseInputs(
  requests: InputRequest[],
  given: GivenInputs,
  previous: PreviousInputs,
  answers: Record<string, string>,
  where: { cwd: string; home: string },
  options: { noSecret?: string[] } = {},
): ChosenInputs {
  const chosen: ChosenInputs = { env: record(), secretEnv: record(), args: record(), secretArgs: record() };
  const promoted = new Set<string>();
  // A credential in plaintext is the usual leak: one that looks like one is a secret unless the user says it is not.
  const secret = (name: string, values: string[], marked: boolean, kept: boolean) => {
    if (marked) return true;
    if (options.noSecret?.includes(name)) return false;
    if (kept) return true;
    if (looksSecret(name) || values.some(looksLikeCredential)) {
      promoted.add(name);
      return true;
    }
    return false;
  };
  const missing: InputRequest[] = [];
  for (const request of requests) {
    let values = supplied(request, given, previous);
    if (values.length === 0 && request.isRequired) {
      const answer = Object.hasOwn(answers, request.name) ? answers[request.name] : request.default;
      if (answer !== undefined) values = [answer];
    }
    if (values.length === 0) {
      if (request.isRequired) missing.push(request);
      continue;
    }
    if (values.length > 1 && !request.isRepeated) {
      throw new McpmError('EINPUT', `--arg ${request.name} was given ${values.length} times, but ${request.name} takes one value`, { hint: `Pass --arg ${request.name}=VALUE once.` });
    }
    const checked = values.map((value) => checkValue(request, value, where));
    const wasSecret = Object.hasOwn(request.kind === 'env' ? previous.secretEnv : previous.secretArgs, request.name);
    const isSecret = (request.isSecret && !request.secretByName) || secret(request.name, checked, false, wasSecret);
    if (request.kind === 'env') (isSecret ? chosen.secretEnv : chosen.env)[request.name] = checked[0]!;
    else (isSecret ? chosen.secretArgs : chosen.args)[request.name] = request.isRepeated ? checked : checked[0]!;
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
    if (secret(key, [value], false, Object.hasOwn(previous.secretEnv, key))) chosen.secretEnv[key] = value;
    else chosen.env[key] = value;
  }
  const declaredArgs = new Set(requests.filter((r) => r.kind === 'arg').map((r) => r.name));
  const unknownArgs = Object.keys(given.args).filter((name) => !declaredArgs.has(name));
  if (unknownArgs.length > 0) {
    throw new McpmError('EINPUT', `This server takes no argument named ${unknownArgs.join(', ')}`, {
      hint: `Its arguments: ${[...declaredArgs].join(', ') || 'none'} (see \`mcpm info\`).`,
    });
  }
  return promoted.size > 0 ? { ...chosen, promoted: [...promoted] } : chosen;
}
