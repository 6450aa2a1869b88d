import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { renderPackageArguments } from '../plan/inputs.js';
import { nugetLaunch, ociLaunch, pypiLaunch, secretsFormat, type EnvFileFormat, type Launch, type LaunchInputs } from '../plan/launch.js';
import { bundleLaunch } from '../plan/mcpb.js';
import { parseImage } from '../plan/oci.js';
import { installBundle } from '../store/mcpb-install.js';
import { pullImage } from '../store/oci-install.js';
import { installPypiPackage } from '../store/pypi-install.js';
import { findOnPath } from '../store/runtimes.js';
import type { PreparedPackage } from './install-source.js';

/** A pypi, oci, nuget or mcpb package made ready to start, and how to build its entry's launch. */
export interface InstalledPackage {
  /** The store version folder (pypi's uv cache, a bundle's files); none for oci and nuget. */
  storePath?: string;
  /** True when this install created storePath (removed again if a later step fails). */
  added: boolean;
  /** The format of the secrets file its launcher reads; undefined: it reads none. */
  secretsFormat?: EnvFileFormat;
  /** What the state records beyond the registry's package fields. */
  record: { runtime?: string; image?: string; fileSha256?: string };
  launch(inputs: LaunchInputs): Launch;
}

/**
 * The store step of the non-npm types: pypi pre-fetches into the store's uv cache, oci pulls and pins the digest,
 * nuget has nothing to fetch ahead (dnx downloads at first start), mcpb unpacks the verified bundle.
 */
export async function installPackage(ctx: Context, serverName: string, source: PreparedPackage): Promise<InstalledPackage> {
  const { pkg } = source;
  switch (source.kind) {
    case 'pypi': {
      const installed = await installPypiPackage(ctx, { serverName, identifier: pkg.identifier, version: pkg.version!, uvx: source.uvx });
      return {
        storePath: installed.storePath,
        added: installed.added,
        secretsFormat: secretsFormat('pypi'),
        record: { runtime: source.uvx },
        launch: (inputs) => pypiLaunch(pkg, inputs, { uvx: source.uvx, cacheDir: installed.cacheDir, scripts: installed.scripts }),
      };
    }
    case 'oci': {
      const pulled = await pullImage(ctx, source.engine, parseImage(pkg.identifier, pkg.version));
      return {
        added: false,
        secretsFormat: secretsFormat('oci'),
        record: { runtime: source.engine, image: pulled.image },
        launch: (inputs) => ociLaunch(pkg, inputs, { engine: source.engine, image: pulled.image }),
      };
    }
    case 'nuget':
      return { added: false, record: { runtime: source.dnx }, launch: (inputs) => nugetLaunch(pkg, inputs, { dnx: source.dnx }) };
    case 'mcpb': {
      const installed = await installBundle(ctx, { serverName, version: pkg.version!, file: source.bundle, sha256: pkg.fileSha256!, url: pkg.identifier });
      const node = source.command === ctx.nodePath;
      return {
        storePath: installed.storePath,
        added: installed.added,
        secretsFormat: secretsFormat('mcpb', node ? 'node' : 'other'),
        record: { runtime: source.command, fileSha256: pkg.fileSha256!.toLowerCase() },
        launch: (inputs) =>
          bundleLaunch(source.manifest, inputs, {
            ...source.place,
            node: ctx.nodePath,
            resolve: (command) => {
              const found = command === 'node' ? ctx.nodePath : findOnPath(command, ctx.env, ctx.platform);
              if (!found) throw new McpmError('EUNSUPPORTED', `The bundle is started with ${command}, which is not on PATH`, { hint: `Install ${command}, then run the install again.` });
              return found;
            },
            extraArgs: renderPackageArguments(pkg, inputs.values, inputs.isSecret).argv,
          }),
      };
    }
  }
}
