import { startTask, type Task } from './progress.js';

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
  /** A note that matters even to scripts: printed at once, under --json too. */
  remind(message: string): void;
  /**
   * What to do after the command (restart a client whose file changed): said once each, after the result, so the
   * result is the first thing read. Printed under --json too (on stderr).
   */
  afterwards(message: string): void;
  /** Prints what `afterwards` collected (the CLI calls this once the result is out). */
  flush(): void;
  debug(message: string): void;
  /** The step under way: the live task's text on a terminal (see task), else a dim line on a TTY, else nothing. */
  progress(message: string): void;
  /** Starts live progress on a terminal (ora); a no-op under --json, CI or a pipe. One at a time. */
  task(text: string): Task;
  /** Bold/dim/etc. only when colour is on. */
  style(kind: Style, text: string): string;
}

type Style = 'bold' | 'dim' | 'yellow' | 'red' | 'green';

/**
 * Colour in a command's result, chosen where it is rendered (renderers have no context): a marker that the one
 * place printing results (exit.ts) turns into colour, or drops, after control characters are made printable.
 */
export function paint(kind: Style, text: string): string {
  return `\uE000${Object.keys(CODES).indexOf(kind)}${text}\uE001`;
}

/** Resolves paint() markers: colour when wanted, plain text otherwise. */
export function resolvePaint(text: string, colour: boolean): string {
  return text.replace(/\uE000(\d)([^\uE000\uE001]*)\uE001/g, (_, index: string, inner: string) => {
    const codes = Object.values(CODES)[Number(index)];
    return colour && codes ? `\u001b[${codes[0]}m${inner}\u001b[${codes[1]}m` : inner;
  });
}

const CODES = { bold: [1, 22], dim: [2, 22], yellow: [33, 39], red: [31, 39], green: [32, 39] } as const;

/**
 * Text for a terminal, with control characters (escape sequences, NUL, C1 codes) and bidirectional overrides shown
 * as `\u{..}` instead of acted on: names and descriptions come from registries, and a registry must not be able to
 * move the cursor, recolour or hide text, or reorder what the user reads. Line breaks and tabs stay.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

/**
 * Registry text inside a line (a table cell, a prompt, a description after a label): its line breaks become
 * spaces, so a description cannot start a line of its own and pass for a row, a field or a question.
 */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\t\u0085\u2028\u2029]+/g, ' ');
}

/** Colour or not, decided once: --no-color and NO_COLOR turn it off, FORCE_COLOR on, otherwise a TTY that is not CI. */
export function colourWanted(options: { noColor?: boolean; env: NodeJS.ProcessEnv; tty: boolean }): boolean {
  if (options.noColor) return false;
  if (options.env.FORCE_COLOR) return options.env.FORCE_COLOR !== '0';
  return options.tty && !('NO_COLOR' in options.env);
}

export function createOutput(options: { json: boolean; verbose: boolean; noColor?: boolean; env: NodeJS.ProcessEnv; stderr: NodeJS.WriteStream }): Output {
  const { env, stderr } = options;
  const tty = Boolean(stderr.isTTY) && !env.CI;
  const colour = colourWanted({ noColor: options.noColor, env, tty });
  const later: string[] = [];
  let current: Task | undefined;
  const style: Output['style'] = (kind, text) => (colour ? `\u001b[${CODES[kind][0]}m${text}\u001b[${CODES[kind][1]}m` : text);
  return {
    json: options.json,
    verbose: options.verbose,
    interactive: tty,
    warn: (message) => stderr.write(`${style('yellow', 'warning')} ${printable(message)}\n`),
    note: (message) => {
      if (!options.json) stderr.write(`${printable(message)}\n`);
    },
    remind: (message) => stderr.write(`${printable(message)}\n`),
    afterwards: (message) => {
      if (!later.includes(message)) later.push(message);
    },
    flush: () => {
      for (const message of later.splice(0)) stderr.write(`${printable(message)}\n`);
    },
    debug: (message) => {
      if (options.verbose) stderr.write(`${style('dim', printable(message))}\n`);
    },
    progress: (message) => {
      if (current) current.text(printable(message));
      else if (tty && !options.json) stderr.write(`${style('dim', printable(message))}\n`);
    },
    task: (text) => {
      current?.stop();
      const task = startTask(tty && !options.json, printable(text), colour);
      current = task;
      return {
        ...task,
        stop: () => {
          task.stop();
          if (current === task) current = undefined;
        },
      };
    },
    style,
  };
}
