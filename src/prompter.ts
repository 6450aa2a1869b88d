import { McpmError } from './errors.js';

/** The only way commands ask people things. Tests never see a TTY, so they never reach prompts. */
export interface Prompter {
  /** True when a person can answer: stdin and stderr are TTYs and --yes was not given. */
  readonly available: boolean;
  text(message: string, options?: { secret?: boolean; initial?: string }): Promise<string>;
  confirm(message: string, initial?: boolean): Promise<boolean>;
  select(message: string, choices: Array<{ title: string; value: string; description?: string }>): Promise<string>;
  multiselect(message: string, choices: Array<{ title: string; value: string; selected?: boolean }>): Promise<string[]>;
}

export function createPrompter(options: { yes: boolean }): Prompter {
  const available = Boolean(process.stdin.isTTY && process.stderr.isTTY) && !options.yes;
  async function ask<T>(question: Record<string, unknown>): Promise<T> {
    const { default: prompts } = await import('prompts');
    let cancelled = false;
    const answers = await prompts({ name: 'value', stdout: process.stderr, ...question } as never, {
      onCancel: () => {
        cancelled = true;
        return false;
      },
    });
    if (cancelled || answers.value === undefined) {
      throw new McpmError('ECANCELLED', 'Cancelled', { hint: 'Nothing was changed.' });
    }
    return answers.value as T;
  }
  return {
    available,
    text: (message, opts = {}) => ask({ type: opts.secret ? 'password' : 'text', message, initial: opts.initial }),
    confirm: (message, initial = true) => ask({ type: 'confirm', message, initial }),
    select: (message, choices) => ask({ type: 'select', message, choices }),
    multiselect: (message, choices) => ask({ type: 'multiselect', message, choices, instructions: false }),
  };
}
