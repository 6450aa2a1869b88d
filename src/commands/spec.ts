import type { Context } from '../context.js';

/**
 * What a command declares about itself, beside its handler: its name, arguments, options, help and how its result
 * reads as text. cli.ts builds commander from these and nothing else; commands/index.ts is the one list of them.
 */
export interface CommandSpec<R = unknown> {
  /** `install`, or `<group> <sub>` for a group's subcommand (`registry add`). */
  name: string;
  /** Aliases of a subcommand (`registry ls`). A top-level command's aliases live in commands/index.ts. */
  aliases?: string[];
  description: string;
  /** In commander's syntax: `<name>` required, `[name]` optional, `[names...]` variadic. */
  arguments?: Array<[syntax: string, description: string]>;
  options?: OptionSpec[];
  /** The server's protocol owns stdout (`run`): mcpm's own errors go to stderr even under --json. */
  ownsStdout?: boolean;
  /** Not listed in help (`completion-server`, which the shell calls). */
  hidden?: boolean;
  /** The command handles SIGINT/SIGTERM itself (`run` forwards them, `registry serve` stops); see interrupt.ts. */
  ownsSignals?: boolean;
  run(ctx: Context, input: CommandInput): Promise<Outcome<R>>;
  /** The result as a person reads it (stdout). Without it, a successful command prints nothing. */
  render?(result: R, input: CommandInput): string;
}

export interface OptionSpec {
  /** In commander's syntax: `--client <id>`, `--dry-run`. */
  flags: string;
  description: string;
  /** Given several times, the values are collected in order. */
  repeatable?: boolean;
}

/** A group of subcommands (`mcpm registry ...`), declared by the module that holds them. */
export interface GroupSpec {
  name: string;
  description: string;
}

/** Positional arguments by their declared name (`args.name`, `args.names`), and the command's own options. */
export interface CommandInput {
  // Commander hands over untyped values; each command reads what it declared.
  args: Record<string, any>;
  options: Record<string, any>;
}

export type Outcome<R> = { result: R; exitCode?: number } | { rawExitCode: number };

/** What a command module exports. */
export interface CommandModule {
  commands: Array<CommandSpec<any>>;
  group?: GroupSpec;
}

/** Typed identity: lets `render` see the type `run` returns. */
export function defineCommand<R>(spec: CommandSpec<R>): CommandSpec<R> {
  return spec;
}

/** The name commander gives an argument declared as `<name>`, `[name]` or `[names...]`. */
export function argumentKey(syntax: string): string {
  return syntax.replace(/^[<[]|\.{3}|[>\]]$/g, '');
}
