import type { Context } from '../context.js';
import type { StoreAction, StoredPackage } from '../plan/store-action.js';
import { installBundle } from './mcpb-install.js';
import { installNpmPackage } from './npm-install.js';
import { pullImage } from './oci-install.js';
import { installPypiPackage } from './pypi-install.js';

/**
 * The store step of an install, for every package type: npm installs the package and its dependencies into a store
 * version folder, pypi pre-fetches into the store's uv cache, oci pulls and pins the digest, nuget has nothing to
 * fetch ahead (dnx downloads at first start), mcpb unpacks the verified bundle, a remote server stores nothing.
 */
export async function putInStore(ctx: Context, action: StoreAction): Promise<StoredPackage> {
  switch (action.kind) {
    case 'npm': {
      const { kind: _kind, server, lock, ...request } = action;
      const installed = await installNpmPackage(ctx, { serverName: server, ...request, lock });
      return { added: installed.added, storePath: installed.storePath, bin: installed.bin, ...(installed.integrity ? { integrity: installed.integrity } : {}), ...(installed.supply ? { supply: installed.supply } : {}) };
    }
    case 'pypi': {
      const installed = await installPypiPackage(ctx, { serverName: action.server, identifier: action.identifier, version: action.version, uvx: action.uvx });
      return { added: installed.added, storePath: installed.storePath, cacheDir: installed.cacheDir, scripts: installed.scripts };
    }
    case 'oci': {
      const pulled = await pullImage(ctx, action.engine, action.image);
      return { added: false, image: pulled.image };
    }
    case 'mcpb': {
      const installed = await installBundle(ctx, { serverName: action.server, version: action.version, file: action.file, sha256: action.sha256, url: action.url });
      return { added: installed.added, storePath: installed.storePath };
    }
    case 'nuget':
    case 'none':
      return { added: false };
  }
}
