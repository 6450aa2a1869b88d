import path from 'node:path';
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
  };
}
