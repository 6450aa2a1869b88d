import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import type { Package } from '../registry/types.js';

/**
 * The programs other package types run through, found on PATH once, at install, and written into entries by
 * absolute path: a GUI client starts servers with a minimal environment (HOME and a PATH without these tools).
 * The path is kept as found, not resolved through symlinks: `/opt/homebrew/bin/uvx` survives an upgrade of uv,
 * the versioned folder it points into does not.
 */
const RUNTIMES = {
  pypi: {
    names: ['uvx'],
    missing: 'uv is not installed (no uvx on PATH)',
    hint: 'Install uv (https://docs.astral.sh/uv/getting-started/installation/), which provides uvx, then run the install again.',
  },
  oci: {
    names: ['docker', 'podman'],
    missing: 'no container engine is installed (neither docker nor podman is on PATH)',
    hint: 'Install Docker (https://docs.docker.com/get-docker/) or Podman (https://podman.io/docs/installation), then run the install again.',
  },
  nuget: {
    names: ['dnx'],
    missing: 'the .NET 10 SDK is not installed (no dnx on PATH)',
    hint: 'Install the .NET 10 SDK or later (https://dotnet.microsoft.com/download), which provides dnx, then run the install again.',
  },
} as const;

export type RuntimeType = keyof typeof RUNTIMES;

/** The first executable file named `name` in PATH's absolute folders (with PATHEXT on Windows). */
export function findOnPath(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  const folders = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':');
  const extensions = platform === 'win32' ? (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean) : [''];
  for (const folder of folders) {
    // A relative PATH entry ("." or "bin") would make the answer depend on the folder mcpm ran in.
    if (!path.isAbsolute(folder)) continue;
    for (const extension of extensions) {
      const candidate = path.join(folder, name + extension);
      if (isExecutable(candidate, platform)) return candidate;
    }
  }
  return undefined;
}

function isExecutable(file: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    if (platform !== 'win32') accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function runtimeError(type: RuntimeType): McpmError {
  return new McpmError('EUNSUPPORTED', `This server's ${type} package needs a runtime: ${RUNTIMES[type].missing}`, { hint: RUNTIMES[type].hint });
}

/** The absolute path of the runtime a package type needs, or EUNSUPPORTED saying how to get it. */
export function locateRuntime(ctx: Context, type: RuntimeType): string {
  for (const name of RUNTIMES[type].names) {
    const found = findOnPath(name, ctx.env, ctx.platform);
    if (found) return found;
  }
  throw runtimeError(type);
}

/** Why this machine cannot run a package, or undefined when it can (bundles are checked once downloaded). */
export function missingRuntime(ctx: Context, pkg: Package): McpmError | undefined {
  const type = pkg.registryType;
  if (type !== 'pypi' && type !== 'oci' && type !== 'nuget') return undefined;
  return RUNTIMES[type].names.some((name) => findOnPath(name, ctx.env, ctx.platform)) ? undefined : runtimeError(type);
}
