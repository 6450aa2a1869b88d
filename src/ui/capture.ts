import type { Context } from '../context.js';
import type { Output } from '../output.js';
import { noPrompts } from '../prompter.js';

/** What a command said while it ran for the page: the same lines the terminal would show, by kind. */
export interface Said {
  kind: 'warning' | 'note' | 'progress' | 'afterwards';
  text: string;
}

/**
 * The context a command runs in for the page: the server's own (paths, registries, profile, clock), with output
 * collected instead of printed and no prompter: the page's form has already asked everything a prompt would.
 */
export function pageContext(ctx: Context, listen: (said: Said) => void = () => undefined): { ctx: Context; said: Said[] } {
  const said: Said[] = [];
  const add = (kind: Said['kind'], text: string) => {
    const item = { kind, text };
    said.push(item);
    listen(item);
  };
  const out: Output = {
    json: false,
    verbose: false,
    interactive: false,
    warn: (text) => add('warning', text),
    note: (text) => add('note', text),
    remind: (text) => add('note', text),
    afterwards: (text) => {
      if (!said.some((s) => s.kind === 'afterwards' && s.text === text)) add('afterwards', text);
    },
    flush: () => undefined,
    debug: () => undefined,
    progress: (text) => add('progress', text),
    task: (text) => {
      add('progress', text);
      return { text: (next) => add('progress', next), line: (line) => add('note', line), stop: () => undefined };
    },
    style: (_kind, text) => text,
  };
  return { ctx: Object.create(ctx, { out: { value: out }, prompter: { value: NO_PROMPTS } }) as Context, said };
}

const NO_PROMPTS = noPrompts('The page cannot answer a question here', 'Nothing was changed.');
