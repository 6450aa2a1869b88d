import type { Input, Package } from '../registry/types.js';

/** Something a server needs from the user: an environment variable or a package argument. */
export interface InputRequest {
  kind: 'env' | 'arg';
  name: string;
  description?: string;
  isRequired: boolean;
  isSecret: boolean;
  default?: string;
  choices?: string[];
}

/** Names that look like credentials are kept as secrets even when a registry entry forgot to say so. */
const SECRET_LOOKING = /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

export function looksSecret(name: string): boolean {
  return SECRET_LOOKING.test(name);
}

/** Pure: what a package asks for. Inputs with a fixed `value` are not asked; the registry decided them. */
export function inputRequests(pkg: Package): InputRequest[] {
  const requests: InputRequest[] = [];
  for (const variable of pkg.environmentVariables ?? []) {
    if (!variable.name || variable.value !== undefined) continue;
    requests.push(request('env', variable.name, variable));
  }
  for (const argument of pkg.packageArguments ?? []) {
    if (argument.value !== undefined) continue;
    const name = argumentName(argument);
    if (name) requests.push(request('arg', name, argument));
  }
  return requests;
}

function request(kind: InputRequest['kind'], name: string, input: Input): InputRequest {
  return {
    kind,
    name,
    description: input.description,
    isRequired: input.isRequired === true,
    isSecret: input.isSecret === true || (kind === 'env' && looksSecret(name)),
    default: input.default,
    choices: Array.isArray(input.choices) ? input.choices : undefined,
  };
}

/** How users name an argument on mcpm's command line (`--arg NAME=VALUE`): its name, else its value hint. */
export function argumentName(argument: Input): string | undefined {
  if (argument.type === 'named') return argument.name?.replace(/^-+/, '');
  return argument.valueHint ?? argument.name;
}

/** Pure: the argv a package's arguments become, given the values chosen for them. Never passes through a shell. */
export function renderPackageArguments(pkg: Package, values: Record<string, string>): string[] {
  const argv: string[] = [];
  for (const argument of pkg.packageArguments ?? []) {
    const name = argumentName(argument);
    const value = argument.value ?? (name ? values[name] : undefined) ?? argument.default;
    if (argument.type === 'named') {
      if (!argument.name) continue;
      if (value === undefined) {
        if (argument.isRequired) argv.push(argument.name);
        continue;
      }
      argv.push(argument.name, value);
    } else if (value !== undefined) {
      argv.push(value);
    }
  }
  return argv;
}

/** Pure: the fixed environment values a package's entry carries (those the registry set). */
export function fixedEnvironment(pkg: Package): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of pkg.environmentVariables ?? []) {
    if (variable.name && variable.value !== undefined) env[variable.name] = variable.value;
  }
  return env;
}
