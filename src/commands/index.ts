import type { CommandModule } from './spec.js';

/**
 * Every top-level command, and the module that declares it (with its options, help and renderer). The only list of
 * commands: the CLI builds commander from it, loading just the module a command line names, so `mcpm list` never
 * loads another command's code. Aliases route a word to the command it stands for.
 */
export interface CommandEntry {
  load: () => Promise<CommandModule>;
  aliases?: string[];
}

export const COMMANDS: Record<string, CommandEntry> = {
  search: { load: () => import('./search.js') },
  info: { load: () => import('./info.js') },
  install: { load: () => import('./install.js') },
  list: { load: () => import('./list.js'), aliases: ['ls'] },
  uninstall: { load: () => import('./uninstall.js'), aliases: ['remove'] },
  clients: { load: () => import('./clients.js') },
  enable: { load: () => import('./toggle.js') },
  disable: { load: () => import('./toggle.js') },
  import: { load: () => import('./import.js') },
  outdated: { load: () => import('./outdated.js') },
  update: { load: () => import('./update.js') },
  rollback: { load: () => import('./update.js') },
  prune: { load: () => import('./prune.js') },
  secrets: { load: () => import('./secrets.js') },
  check: { load: () => import('./check.js') },
  doctor: { load: () => import('./doctor.js') },
  profile: { load: () => import('./profile.js') },
  registry: { load: () => import('./registry.js') },
  publish: { load: () => import('./publish.js') },
  status: { load: () => import('./status.js') },
  config: { load: () => import('./config.js') },
  cache: { load: () => import('./cache.js') },
  run: { load: () => import('./run.js') },
  trust: { load: () => import('./trust.js') },
  audit: { load: () => import('./audit.js') },
  login: { load: () => import('./login.js') },
  logout: { load: () => import('./login.js') },
  completion: { load: () => import('./completion.js') },
  serve: { load: () => import('./serve.js') },
  tools: { load: () => import('./tools.js') },
  gateway: { load: () => import('./gateway.js') },
  'completion-server': { load: () => import('./completion.js') },
  ui: { load: () => import('./ui.js') },
};

/** The command a word names, through aliases; undefined for a word that is no command. */
export function commandFor(word: string): string | undefined {
  if (Object.hasOwn(COMMANDS, word)) return word;
  return Object.keys(COMMANDS).find((name) => COMMANDS[name]!.aliases?.includes(word));
}
