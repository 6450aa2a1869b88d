import { createContext } from './context.js';
import { fail, finish, printResult } from './exit.js';

/**
 * `mcpm list` as scripts and status bars run it, answered without building the whole CLI (commander and every
 * command's options): bin/mcpm.js comes here for `mcpm list` and `mcpm list --json` exactly, and the output is
 * the same as through the CLI.
 */
export async function fastList(json: boolean): Promise<void> {
  const globals = { json };
  try {
    const ctx = createContext(globals);
    const { list, renderList } = await import('./commands/list.js');
    const result = list(ctx);
    printResult(globals, result, renderList(result));
    finish(0);
  } catch (error) {
    fail(error, globals);
  }
}
