import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { readNpmConfig, type NpmOptions } from './npm-config.js';
import { INSTALL_RECORD, versionDir } from './layout.js';
import { createStaging } from './staging.js';
import { chooseBin } from './bin.js';
import { ensureDir } from '../fs/files.js';
import { failpoint } from '../failpoints.js';
import type { LockedTree } from '../plan/store-action.js';

const PUBLIC_NPM = /^https?:\/\/registry\.npmjs\.(org|com)\/?$/i;

export interface NpmInstallRequest {
  serverName: string;
  identifier: string;
  version: string;
  registryBaseUrl?: string;
  allowScripts: boolean;
  engineStrict: boolean;
  /** From a lock file: the package's integrity and the whole dependency tree to install exactly. */
  lock?: LockedTree;
}

export interface InstalledVersion {
  storePath: string;
  bin: string;
  integrity?: string;
  /** True when this install added the folder (false: the same version was already in the store). */
  added: boolean;
}

/**
 * Fetches an npm package and its production dependencies into the store. The version is built in a staging folder
 * and renamed into place, so a store folder exists whole or not at all. Integrity is checked by pacote against the
 * registry's checksum for every tarball; no install script runs unless the user allowed scripts.
 */
export async function installNpmPackage(ctx: Context, request: NpmInstallRequest): Promise<InstalledVersion> {
  assertRegistryPackage(request);
  const target = versionDir(ctx.paths.store, request.serverName, request.version);
  // mcpm's own folders first: a read-only folder or a file in their place is an EFS naming it, not an npm error.
  await ensureDir(path.dirname(target));
  await ensureDir(ctx.paths.cache);
  const options = npmOptions(ctx, request);
  const spec = `${request.identifier}@${request.version}`;
  // A version already in the store is complete (it was renamed into place whole) and was checked when it came:
  // reinstalling or rolling back to it needs no network.
  if (existsSync(path.join(target, INSTALL_RECORD))) {
    const record = JSON.parse(await readFile(path.join(target, INSTALL_RECORD), 'utf8')) as { bin: string; integrity?: string };
    if (request.lock?.integrity && record.integrity && record.integrity !== request.lock.integrity) throw lockMismatch(spec);
    return { storePath: target, bin: path.join(target, record.bin), integrity: record.integrity, added: false };
  }
  const { default: pacote } = await import('pacote');
  const manifest = await npmCall(spec, () => pacote.manifest(spec, { ...options, fullMetadata: true }));
  if (request.lock?.integrity && manifest._integrity !== request.lock.integrity) throw lockMismatch(spec);
  checkOwnership(ctx, request.serverName, manifest.mcpName, spec);
  checkEngines(ctx, request, manifest.engines?.node);
  failpoint('after-manifest');

  const { dir: staging, done } = await createStaging(ctx.paths.store);
  try {
    await writeFile(
      path.join(staging, 'package.json'),
      `${JSON.stringify({ name: 'mcpm-store-version', private: true, dependencies: { [request.identifier]: request.version } }, null, 2)}\n`,
    );
    if (request.lock?.packages) {
      // Installing from a lock file: arborist takes exactly these versions and checks each tarball's integrity.
      const lockfile = { name: 'mcpm-store-version', lockfileVersion: 3, requires: true, packages: { '': { name: 'mcpm-store-version', dependencies: { [request.identifier]: request.version } }, ...request.lock.packages } };
      await writeFile(path.join(staging, 'package-lock.json'), `${JSON.stringify(lockfile, null, 2)}\n`);
    }
    ctx.out.progress(`Installing ${spec} and its dependencies`);
    const { default: Arborist } = await import('@npmcli/arborist');
    const arborist = new Arborist({ ...options, path: staging, ignoreScripts: !request.allowScripts, audit: false, fund: false });
    await withFetchProgress(ctx, spec, () => npmCall(spec, () => arborist.reify({ omit: ['dev'], save: true })));
    failpoint('after-reify');

    const packageDir = path.join(staging, 'node_modules', ...request.identifier.split('/'));
    const installed = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as { bin?: unknown; mcpName?: string; name: string };
    // The tarball's package.json is what runs; check ownership there too, not only in the registry's metadata.
    checkOwnership(ctx, request.serverName, installed.mcpName, spec, true);
    const binRelative = chooseBin(installed, request.serverName, spec);
    const bin = path.join('node_modules', ...request.identifier.split('/'), binRelative);
    if (!existsSync(path.join(staging, bin))) {
      throw new McpmError('EPACKAGE', `${spec} declares the bin ${binRelative}, but the package does not contain it`, {
        hint: 'The package is broken; try another version.',
      });
    }
    const record = { identifier: request.identifier, version: request.version, integrity: manifest._integrity, resolved: manifest._resolved, bin, installedAt: new Date(ctx.now()).toISOString() };
    await writeFile(path.join(staging, INSTALL_RECORD), `${JSON.stringify(record, null, 2)}\n`);
    await mkdir(path.dirname(target), { recursive: true });
    failpoint('before-store-rename');
    try {
      await rename(staging, target);
      failpoint('after-store-rename');
    } catch (error) {
      // Another mcpm finished the same version first: theirs is whole, use it.
      if (!existsSync(path.join(target, INSTALL_RECORD))) throw error;
      return { storePath: target, bin: path.join(target, bin), integrity: manifest._integrity, added: false };
    }
    return { storePath: target, bin: path.join(target, bin), integrity: manifest._integrity, added: true };
  } finally {
    await done();
  }
}

/**
 * Says how the download goes while arborist works: npm's libraries report each request they make as a `log` event
 * (proc-log); the tarballs among them are the packages fetched.
 */
async function withFetchProgress<T>(ctx: Context, spec: string, fn: () => Promise<T>): Promise<T> {
  let fetched = 0;
  let cached = 0;
  const onLog = (level: string, ...args: unknown[]) => {
    if (level !== 'http' || typeof args[1] !== 'string' || !/\.tgz\b/.test(args[1])) return;
    if (/cache (hit|revalidated|stale)/.test(args[1])) cached++;
    else fetched++;
    ctx.out.progress(`Installing ${spec}: ${fetched} package${fetched === 1 ? '' : 's'} downloaded${cached ? `, ${cached} from the cache` : ''}`);
  };
  process.on('log', onLog);
  try {
    return await fn();
  } finally {
    process.off('log', onLog);
  }
}

/** npm package names (scoped or not), as validate-npm-package-name accepts them for existing packages. */
const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/i;

/**
 * The identifier, version and registry come from a registry entry, and npm reads a spec by its shape: `../x`,
 * `/abs`, `file:`, `github:u/r`, `git+...`, a URL or `npm:` would install a local folder, a git repository or any
 * tarball instead of a registry package. Only a package name, an exact version and an http(s) registry get through.
 */
export function assertRegistryPackage(request: Pick<NpmInstallRequest, 'serverName' | 'identifier' | 'version' | 'registryBaseUrl'>): void {
  const { identifier, version, registryBaseUrl, serverName } = request;
  const shown = (value: string) => JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}...` : value);
  if (typeof identifier !== 'string' || identifier.length > 214 || !NPM_NAME.test(identifier)) {
    throw new McpmError('EINVALIDNAME', `Refusing the npm package ${shown(String(identifier))} of ${serverName}: not an npm package name`, {
      hint: 'The registry entry is malformed or hostile; mcpm installs only packages named on an npm registry.',
    });
  }
  if (typeof version !== 'string' || version.length > 256 || semver.valid(version) !== version) {
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

function npmOptions(ctx: Context, request: NpmInstallRequest): NpmOptions {
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

function checkOwnership(ctx: Context, serverName: string, mcpName: string | undefined, spec: string, quiet = false): void {
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

function checkEngines(ctx: Context, request: NpmInstallRequest, range: string | undefined): void {
  if (!range || !semver.validRange(range) || semver.satisfies(process.version, range)) return;
  const message = `${request.identifier}@${request.version} wants node ${range}; entries will start it with node ${process.version} (${ctx.nodePath})`;
  if (request.engineStrict) throw new McpmError('EENGINE', message, { hint: 'Run mcpm with a node that satisfies it, or drop --engine-strict.' });
  ctx.out.warn(message);
}

/** Runs a pacote/arborist call and turns the npm errors people meet into McpmErrors. */
async function npmCall<T>(spec: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof McpmError) throw error;
    const code = (error as { code?: string }).code ?? '';
    const message = (error as Error).message ?? String(error);
    if (code === 'EINTEGRITY') {
      throw new McpmError('EINTEGRITY', `Integrity check failed for ${spec}: the downloaded tarball does not match the registry's checksum`, {
        hint: 'Nothing was installed. The download or the registry may have been tampered with; try again later or report it.',
        detail: message,
      });
    }
    if (/^EALLOW(GIT|REMOTE|FILE|DIRECTORY)$/.test(code)) {
      const kind = code.slice('EALLOW'.length).toLowerCase();
      const what = (error as { package?: string }).package ?? 'a dependency';
      throw new McpmError('EPACKAGE', `${spec} depends on ${what.length > 120 ? `${what.slice(0, 120)}...` : what}, a ${kind} package; mcpm installs only packages from an npm registry`, {
        hint: 'Nothing was installed. Such dependencies fetch code from outside the registry (and git would run); ask the package to depend on published packages.',
        detail: message,
      });
    }
    if (code === 'E404' || code === 'ETARGET') {
      throw new McpmError('EPACKAGE', `The npm registry has no ${spec} (${code})`, {
        hint: 'The registry entry may point at an unpublished package; try another version.',
        detail: message,
      });
    }
    if (code === 'E401' || code === 'E403') {
      throw new McpmError('EPACKAGE', `The npm registry refused ${spec} (${code})`, {
        hint: 'Check the auth token for that registry in your .npmrc.',
        detail: message,
      });
    }
    if (/^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN|ENETUNREACH|FETCH_ERROR)/.test(code) || /network|socket|timed? ?out/i.test(message)) {
      throw new McpmError('ENETWORK', `Could not download ${spec} (${code || 'network error'})`, {
        hint: 'Check your network and npm registry settings (.npmrc), then try again.',
        detail: message,
      });
    }
    throw new McpmError('EPACKAGE', `Installing ${spec} failed (${code || 'error'}): ${message.split('\n')[0]}`, {
      hint: 'Run again with --verbose for details.',
      detail: (error as Error).stack,
    });
  }
}

function lockMismatch(spec: string): McpmError {
  return new McpmError('EINTEGRITY', `${spec} no longer matches the integrity recorded in the lock file`, {
    hint: 'The published package changed or the registry is not the one the lock was made with; nothing was installed. Update the lock deliberately with `mcpm update`.',
  });
}
