import path from 'node:path';

/** What path templates are resolved against. Passed in (never read from the process) so tests can give any OS. */
export interface PathEnv {
  platform: NodeJS.Platform;
  home: string;
  env: Record<string, string | undefined>;
  cwd: string;
}

/**
 * Resolves a path template: `~` is the home folder, `${VAR}` an environment variable, `${VAR:-fallback}` one with
 * a fallback (itself a template), `{cwd}` the current folder. Templates use `/`; the result uses the platform's
 * separator. A template whose variable is unset and has no fallback resolves to undefined.
 */
export function resolveTemplate(template: string, where: PathEnv): string | undefined {
  let unresolved = false;
  const expanded = template.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback?: string) => {
    const value = where.env[name];
    if (value) return value.replaceAll('\\', '/');
    if (fallback !== undefined) return resolveTemplate(fallback, where)?.replaceAll('\\', '/') ?? '';
    unresolved = true;
    return '';
  });
  if (unresolved) return undefined;
  const withHome = expanded.replace(/^~(?=\/|$)/, where.home.replaceAll('\\', '/')).replace(/^\{cwd\}/, where.cwd.replaceAll('\\', '/'));
  const flavour = where.platform === 'win32' ? path.win32 : path.posix;
  return flavour.normalize(withHome.split('/').join(flavour.sep));
}

export function platformKey(platform: NodeJS.Platform): 'darwin' | 'win32' | 'linux' {
  return platform === 'darwin' || platform === 'win32' ? platform : 'linux';
}
