import type { GlobalOptions } from './context.js';
import { McpmError, exitCodeFor } from './errors.js';
import { colourWanted, printable, resolvePaint } from './output.js';

/** The one way a result reaches stdout: the JSON document under --json, else the rendered text (coloured on a terminal). */
export function printResult(globals: GlobalOptions, result: unknown, text: string | undefined): void {
  if (globals.json) process.stdout.write(`${JSON.stringify({ ok: true, result }, null, 2)}\n`);
  else if (text !== undefined) {
    const colour = colourWanted({ noColor: globals.color === false, env: process.env, tty: Boolean(process.stdout.isTTY) && !process.env.CI });
    process.stdout.write(`${resolvePaint(printable(text), colour)}\n`);
  }
}

/** The one way mcpm ends with an error: a one-line message and a hint (or the JSON document), and its exit code. */
export function fail(error: unknown, globals: GlobalOptions): void {
  const known = error instanceof McpmError
    ? error
    : new McpmError('EINTERNAL', `Unexpected error: ${(error as Error)?.message ?? String(error)}`, { detail: (error as Error)?.stack });
  if (globals.json) {
    process.stdout.write(`${JSON.stringify({ ok: false, error: { code: known.code, message: known.message, hint: known.hint } }, null, 2)}\n`);
  } else {
    process.stderr.write(`mcpm: ${printable(known.message)}\n${known.hint ? `hint: ${printable(known.hint)}\n` : ''}`);
  }
  if (globals.verbose && known.detail) process.stderr.write(`${printable(known.detail)}\n`);
  finish(exitCodeFor(known));
}

/** Exit once stdout has drained: keep-alive sockets and lock timers must not hold the process open. */
export function finish(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
}
