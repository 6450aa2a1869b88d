import os from 'node:os';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { bundleCommand, supportsPlatform, type BundlePlace } from '../plan/mcpb.js';
import { withVersion, type Pkg, type PreparedSource } from '../plan/prepared-source.js';
import { chooseSource } from '../plan/source.js';
import type { ServerJson } from '../registry/types.js';
import { versionDir } from '../store/layout.js';
import { fetchBundle, readBundleManifest } from '../store/mcpb-install.js';
import { findOnPath, locateRuntime, missingRuntime } from '../store/runtimes.js';
import type { InstalledServer } from '../state/installed.js';

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
      return { kind: 'pypi', pkg: withVersion(source.pkg, server.version), uvx: locateRuntime(ctx, 'pypi') };
    case 'oci':
      return { kind: 'oci', pkg: source.pkg, engine: locateRuntime(ctx, 'oci') };
    case 'nuget':
      return { kind: 'nuget', pkg: withVersion(source.pkg, server.version), dnx: locateRuntime(ctx, 'nuget') };
    case 'mcpb':
      return prepareBundle(ctx, server, withVersion(source.pkg, server.version));
  }
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
