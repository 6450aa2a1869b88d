/**
 * Where text for people goes. Results go to stdout (printed once by the CLI); notes and warnings go to stderr.
 * Warnings are always printed; notes are quiet under --json; progress and colour only on a TTY that is not CI and
 * has no NO_COLOR. Decided once, here.
 */
export interface Output {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly interactive: boolean;
  warn(message: string): void;
  note(message: string): void;
  /** A note that matters even to scripts (restart the client): printed under --json too. */
  remind(message: string): void;
  debug(message: string): void;
  progress(message: string): void;
  /** Bold/dim/etc. only when colour is on. */
  style(kind: 'bold' | 'dim' | 'yellow' | 'red' | 'green', text: string): string;
}

const CODES = { bold: [1, 22], dim: [2, 22], yellow: [33, 39], red: [31, 39], green: [32, 39] } as const;

export function createOutput(options: { json: boolean; verbose: boolean; env: NodeJS.ProcessEnv; stderr: NodeJS.WriteStream }): Output {
  const { env, stderr } = options;
  const tty = Boolean(stderr.isTTY) && !env.CI;
  const colour = env.FORCE_COLOR ? env.FORCE_COLOR !== '0' : tty && !('NO_COLOR' in env);
  const style: Output['style'] = (kind, text) => (colour ? `\u001b[${CODES[kind][0]}m${text}\u001b[${CODES[kind][1]}m` : text);
  return {
    json: options.json,
    verbose: options.verbose,
    interactive: tty,
    warn: (message) => stderr.write(`${style('yellow', 'warning')} ${message}\n`),
    note: (message) => {
      if (!options.json) stderr.write(`${message}\n`);
    },
    remind: (message) => stderr.write(`${message}\n`),
    debug: (message) => {
      if (options.verbose) stderr.write(`${style('dim', message)}\n`);
    },
    progress: (message) => {
      if (tty && !options.json) stderr.write(`${style('dim', message)}\n`);
    },
    style,
  };
}
