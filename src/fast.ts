import { createContext } from './context.js';
import { fail, finish, printResult } from './exit.js';

/**
 * Entry points for the commands whose start-up matters most, answered without building the whole CLI (commander and
 * every command's options, ~40 ms): bin/mcpm.js comes here only for the exact command lines below, and the output,
 * errors and exit codes are the same as through the CLI (test/startup.test.ts compares them).
 */

/** `mcpm list` and `mcpm list --json`, as scripts and status bars run them. */
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

/**
 * `mcpm run <name>` and `mcpm run <name> -- args...` as client entries run it, at every start of the client: the
 * server's start-up is the user's wait, so mcpm's share of it is kept to a node start and the state read.
 */
export async function fastRun(name: string, extra: string[]): Promise<void> {
  const globals = {};
  try {
    const ctx = createContext(globals);
    const { run } = await import('./commands/run.js');
    finish(await run(ctx, name, extra));
  } catch (error) {
    fail(error, globals);
  }
}
