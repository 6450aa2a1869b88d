import path from 'node:path';
import satisfies from 'semver/functions/satisfies.js';
import validVersion from 'semver/functions/valid.js';
import validRange from 'semver/ranges/valid.js';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { readNpmConfig, type NpmOptions } from './npm-config.js';
import type { NpmInstallRequest } from './npm-install.js';

const PUBLIC_NPM = /^https?:\/\/registry\.npmjs\.(org|com)\/?$/i;

/** npm package names (scoped or not), as validate-npm-package-name accepts them for existing packages. */
const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/i;

/** A registry package's name: nothing npm would read as a path, a URL or a git repository. */
export const isNpmName = (name: string) => name.length <= 214 && NPM_NAME.test(name);

/**
 * The identifier, version and registry come from a registry entry, and npm reads a spec by its shape: `../x`,
 * `/abs`, `file:`, `github:u/r`, `git+...`, a URL or `npm:` would install a local folder, a git repository or any
 * tarball instead of a registry package. Only a package name, an exact version and an http(s) registry get through.
 */
export function assertRegistryPackage(request: Pick<NpmInstallRequest, 'serverName' | 'identifier' | 'version' | 'registryBaseUrl'>): void {
  const { identifier, version, registryBaseUrl, serverName } = request;
  const shown = (value: string) => JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}...` : value);
  if (typeof identifier !== 'string' || !isNpmName(identifier)) {
    throw new McpmError('EINVALIDNAME', `Refusing the npm package ${shown(String(identifier))} of ${serverName}: not an npm package name`, {
      hint: 'The registry entry is malformed or hostile; mcpm installs only packages named on an npm registry.',
    });
  }
  if (typeof version !== 'string' || version.length > 256 || validVersion(version) !== version) {
    throw new McpmError('EINVALIDNAME', `Refusing ${identifier}@${shown(String(version))} of ${serverName}: not an exact version`, {
      hint: 'A registry entry must name one published version of its package; choose another version with name@version.',
    });
  }
  if (registryBaseUrl !== undefined && !/^https?:\/\/[^\s]+$/i.test(registryBaseUrl)) {
    throw new McpmError('EINVALIDNAME', `Refusing the npm registry ${shown(String(registryBaseUrl))} of ${serverName}: not an http(s) URL`, {
      hint: 'The registry entry is malformed or hostile.',
    });
  }
}

export function npmOptions(ctx: Context, request: Pick<NpmInstallRequest, 'registryBaseUrl'>): NpmOptions {
  const options: NpmOptions = {
    ...readNpmConfig(ctx.env, ctx.home),
    cache: path.join(ctx.paths.cache, 'npm'),
    // Every package, dependencies included, comes from an npm registry: never a git repository (which would run
    // git), a local folder or file (linked or copied into the store), or an arbitrary URL.
    allowGit: 'none',
    allowRemote: 'none',
    allowFile: 'none',
    allowDirectory: 'none',
  };
  if (request.registryBaseUrl && !PUBLIC_NPM.test(request.registryBaseUrl)) {
    // The registry entry names its own npm registry: the package and its dependencies come from there.
    options.registry = request.registryBaseUrl.endsWith('/') ? request.registryBaseUrl : `${request.registryBaseUrl}/`;
  }
  return options;
}

export function checkOwnership(ctx: Context, serverName: string, mcpName: string | undefined, spec: string, quiet = false): void {
  if (mcpName === undefined || mcpName === null) {
    if (!quiet) ctx.out.warn(`${spec} does not declare an mcpName, so it cannot confirm that it belongs to ${serverName}`);
    return;
  }
  if (mcpName !== serverName) {
    throw new McpmError('EOWNERSHIP', `${spec} says it belongs to ${mcpName}, not to ${serverName}`, {
      hint: 'The registry entry points at a package that is not its own; do not install it. Report the entry to its registry.',
    });
  }
}

export function checkEngines(ctx: Context, request: Pick<NpmInstallRequest, 'identifier' | 'version' | 'engineStrict'>, range: string | undefined): void {
  if (!range || !validRange(range) || satisfies(process.version, range)) return;
  const message = `${request.identifier}@${request.version} wants node ${range}; entries will start it with node ${process.version} (${ctx.nodePath})`;
  if (request.engineStrict) throw new McpmError('EENGINE', message, { hint: 'Run mcpm with a node that satisfies it, or drop --engine-strict.' });
  ctx.out.warn(message);
}
