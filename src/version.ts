import { readFileSync } from 'node:fs';

/** mcpm's version, from its package.json (one folder up from dist/ and from src/ alike). */
export function mcpmVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
