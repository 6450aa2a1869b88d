import os from 'node:os';
import path from 'node:path';
import { findProjectRoot } from './project.js';
import { parseDuration } from './duration.js';
import { usageError } from './errors.js';
import { createOutput, type Output } from './output.js';
import { resolvePaths, type McpmPaths } from './paths.js';
import { createPrompter, type Prompter } from './prompter.js';
import { readSettings, type Settings } from './settings.js';

export interface GlobalOptions {
  json?: boolean;
  registry?: string;
  yes?: boolean;
  verbose?: boolean;
  timeout?: string;
  profile?: string;
  /** false for --no-color. */
  color?: boolean;
  /** --project: the project a command works on (default: the nearest folder upwards with an mcpm.json). */
  project?: string;
}

/** Everything environmental a command needs, built once by the CLI and passed down. */
export interface Context {
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  readonly cwd: string;
  readonly platform: NodeJS.Platform;
  readonly paths: McpmPaths;
  readonly options: GlobalOptions;
  readonly out: Output;
  readonly prompter: Prompter;
  /** The node binary client entries start servers with: the one running mcpm, by absolute path. */
  readonly nodePath: string;
  /** Registry timeout in milliseconds. */
  readonly timeoutMs: number;
  /** The profile whose secrets and inputs installs use: --profile, MCPM_PROFILE, the configuration, "default". */
  readonly profile: string;
  /** Whether the profile was chosen on this command line or environment (rather than being the current one). */
  readonly profileExplicit: boolean;
  /** How long cached registry data is used before the registry is asked again (MCPM_CACHE_TTL, cacheTtl). */
  readonly cacheTtlMs: number;
  settings(): Settings;
  /**
   * The project a command touches besides the user scope: --project, else the nearest folder from the current one
   * upwards that has an mcpm.json. Other projects' files are never touched.
   */
  readonly project: string | undefined;
  /** The clock (ms since the epoch). MCPM_NOW (an ISO date) fixes it, for tests of what depends on time. */
  now(): number;
}

const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_CACHE_TTL_MS = 5 * 60_000;

export function createContext(options: GlobalOptions): Context {
  const env = process.env;
  const paths = resolvePaths(env);
  let settings: Settings | undefined;
  const readOnce = () => (settings ??= readSettings(paths.configFile));
  return {
    env,
    home: os.homedir(),
    cwd: process.cwd(),
    platform: process.platform,
    paths,
    options,
    out: createOutput({ json: Boolean(options.json), verbose: Boolean(options.verbose), noColor: options.color === false, env, stderr: process.stderr }),
    prompter: createPrompter({ yes: Boolean(options.yes) }),
    nodePath: process.execPath,
    get timeoutMs() {
      return parseTimeout(options.timeout ?? env.MCPM_TIMEOUT, readOnce().timeout);
    },
    get profile() {
      return checkProfile(options.profile ?? env.MCPM_PROFILE ?? readOnce().profile ?? 'default');
    },
    profileExplicit: Boolean(options.profile ?? env.MCPM_PROFILE),
    get cacheTtlMs() {
      return parseCacheTtl(env.MCPM_CACHE_TTL, readOnce().cacheTtl);
    },
    settings: readOnce,
    now: clock(env.MCPM_NOW),
    // `this`: a context derived for another folder (deriveContext) finds that folder's project.
    get project(): string | undefined {
      const cwd = (this as Context).cwd;
      return options.project !== undefined ? path.resolve(cwd, options.project) : findProjectRoot(cwd);
    },
  };
}

function clock(fixed: string | undefined): () => number {
  if (fixed === undefined || fixed === '') return Date.now;
  const ms = Date.parse(fixed);
  if (Number.isNaN(ms)) throw usageError(`Invalid MCPM_NOW "${fixed}"`, 'Give an ISO date (2026-01-31T12:00:00Z), or unset it.');
  return () => ms;
}

function parseTimeout(flag: string | undefined, configured: number | undefined): number {
  if (flag === undefined) return typeof configured === 'number' && configured > 0 ? configured : DEFAULT_TIMEOUT_MS;
  const value = parseDuration(flag);
  if (value === undefined) throw usageError(`Invalid timeout "${flag}"`, 'Give milliseconds (5000, 500ms) or seconds (5s).');
  return Math.max(1, value);
}

/** 0 is allowed: always ask the registry (the cache is then only the fallback when it is down). */
function parseCacheTtl(variable: string | undefined, configured: number | undefined): number {
  if (variable === undefined || variable === '') return typeof configured === 'number' && configured >= 0 ? configured : DEFAULT_CACHE_TTL_MS;
  const value = parseDuration(variable);
  if (value === undefined) throw usageError(`Invalid MCPM_CACHE_TTL "${variable}"`, 'Give a duration: 0, 30s, 5m, 1h.');
  return value;
}

export function checkProfile(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name)) {
    throw usageError(`Invalid profile name "${name}"`, 'Use letters, digits, "-" and "_" (work, personal).');
  }
  return name;
}

/** The same context seen from another folder or with other registries (getters such as timeoutMs keep working). */
export function deriveContext(ctx: Context, change: { cwd?: string; registry?: string; cacheTtlMs?: number }): Context {
  return Object.create(ctx, {
    ...(change.cacheTtlMs !== undefined ? { cacheTtlMs: { value: change.cacheTtlMs } } : {}),
    ...(change.cwd ? { cwd: { value: change.cwd } } : {}),
    ...(change.registry ? { options: { value: { ...ctx.options, registry: change.registry } } } : {}),
  }) as Context;
}
