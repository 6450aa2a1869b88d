import type { Context } from '../context.js';
import { McpmError, usageError } from '../errors.js';
import type { GivenInputs } from '../plan/input-values.js';
import type { InputRequest } from '../plan/inputs.js';
import { listOf } from '../plan/request.js';
import type { ArgValues } from '../plan/request.js';
import { record } from '../json.js';
import { oneLine } from '../output.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * What `--env` and `--arg` say: `--env KEY=VALUE`, `--env KEY` (from mcpm's own environment), `--arg NAME=VALUE`
 * (repeatable). `typed`: the names whose value was typed on the command line (and so is in the shell's history).
 */
export function givenInputs(ctx: Context, env: string[], arg: string[]): GivenInputs & { typed: Set<string> } {
  const out: GivenInputs & { typed: Set<string> } = { env: record(), args: record(), typed: new Set() };
  for (const item of [...env, ...arg]) if (item.includes('=')) out.typed.add(item.slice(0, item.indexOf('=')));
  for (const [key, value] of assignments(ctx, '--env', env, true)) out.env[key] = value;
  for (const [key, value] of assignments(ctx, '--arg', arg, false)) out.args[key] = Object.hasOwn(out.args, key) ? [...listOf(out.args[key]), value] : value;
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

/** Asks a person for each input (secrets masked), offering its choices or default. */
export async function askInputs(ctx: Context, requests: InputRequest[]): Promise<Record<string, string>> {
  const answers = record<string>();
  for (const request of requests) {
    const label = `${request.name}${request.description ? ` (${oneLine(request.description)})` : ''}`;
    if (request.choices && request.choices.length > 0) {
      answers[request.name] = await ctx.prompter.select(label, request.choices.map((choice) => ({ title: choice, value: choice })));
    } else if (request.format === 'boolean') {
      answers[request.name] = await ctx.prompter.select(label, [{ title: 'true', value: 'true' }, { title: 'false', value: 'false' }]);
    } else {
      answers[request.name] = await ctx.prompter.text(label, { secret: request.isSecret, initial: request.default });
    }
  }
  return answers;
}

export type { ArgValues };
