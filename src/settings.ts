import { readFileSync } from 'node:fs';
import { McpmError } from './errors.js';

/** mcpm's settings file (config.json). Every key is optional; unknown keys are kept for later versions. */
export interface Settings {
  /** Registries, highest priority first: a comma-separated string or a list. "embedded" is the built-in index. */
  registries?: string | string[];
  /** Registry timeout in milliseconds. */
  timeout?: number;
  /** The current profile (`mcpm profile use`). */
  profile?: string;
}

export function readSettings(file: string): Settings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new McpmError('EFS', `Cannot read ${file} (${(error as NodeJS.ErrnoException).code})`, { hint: 'Check its permissions.' });
  }
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Settings) : {};
  } catch {
    throw new McpmError('EPARSE', `${file} is not valid JSON`, { hint: 'Fix the file or delete it to return to the defaults.' });
  }
}
