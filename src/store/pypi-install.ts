import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { writeFileAtomicSafe } from '../fs/files.js';
import { INSTALL_RECORD, versionDir } from './layout.js';
import { runTool } from './tool.js';

export interface InstalledPypi {
  storePath: string;
  /** The uv cache in the store: the entry runs `uvx --cache-dir <this> --offline`. */
  cacheDir: string;
  /** The package's console scripts, to choose the command the entry runs. */
  scripts: string[];
  added: boolean;
}

// Run by `uvx --with pkg==version python` (uvx's documented form for a python with given packages): lists the
// package's console scripts, and building that environment is the pre-fetch: every wheel and index answer the
// entry's `uvx --offline --from pkg==version` resolves from lands in the cache. The package name arrives as an
// argument, never inside the code.
const LIST_SCRIPTS =
  "import importlib.metadata as m, json, sys; print(json.dumps(sorted({e.name for e in m.distribution(sys.argv[1]).entry_points if e.group == 'console_scripts'})))";

/**
 * Pre-fetches a pinned PyPI package with uv into a uv cache inside the store version folder, so the entry's first
 * start needs no network, and learns its console scripts. Not staged and renamed like npm: uv's environments hold
 * absolute paths, so the cache is filled in place and the version counts as installed only once its record is
 * written (atomically, last).
 */
export async function installPypiPackage(ctx: Context, request: { serverName: string; identifier: string; version: string; uvx: string }): Promise<InstalledPypi> {
  const target = versionDir(ctx.paths.store, request.serverName, request.version);
  const cacheDir = path.join(target, 'uv-cache');
  const recordFile = path.join(target, INSTALL_RECORD);
  // A cache deleted by hand is fetched again: the entry runs offline on it.
  if (existsSync(recordFile) && existsSync(cacheDir)) {
    const record = JSON.parse(await readFile(recordFile, 'utf8')) as { scripts?: string[] };
    return { storePath: target, cacheDir, scripts: record.scripts ?? [], added: false };
  }
  await checkUvVersion(ctx, request.uvx);
  const created = !existsSync(target);
  await mkdir(target, { recursive: true });
  const spec = `${request.identifier}==${request.version}`;
  try {
    ctx.out.progress(`Fetching ${spec} with uv`);
    const { stdout } = await runTool(request.uvx, ['--cache-dir', cacheDir, '--with', spec, 'python', '-c', LIST_SCRIPTS, request.identifier], {
      env: ctx.env,
      what: `Fetching ${spec} with uv`,
      hint: 'Check the package name and version on PyPI and your network or uv index settings; run with --verbose for uv\'s output.',
    });
    const scripts = parseScripts(stdout, spec);
    await writeFileAtomicSafe(recordFile, `${JSON.stringify({ registryType: 'pypi', identifier: request.identifier, version: request.version, scripts, installedAt: new Date(ctx.now()).toISOString() }, null, 2)}\n`);
    return { storePath: target, cacheDir, scripts, added: true };
  } catch (error) {
    if (created) await rm(target, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

/** Entries pass secrets with `uvx --env-file`, which uv has had since 0.6.10: an older uv would fail at first start. */
async function checkUvVersion(ctx: Context, uvx: string): Promise<void> {
  const hint = 'Upgrade uv (`uv self update`, or see https://docs.astral.sh/uv/getting-started/installation/), then run the install again.';
  const { stdout } = await runTool(uvx, ['--version'], { env: ctx.env, what: `Running ${uvx} --version`, hint, timeoutMs: 30_000 });
  const match = /\b(\d+)\.(\d+)\.(\d+)/.exec(stdout);
  if (!match) return;
  const [major, minor, patch] = match.slice(1).map(Number) as [number, number, number];
  if (major === 0 && (minor < 6 || (minor === 6 && patch < 10))) {
    throw new McpmError('EUNSUPPORTED', `uv ${match[0]} is too old: entries need uvx --env-file (uv 0.6.10 or later)`, { hint });
  }
}

function parseScripts(stdout: string, spec: string): string[] {
  const last = stdout.trim().split('\n').pop() ?? '';
  try {
    const value = JSON.parse(last) as unknown;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  } catch {
    // fall through
  }
  throw new McpmError('EPACKAGE', `Could not read the commands of ${spec} from its environment`, {
    hint: 'Run with --verbose to see what uv printed.',
    detail: stdout,
  });
}
