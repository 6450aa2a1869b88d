import type { Input } from '../registry/types.js';
import { looksSecret } from './credentials.js';
import { own } from '../json.js';

/** Something a server needs from the user: an environment variable, or a value given with `--arg NAME=VALUE`. */
export interface InputRequest {
  kind: 'env' | 'arg';
  name: string;
  description?: string;
  isRequired: boolean;
  isSecret: boolean;
  default?: string;
  choices?: string[];
  /** server.json's `format` (string, number, boolean, filepath); checked when a value is chosen. */
  format?: string;
  /** Takes several values (`--arg NAME=a --arg NAME=b`). */
  isRepeated?: boolean;
  /** Secret only because its name looks like a credential (the registry did not say): `--no-secret` may undo it. */
  secretByName?: boolean;
  /** Bounds of a number (MCPB user_config `min`/`max`). */
  min?: number;
  max?: number;
}

/** Argument, URL-variable and `{variable}` values: one string, or several for a repeated input. */
export type ArgValues = Record<string, string | string[]>;

export const listOf = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

export { looksSecret } from './credentials.js';

export function toRequest(kind: InputRequest['kind'], name: string, input: Input, overrides: Partial<InputRequest> = {}): InputRequest {
  return {
    kind,
    name,
    description: input.description,
    isRequired: input.isRequired === true,
    isSecret: input.isSecret === true || (kind === 'env' && looksSecret(name)),
    ...(input.isSecret !== true && kind === 'env' && looksSecret(name) ? { secretByName: true } : {}),
    default: input.default,
    choices: Array.isArray(input.choices) && input.choices.length > 0 ? input.choices : undefined,
    ...(input.format && input.format !== 'string' ? { format: input.format } : {}),
    ...(input.isRepeated ? { isRepeated: true } : {}),
    ...overrides,
  };
}

/** How users name an argument on mcpm's command line (`--arg NAME=VALUE`): its flag without dashes, else its value hint. */
export function argumentName(argument: Input): string | undefined {
  if (argument.type === 'named') return argument.name?.replace(/^-+/, '');
  return argument.valueHint ?? argument.name;
}

/** The `{name}` placeholders of a value that its `variables` declare (others stay as written, per server.json). */
export function usedVariables(input: Input): string[] {
  if (input.value === undefined || !input.variables) return [];
  return Object.keys(input.variables).filter((name) => input.value!.includes(`{${name}}`));
}

/** Replaces the declared `{name}` placeholders; undeclared braces are left alone. */
export function fillDeclared(template: string, values: Record<string, string>): string {
  return template.replace(/\{([A-Za-z0-9_.-]+)\}/g, (whole, name: string) => own(values, name) ?? whole);
}
