import { readFile } from 'node:fs/promises';
import { isSafeVersion, isValidServerName } from './types.js';

/**
 * Strict validation of a server.json before it is written anywhere (published, served, mirrored): the server.json
 * schema of 2025-12-11 that ships with mcpm (server.schema.json beside this code), plus the rules mcpm itself holds
 * names and versions to (they become folder names). Reading stays lenient elsewhere; this is the writing side.
 * ajv is loaded here only, so commands that do not validate never pay for it (about 80 ms to compile the schema).
 */
export interface Problem {
  /** A JSON pointer into the server.json ("" for the whole document). */
  path: string;
  message: string;
}

export type Validator = (server: unknown) => Problem[];

let compiled: Promise<Validator> | undefined;

export function serverJsonValidator(): Promise<Validator> {
  compiled ??= compile();
  return compiled;
}

async function compile(): Promise<Validator> {
  const [ajvModule, formatsModule, schemaText] = await Promise.all([
    import('ajv'),
    import('ajv-formats'),
    readFile(new URL('./server.schema.json', import.meta.url), 'utf8'),
  ]);
  // Both are CommonJS whose module.exports is the function and carries itself as `.default`.
  const Ajv = ajvModule.default.default;
  const addFormats = formatsModule.default.default;
  // strict: false: the schema uses `example` keywords ajv does not know; they describe, they do not constrain.
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const check = ajv.compile(JSON.parse(schemaText) as object);
  return (server) => {
    const problems: Problem[] = check(server) ? [] : (check.errors ?? []).map((error: { instancePath: string; message?: string }) => ({ path: error.instancePath, message: error.message ?? 'is invalid' }));
    if (server && typeof server === 'object') {
      const { name, version } = server as { name?: unknown; version?: unknown };
      if (typeof name === 'string' && !isValidServerName(name)) problems.push({ path: '/name', message: 'must be namespace/name without "." or ".." segments' });
      if (typeof version === 'string') {
        if (version === 'latest' || /^[\^~<>=*]|\.[x*](\.|$)|\s/.test(version)) problems.push({ path: '/version', message: 'must be one exact version, not a range or "latest"' });
        else if (!isSafeVersion(version)) problems.push({ path: '/version', message: 'must be letters, digits, ".", "+", "_" or "-" (at most 100)' });
      }
    }
    return dedupe(problems);
  };
}

/** ajv reports each branch of an anyOf; one line per path and message is enough for a person. */
function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(`${p.path} ${p.message}`) && seen.add(`${p.path} ${p.message}`));
}

/** Problems as one line for an error message: the first few, and how many more. */
export function describeProblems(problems: Problem[], max = 3): string {
  const shown = problems.slice(0, max).map((p) => `${p.path || '(document)'} ${p.message}`);
  return `${shown.join('; ')}${problems.length > max ? `; and ${problems.length - max} more` : ''}`;
}
