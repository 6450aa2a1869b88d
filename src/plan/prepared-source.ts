import type { Package, Transport } from '../registry/types.js';
import { dedupe, inputRequests, launchArguments, packageEnvironment, type ArgValues, type InputRequest } from './inputs.js';
import { secretsFormat, type EnvFileFormat } from './launch.js';
import { bundleEnvironment, userConfigRequests, type BundleManifest, type BundlePlace } from './mcpb.js';
import { remoteInputRequests } from './remote.js';

export type Pkg = Package & { identifier: string };

/**
 * The source chosen for an install (see source.ts), with what the machine said about it before any input is
 * asked: the runtime's absolute path for pypi/oci/nuget; for a bundle, the verified download, its manifest (its
 * user_config are inputs) and the command that starts it. Gathered by install/source.ts; everything below is pure.
 */
export type PreparedSource =
  | { kind: 'npm'; pkg: Pkg }
  | { kind: 'remote'; remotes: Transport[] }
  | { kind: 'pypi'; pkg: Pkg; uvx: string }
  | { kind: 'oci'; pkg: Pkg; engine: string }
  | { kind: 'nuget'; pkg: Pkg; dnx: string }
  | { kind: 'mcpb'; pkg: Pkg; bundle: string; manifest: BundleManifest; command: string; place: BundlePlace };

export type PreparedPackage = Exclude<PreparedSource, { kind: 'remote' }>;

/** Everything the chosen source asks the user for. */
export function sourceRequests(source: PreparedSource): InputRequest[] {
  if (source.kind === 'remote') return source.remotes.flatMap(remoteInputRequests);
  const requests = inputRequests(source.pkg);
  return source.kind === 'mcpb' ? dedupe([...requests, ...userConfigRequests(source.manifest, source.place.dirs)]) : requests;
}

/**
 * The environment the registry (and a bundle's manifest) fixed, with `{variables}` filled, under what the user
 * chose: values the user gave win, and a name is either secret or not, never both.
 */
export function sourceEnvironment(
  source: PreparedSource,
  chosen: { env: Record<string, string>; secretEnv: Record<string, string> },
  values: ArgValues,
  isSecret: (name: string) => boolean,
): { env: Record<string, string>; secretEnv: Record<string, string> } {
  if (source.kind === 'remote') return { env: {}, secretEnv: chosen.secretEnv };
  const fixed = packageEnvironment(launchArguments(source.pkg).env, values, isSecret);
  if (source.kind === 'mcpb') {
    const bundle = bundleEnvironment(source.manifest, values, isSecret, source.place);
    fixed.env = { ...bundle.env, ...fixed.env };
    fixed.secretEnv = { ...bundle.secretEnv, ...fixed.secretEnv };
  }
  const env = { ...fixed.env, ...chosen.env };
  const secretEnv = { ...fixed.secretEnv, ...chosen.secretEnv };
  for (const name of Object.keys(chosen.env)) delete secretEnv[name];
  for (const name of Object.keys(secretEnv)) if (!Object.hasOwn(chosen.env, name)) delete env[name];
  return { env, secretEnv };
}

/** The env-file format the source's launcher reads; undefined: none (secrets then go into the entry's env). */
export function secretsFormatOf(source: PreparedSource, nodePath: string): EnvFileFormat | undefined {
  if (source.kind === 'remote') return undefined;
  return secretsFormat(source.kind, source.kind === 'mcpb' ? (source.command === nodePath ? 'node' : 'other') : undefined);
}

/** pypi, nuget and bundles are pinned to the package's version, else the server's. */
export function withVersion(pkg: Pkg, serverVersion: string): Pkg {
  return pkg.version ? pkg : { ...pkg, version: serverVersion };
}
