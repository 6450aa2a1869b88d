import { McpmError } from '../errors.js';
import { lastSegment } from '../registry/short-name.js';

/**
 * The bin a client should start, as `npx <package>` would choose it: the only one, else the one named like the
 * package (without scope), else the one named like the server.
 */
export function chooseBin(pkg: { name: string; bin?: unknown }, serverName: string, spec: string): string {
  const unscoped = pkg.name.slice(pkg.name.lastIndexOf('/') + 1);
  const bins: Record<string, string> =
    typeof pkg.bin === 'string' ? { [unscoped]: pkg.bin } : pkg.bin && typeof pkg.bin === 'object' ? (pkg.bin as Record<string, string>) : {};
  const names = Object.keys(bins);
  const chosen = names.length === 1 ? names[0] : names.find((n) => n === unscoped) ?? names.find((n) => n === lastSegment(serverName));
  const file = chosen ? bins[chosen] : undefined;
  if (!file || typeof file !== 'string') {
    throw new McpmError('EPACKAGE', names.length === 0 ? `${spec} has no bin to start` : `${spec} has several bins (${names.join(', ')}) and none is named like the package`, {
      hint: 'mcpm starts npm servers through their bin; this package cannot be started that way.',
    });
  }
  const normal = file.replaceAll('\\', '/').replace(/^\.\//, '');
  if (normal.startsWith('/') || normal.split('/').includes('..')) {
    throw new McpmError('EPACKAGE', `${spec} declares a bin outside its own folder (${file})`, { hint: 'Refusing to start it.' });
  }
  return normal;
}
