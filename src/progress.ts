/**
 * Live progress on a terminal, through ora (loaded only when a terminal will show it): a spinner with the step under
 * way, lines that stay above it (a `check` result, say), and nothing at all under --json, CI or a pipe. The spinner
 * writes to stderr; stdout stays the result's.
 */
export interface Task {
  /** What is under way now. */
  text(text: string): void;
  /** A line that stays (printed above the spinner). */
  line(text: string): void;
  /** Ends the spinner (no line left behind). */
  stop(): void;
}

const QUIET: Task = { text: () => undefined, line: () => undefined, stop: () => undefined };

interface Spinner {
  text: string;
  start(): Spinner;
  stop(): Spinner;
  clear(): Spinner;
  render(): Spinner;
}

export function startTask(enabled: boolean, text: string, color: boolean): Task {
  if (!enabled) return QUIET;
  let spinner: Spinner | undefined;
  let stopped = false;
  let latest = text;
  const pending: string[] = [];
  void import('ora').then(({ default: ora }) => {
    if (stopped) return;
    // discardStdin: false keeps Ctrl-C a signal (see interrupt.ts), and stdin untouched for prompts.
    spinner = (ora({ text: latest, stream: process.stderr, discardStdin: false, color: color ? 'cyan' : false }) as unknown as Spinner).start();
    for (const line of pending.splice(0)) print(line);
  });
  const print = (line: string) => {
    if (!spinner) return void pending.push(line);
    spinner.clear();
    process.stderr.write(`${line}\n`);
    spinner.render();
  };
  return {
    text: (next) => {
      latest = next;
      if (spinner) spinner.text = next;
    },
    line: print,
    stop: () => {
      stopped = true;
      spinner?.stop();
      for (const line of pending.splice(0)) process.stderr.write(`${line}\n`);
    },
  };
}
