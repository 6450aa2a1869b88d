import path from 'node:path';
import { fileURLToPath } from 'node:url';
import envPaths from 'env-paths';

/** Where mcpm keeps its own files. Documented in the README ("Where mcpm keeps its files"). */
export interface McpmPaths {
  /** Installed package versions: <store>/<namespace>/<name>/<version>/ */
  store: string;
  /** What is installed and which client entries mcpm manages (installed.json). */
  state: string;
  /** Secret inputs, one 0600 env file per server. */
  secrets: string;
  /** Registry responses and the npm package cache. */
  cache: string;
  /** The settings file (config.json). */
  configFile: string;
  /** What servers wrote into store versions that prune or uninstall removed: the user's data (store/server-data.ts). */
  kept: string;
}

export function resolvePaths(env: NodeJS.ProcessEnv): McpmPaths {
  const root = env.MCPM_HOME;
  if (root) {
    const base = path.resolve(root);
    return {
      store: path.join(base, 'store'),
      state: path.join(base, 'state'),
      secrets: path.join(base, 'secrets'),
      cache: path.join(base, 'cache'),
      configFile: path.join(base, 'config.json'),
      kept: path.join(base, 'kept'),
    };
  }
  // env-paths reads HOME and XDG_* from the process environment itself. mcpm's context is always the process
  // environment (tests start mcpm as a child process with their own HOME), so that is the same thing here.
  const dirs = envPaths('mcpm', { suffix: '' });
  return {
    store: path.join(dirs.data, 'store'),
    state: path.join(dirs.data, 'state'),
    secrets: path.join(dirs.data, 'secrets'),
    cache: dirs.cache,
    configFile: path.join(dirs.config, 'config.json'),
    kept: path.join(dirs.data, 'kept'),
  };
}

/**
 * mcpm's own launcher script (bin/mcpm.js), by absolute path: entries that start `mcpm run` name it directly, so a
 * client needs neither PATH nor a global install. Every built file sits directly in dist/ (and every source file in
 * src/), so the script is one folder up either way.
 */
export function mcpmScript(): string {
  return fileURLToPath(new URL('../bin/mcpm.js', import.meta.url));
}

/**
 * The environment an entry that starts `mcpm run` must carry for that mcpm to find this data folder when a client
 * starts it with a minimal environment (HOME, no XDG_* and no MCPM_HOME): MCPM_HOME when it is set, or when the
 * data folder is not the one HOME alone gives; nothing otherwise.
 */
export function dataFolderEnv(paths: McpmPaths, env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): Record<string, string> {
  const data = path.dirname(paths.state);
  if (env.MCPM_HOME) return { MCPM_HOME: data };
  const byHome: Partial<Record<NodeJS.Platform, string>> = {
    linux: path.join(home, '.local', 'share', 'mcpm'),
    darwin: path.join(home, 'Library', 'Application Support', 'mcpm'),
  };
  // On Windows the data folder follows LOCALAPPDATA, which every GUI app inherits, so it never needs passing.
  const expected = platform === 'win32' ? data : byHome[platform] ?? byHome.linux!;
  return path.resolve(expected) === path.resolve(data) ? {} : { MCPM_HOME: data };
}
