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
  const expanded = expand(template, where);
  if (expanded === undefined) return undefined;
  const withHome = expanded.replace(/^~(?=\/|$)/, where.home.replaceAll('\\', '/')).replace(/^\{cwd\}/, where.cwd.replaceAll('\\', '/'));
  const flavour = where.platform === 'win32' ? path.win32 : path.posix;
  return flavour.normalize(withHome.split('/').join(flavour.sep));
}

/** Expands `${VAR}` and `${VAR:-fallback}`, where a fallback may itself hold `${...}` (matched braces). */
function expand(template: string, where: PathEnv): string | undefined {
  return replaceVariables(template, (name, fallback) => {
    const value = where.env[name];
    if (value) return value.replaceAll('\\', '/');
    if (fallback === undefined) return undefined;
    return expand(fallback, where)?.replace(/^~(?=\/|$)/, where.home.replaceAll('\\', '/'));
  });
}

/**
 * Walks a path template, replacing each `${NAME}` or `${NAME:-fallback}` (a fallback may hold `${...}` itself:
 * braces are matched) by what `replace` gives; undefined from it makes the whole result undefined.
 */
export function replaceVariables(template: string, replace: (name: string, fallback: string | undefined) => string | undefined): string | undefined {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const start = template.indexOf('${', i);
    if (start === -1) return out + template.slice(i);
    out += template.slice(i, start);
    let depth = 1;
    let end = start + 2;
    for (; end < template.length && depth > 0; end++) {
      if (template.startsWith('${', end)) depth++, end++;
      else if (template[end] === '}') depth--;
    }
    const [name, fallback] = splitOnce(template.slice(start + 2, end - 1), ':-');
    const value = replace(name, fallback);
    if (value === undefined) return undefined;
    out += value;
    i = end;
  }
  return out;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + separator.length)];
}

export function platformKey(platform: NodeJS.Platform): 'darwin' | 'win32' | 'linux' {
  return platform === 'darwin' || platform === 'win32' ? platform : 'linux';
}

/** Whether two paths name the same file (as this machine resolves them). */
/** A file's identity for comparing locations: resolved, and case-folded where the file system usually is. */
export function pathKey(file: string): string {
  const resolved = path.resolve(file);
  return process.platform === 'win32' || process.platform === 'darwin' ? resolved.toLowerCase() : resolved;
}

export function samePath(a: string, b: string): boolean {
  return pathKey(a) === pathKey(b);
}
