import { McpmError } from '../errors.js';
import type { Input } from '../registry/types.js';
import { argumentName, fillDeclared, listOf, toRequest, usedVariables, type ArgValues, type InputRequest } from './request.js';
import { own } from '../json.js';

/**
 * Pure: server.json arguments (positional and named, runtime and package) to argv items, never through a shell.
 *
 * - A positional argument is one item; a named one is two, `--flag value` (server.json has no field asking for
 *   `--flag=value`, and every CLI parser accepts the two-item form).
 * - A named argument whose `format` is boolean is a switch: value "true" gives the flag alone, "false" nothing.
 * - A fixed `value` has its declared `{variables}` filled from inputs; a value whose variable has no value and no
 *   default is left out whole, since half a template means nothing.
 * - Without a `value`, the argument is an input (`--arg NAME=VALUE`, NAME = flag without dashes or value hint);
 *   its `default` is used when none is given, and an optional one without either is left out.
 * - `isRepeated` takes several values (`--arg NAME=a --arg NAME=b`): each becomes its own item (or flag + value).
 *   A repeated template is repeated once per value of its variables; a variable with one value fills every
 *   repetition.
 * - Runtime arguments only: a named flag with nothing of its own (no value, default, format, choices, hint, not
 *   required) is a switch that is always on (`-i`, `--rm`, `--mcp`), not an input.
 */

/** A named flag that carries nothing: no value, default, format, choices, variables or hint, and not required. */
function isBareFlag(argument: Input): boolean {
  return (
    argument.type === 'named' &&
    argument.value === undefined &&
    argument.default === undefined &&
    (!argument.format || argument.format === 'string') &&
    !argument.choices?.length &&
    !argument.variables &&
    !argument.valueHint &&
    !argument.isRequired
  );
}

/**
 * Some registry entries spell `-e NAME` or `-v a:b` as two arguments: a named flag carrying nothing, then a
 * positional with a fixed value. They are read as one named argument with that value.
 */
export function pairFlags(args: Input[]): Input[] {
  const out: Input[] = [];
  for (let i = 0; i < args.length; i++) {
    const argument = args[i]!;
    const next = args[i + 1];
    if (isBareFlag(argument) && next && next.type !== 'named' && next.value !== undefined) {
      out.push({ ...next, type: 'named', name: argument.name, description: argument.description ?? next.description });
      i++;
    } else {
      out.push(argument);
    }
  }
  return out;
}

/** What a list of arguments asks the user for. `switches`: runtime arguments, where bare flags are always on. */
export function argumentRequests(args: Input[], switches: boolean): InputRequest[] {
  const requests: InputRequest[] = [];
  for (const argument of args) {
    if (argument.type === 'named' && !argument.name) continue;
    if (argument.value !== undefined) {
      for (const name of usedVariables(argument)) {
        const variable = argument.variables![name]!;
        requests.push(toRequest('arg', name, variable, {
          // A variable of a required argument is required unless it has a default to fall back on.
          isRequired: variable.isRequired === true || (argument.isRequired === true && variable.default === undefined),
          isSecret: variable.isSecret === true || argument.isSecret === true,
          ...(argument.isRepeated ? { isRepeated: true } : {}),
        }));
      }
      continue;
    }
    if (switches && isBareFlag(argument)) continue;
    const name = argumentName(argument);
    if (name) requests.push(toRequest('arg', name, argument));
  }
  return requests;
}

export interface RenderedArguments {
  argv: string[];
  /** Names of secret inputs whose values went into argv (the caller warns: argv ends up in a client's file). */
  secrets: string[];
}

/** One argv occurrence of an argument: a positional value, or a named flag with its value (none: a switch). */
export interface Occurrence {
  /** The flag of a named argument; undefined for a positional one. */
  flag?: string;
  value?: string;
  /** A boolean-format flag: present or not, never followed by a value. */
  boolean?: boolean;
}

/** The occurrences arguments become, before they are spelled as argv (runtime options are reviewed in this form). */
export function argumentOccurrences(args: Input[], values: ArgValues, options: { switches: boolean; isSecret: (name: string) => boolean }): { occurrences: Occurrence[]; secrets: string[] } {
  const occurrences: Occurrence[] = [];
  const secrets = new Set<string>();
  for (const argument of args) {
    const named = argument.type === 'named';
    if (named && !argument.name) continue;
    for (const { value, from } of argumentValues(argument, values, options.switches)) {
      for (const name of from) if (options.isSecret(name)) secrets.add(name);
      if (!named) occurrences.push({ value: value ?? '' });
      else if (value === undefined) occurrences.push({ flag: argument.name! });
      else if (argument.format === 'boolean') {
        if (value.toLowerCase() === 'true') occurrences.push({ flag: argument.name!, boolean: true });
      } else occurrences.push({ flag: argument.name!, value });
    }
  }
  return { occurrences, secrets: [...secrets] };
}

export function renderArguments(args: Input[], values: ArgValues, options: { switches: boolean; isSecret: (name: string) => boolean }): RenderedArguments {
  const { occurrences, secrets } = argumentOccurrences(args, values, options);
  const argv = occurrences.flatMap((o) => (o.flag === undefined ? [o.value!] : o.value === undefined ? [o.flag] : [o.flag, o.value]));
  return { argv, secrets };
}

/** Each occurrence of an argument: its value (none: a switch, the flag alone) and the inputs it came from. */
function argumentValues(argument: Input, values: ArgValues, switches: boolean): Array<{ value?: string; from: string[] }> {
  if (argument.value !== undefined) {
    const names = usedVariables(argument);
    if (names.length === 0) return [{ value: argument.value, from: [] }];
    const lists = names.map((name) => {
      const given = listOf(own(values, name));
      return given.length > 0 ? given : listOf(argument.variables![name]!.default);
    });
    if (lists.some((list) => list.length === 0)) return [];
    const times = argument.isRepeated ? Math.max(...lists.map((list) => list.length)) : 1;
    names.forEach((name, i) => {
      const count = lists[i]!.length;
      if (count !== 1 && count !== times) {
        throw new McpmError('EINPUT', `${name} has ${count} values but ${argument.name ?? 'its argument'} is repeated ${times} times`, {
          hint: 'Give the variables of a repeated argument the same number of values, or one value to use every time.',
        });
      }
    });
    return Array.from({ length: times }, (_, k) => ({
      value: fillDeclared(argument.value!, Object.fromEntries(names.map((name, i) => [name, lists[i]!.length === 1 ? lists[i]![0]! : lists[i]![k]!]))),
      from: names,
    }));
  }
  if (switches && isBareFlag(argument)) return [{ from: [] }];
  const name = argumentName(argument);
  const given = listOf(name ? own(values, name) : undefined);
  const chosen = given.length > 0 ? given : listOf(argument.default);
  return (argument.isRepeated ? chosen : chosen.slice(0, 1)).map((value) => ({ value, from: name && given.length > 0 ? [name] : [] }));
}
