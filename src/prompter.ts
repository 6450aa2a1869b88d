import { McpmError } from './errors.js';
import { oneLine, printable } from './output.js';

/** The only way commands ask people things. Tests never see a TTY, so they never reach prompts. */
export interface Prompter {
  /** True when a person can answer: stdin and stderr are TTYs and --yes was not given. */
  readonly available: boolean;
  text(message: string, options?: { secret?: boolean; initial?: string }): Promise<string>;
  confirm(message: string, initial?: boolean): Promise<boolean>;
  select(message: string, choices: Array<{ title: string; value: string; description?: string }>): Promise<string>;
  multiselect(message: string, choices: Array<{ title: string; value: string; selected?: boolean }>): Promise<string[]>;
}

/**
 * What a prompt shows, made safe to print: control characters shown as `\u{..}` (never acted on), and the text
 * of choices on one line. Registry text (a description, a server's summary) reaches people here too.
 */
export function promptable(question: { message: string; choices?: Array<{ title: string; description?: string }> }): typeof question {
  return {
    ...question,
    message: printable(question.message),
    ...(question.choices
      ? { choices: question.choices.map((c) => ({ ...c, title: printable(oneLine(c.title)), ...(c.description !== undefined ? { description: printable(oneLine(c.description)) } : {}) })) }
      : {}),
  };
}

/**
 * A prompter that asks nothing, for a caller nobody can answer (the ui's page, a report such as `outdated --tools`):
 * `available` is false, and a question asked anyway is ECANCELLED with the caller's reason.
 */
export function noPrompts(message: string, hint: string): Prompter {
  const refuse = async (): Promise<never> => {
    throw new McpmError('ECANCELLED', message, { hint });
  };
  return { available: false, text: refuse, confirm: refuse, select: refuse, multiselect: refuse };
}

export function createPrompter(options: { yes: boolean }): Prompter {
  const available = Boolean(process.stdin.isTTY && process.stderr.isTTY) && !options.yes;
  async function ask<T>(question: Record<string, unknown>): Promise<T> {
    const { default: prompts } = await import('prompts');
    let cancelled = false;
    const answers = await prompts({ name: 'value', stdout: process.stderr, ...promptable(question as { message: string }) } as never, {
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
