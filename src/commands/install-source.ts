import os from 'node:os';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { dedupe, inputRequests, launchArguments, packageEnvironment, type ArgValues, type InputRequest } from '../plan/inputs.js';
import { bundleCommand, bundleEnvironment, supportsPlatform, userConfigRequests, type BundleManifest, type BundlePlace } from '../plan/mcpb.js';
import { remoteInputRequests } from '../plan/remote.js';
import { chooseSource } from '../plan/source.js';
import type { Package, ServerJson, Transport } from '../registry/types.js';
import { versionDir } from '../store/layout.js';
import { fetchBundle, readBundleManifest } from '../store/mcpb-install.js';
import { findOnPath, locateRuntime, missingRuntime } from '../store/runtimes.js';
import type { InstalledServer } from '../state/installed.js';

type Pkg = Package & { identifier: string };

/** The chosen source with what this machine needs to install it, found before any input is asked. */
export type PreparedSource =
  | { kind: 'npm'; pkg: Pkg }
  | { kind: 'remote'; remotes: Transport[] }
  | { kind: 'pypi'; pkg: Pkg; uvx: string }
  | { kind: 'oci'; pkg: Pkg; engine: string }
  | { kind: 'nuget'; pkg: Pkg; dnx: string }
  | { kind: 'mcpb'; pkg: Pkg; bundle: string; manifest: BundleManifest; command: string; place: BundlePlace };

export type PreparedPackage = Extract<PreparedSource, { kind: 'pypi' | 'oci' | 'nuget' | 'mcpb' }>;

/**
 * Chooses what to install (see plan/source.ts) and readies it: the runtime's absolute path for pypi/oci/nuget;
 * for a bundle, the verified download and its manifest (its user_config are inputs, so this happens before they
 * are asked; the download only lands in mcpm's cache).
 */
export async function prepareSource(ctx: Context, server: ServerJson, requested: string | undefined, previous: InstalledServer | undefined): Promise<PreparedSource> {
  const { source, skipped } = chooseSource(server, {
    requested,
    previous: previous?.package?.registryType ?? (previous?.remote ? 'remote' : undefined),
    unavailable: (pkg) => missingRuntime(ctx, pkg),
    platform: ctx.platform,
    arch: process.arch,
  });
  for (const { type, reason } of skipped) ctx.out.note(`Not using the ${type} package: ${reason.message}`);
  switch (source.kind) {
    case 'npm':
      return { kind: 'npm', pkg: source.pkg };
    case 'remote':
      return source;
    case 'pypi':
      return { kind: 'pypi', pkg: withVersion(source.pkg, server), uvx: locateRuntime(ctx, 'pypi') };
    case 'oci':
      return { kind: 'oci', pkg: source.pkg, engine: locateRuntime(ctx, 'oci') };
    case 'nuget':
      return { kind: 'nuget', pkg: withVersion(source.pkg, server), dnx: locateRuntime(ctx, 'nuget') };
    case 'mcpb':
      return prepareBundle(ctx, server, withVersion(source.pkg, server));
  }
}

/** pypi, nuget and bundles are pinned to the package's version, else the server's. */
function withVersion(pkg: Pkg, server: ServerJson): Pkg {
  return pkg.version ? pkg : { ...pkg, version: server.version };
}

async function prepareBundle(ctx: Context, server: ServerJson, pkg: Pkg): Promise<PreparedSource> {
  const bundle = await fetchBundle(ctx, pkg.identifier, pkg.fileSha256);
  const manifest = await readBundleManifest(bundle);
  if (!supportsPlatform(manifest, ctx.platform)) {
    throw new McpmError('EUNSUPPORTED', `${server.name}'s bundle runs on ${manifest.platforms!.join(', ')}, not on ${ctx.platform}`, { hint: 'Choose another package type with --package-type, if the server offers one.' });
  }
  const place: BundlePlace = { dir: versionDir(ctx.paths.store, server.name, pkg.version!), platform: ctx.platform, dirs: systemDirs(ctx) };
  const raw = bundleCommand(manifest, ctx.platform);
  // node is always mcpm's own; another bare command (python3, uv) must be on PATH now, and is written by path.
  const command = raw === 'node' ? ctx.nodePath : raw.includes('/') || raw.includes('\\') || raw.includes('${') ? raw : findOnPath(raw, ctx.env, ctx.platform);
  if (!command) {
    throw new McpmError('EUNSUPPORTED', `${server.name}'s bundle is started with ${raw}, which is not on PATH`, {
      hint: raw.startsWith('python') ? 'Install Python 3 (https://www.python.org/downloads/), then run the install again.' : `Install ${raw}, then run the install again.`,
    });
  }
  return { kind: 'mcpb', pkg, bundle, manifest, command, place };
}

/** What the MCPB spec lets manifests name: ${HOME}, ${DESKTOP}, ${DOCUMENTS}, ${DOWNLOADS}. */
function systemDirs(ctx: Context): Record<string, string> {
  const home = ctx.home || os.homedir();
  return { HOME: home, DESKTOP: path.join(home, 'Desktop'), DOCUMENTS: path.join(home, 'Documents'), DOWNLOADS: path.join(home, 'Downloads') };
}

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
export function sourceEnvironment(source: PreparedSource, chosen: { env: Record<string, string>; secretEnv: Record<string, string> }, values: ArgValues, isSecret: (name: string) => boolean) {
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
  for (const name of Object.keys(secretEnv)) if (!(name in chosen.env)) delete env[name];
  return { env, secretEnv };
}

