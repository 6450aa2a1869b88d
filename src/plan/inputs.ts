import path from 'node:path';
import { McpmError } from '../errors.js';
import type { Input, Package } from '../registry/types.js';
import { argumentRequests, pairFlags, renderArguments } from './arguments.js';
import { normalizeOciArguments, parseImage } from './oci.js';
import { fillDeclared, listOf, looksSecret, toRequest, usedVariables, type ArgValues, type InputRequest } from './request.js';
import { own } from '../json.js';

export { argumentName, looksSecret, type ArgValues, type InputRequest } from './request.js';

/** A package's arguments and environment as mcpm launches them (see arguments.ts and oci.ts for the rules). */
export interface LaunchArguments {
  /** Options for the runtime (uvx, docker run, dnx); none for npm and mcpb, which mcpm starts with node itself. */
  runtime: Input[];
  package: Input[];
  env: Input[];
}

export function launchArguments(pkg: Package): LaunchArguments {
  const type = pkg.registryType;
  const raw = type === 'npm' || type === 'mcpb' ? [] : pkg.runtimeArguments ?? [];
  const env = (pkg.environmentVariables ?? []).filter((variable) => typeof variable.name === 'string' && variable.name !== '');
  const packageArgs = pairFlags(pkg.packageArguments ?? []);
  if (type === 'oci' && typeof pkg.identifier === 'string') return { package: packageArgs, ...normalizeOciArguments(parseImage(pkg.identifier, pkg.version), raw, env) };
  // uvx is given mcpm's own pinned --from; an entry's would name the package again, unpinned.
  const runtime = pairFlags(raw).filter((argument) => !(type === 'pypi' && argument.type === 'named' && /^--from(=|$)/.test(argument.name ?? '')));
  return { runtime, package: packageArgs, env };
}

/**
 * Pure: what a package asks for. Inputs with a fixed `value` are not asked (the registry decided them), but the
 * `{variables}` inside such values are. The same name asked twice is asked once.
 */
export function inputRequests(pkg: Package): InputRequest[] {
  const { runtime, package: packageArgs, env } = launchArguments(pkg);
  const requests: InputRequest[] = [];
  for (const variable of env) {
    if (variable.value === undefined) requests.push(toRequest('env', variable.name!, variable));
    for (const name of usedVariables(variable)) {
      const input = variable.variables![name]!;
      requests.push(toRequest('arg', name, input, { isSecret: input.isSecret === true || variable.isSecret === true }));
    }
  }
  requests.push(...argumentRequests(runtime, true), ...argumentRequests(packageArgs, false));
  return dedupe(requests);
}

export function dedupe(requests: InputRequest[]): InputRequest[] {
  const seen = new Map<string, InputRequest>();
  for (const request of requests) if (!seen.has(`${request.kind}:${request.name}`)) seen.set(`${request.kind}:${request.name}`, request);
  return [...seen.values()];
}

/** Pure: the argv a package's arguments become, given the values chosen for them. Never passes through a shell. */
export function renderPackageArguments(pkg: Package, values: ArgValues, isSecret: (name: string) => boolean = () => false) {
  return renderArguments(launchArguments(pkg).package, values, { switches: false, isSecret });
}

/**
 * Pure: the environment values the registry fixed, with their `{variables}` filled. A value whose variable has no
 * value is left out. A value is secret when its variable, or the variable itself, is.
 */
export function packageEnvironment(env: Input[], values: ArgValues, isSecret: (name: string) => boolean): { env: Record<string, string>; secretEnv: Record<string, string> } {
  const out = { env: {} as Record<string, string>, secretEnv: {} as Record<string, string> };
  for (const variable of env) {
    if (variable.value === undefined || !variable.name) continue;
    const names = usedVariables(variable);
    const chosen = names.map((name) => listOf(own(values, name))[0] ?? variable.variables![name]!.default);
    if (chosen.some((value) => value === undefined)) continue;
    const value = fillDeclared(variable.value, Object.fromEntries(names.map((name, i) => [name, chosen[i]!])));
    const secret = variable.isSecret === true || looksSecret(variable.name) || names.some(isSecret);
    (secret ? out.secretEnv : out.env)[variable.name] = value;
  }
  return out;
}

/**
 * Pure: checks one value against its input's `choices` and `format`, and returns it as the entry will carry it:
 * booleans as "true"/"false", file paths absolute (`~/` is the home folder, a relative path is taken from the
 * folder mcpm runs in, since the client starts the server somewhere else).
 */
export function checkValue(request: InputRequest, value: string, where: { cwd: string; home: string }): string {
  const flag = `--${request.kind} ${request.name}=VALUE`;
  const fail = (what: string) => new McpmError('EINPUT', `${request.name} must be ${what} (got ${request.isSecret ? 'a secret value' : JSON.stringify(value)})`, { hint: `Pass a valid value with ${flag}.` });
  if (request.choices && !request.choices.includes(value)) throw fail(`one of ${request.choices.join(', ')}`);
  switch (request.format) {
    case 'number': {
      if (!/^[+-]?(\d+(\.\d+)?|\.\d+)$/.test(value.trim())) throw fail('a number');
      const number = Number(value);
      if (request.min !== undefined && number < request.min) throw fail(`at least ${request.min}`);
      if (request.max !== undefined && number > request.max) throw fail(`at most ${request.max}`);
      return value.trim();
    }
    case 'boolean':
      if (!/^(true|false)$/i.test(value.trim())) throw fail('true or false');
      return value.trim().toLowerCase();
    case 'filepath':
    case 'directory':
    case 'file': {
      if (value.trim() === '') throw fail('a path');
      const expanded = value === '~' ? where.home : value.startsWith('~/') ? path.join(where.home, value.slice(2)) : value;
      return path.resolve(where.cwd, expanded);
    }
    default:
      return value;
  }
}
