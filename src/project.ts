import { existsSync } from 'node:fs';
import path from 'node:path';

/** A project's `mcpm.json`: what the project asked for (see state/manifest.ts). */
export function manifestPath(projectDir: string): string {
  return path.join(projectDir, 'mcpm.json');
}

/** The nearest folder from `start` upwards that has an mcpm.json, as npm finds package.json. */
export function findProjectRoot(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(manifestPath(dir))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
