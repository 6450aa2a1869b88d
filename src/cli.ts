import { Command, CommanderError, Option } from 'commander';
import { COMMANDS, commandFor } from './commands/index.js';
import { argumentKey, type CommandModule, type CommandSpec, type Outcome } from './commands/spec.js';
import { createContext, type Context, type GlobalOptions } from './context.js';
import { EXIT_OK, usageError } from './errors.js';
import { fail, finish, printResult } from './exit.js';
import { cancelled, handleInterrupts } from './interrupt.js';
import { mcpmVersion } from './version.js';

/**
 * The only file that knows commander. It builds the program from the command table (commands/index.ts and what
 * each command module declares), parses, runs the chosen handler with a context, and prints its result once.
 */
type Run = () => Promise<Outcome<unknown> & { text?: string; ctx: Context }>;

/** Global options that take a value: their value is never a command name. */
const VALUE_OPTIONS = new Set(['--registry', '--timeout', '--profile', '--project']);

export async function main(argv: string[]): Promise<void> {
  let globals: GlobalOptions = { json: argv.includes('--json') };
  let chosen: { spec: CommandSpec; run: Run } | undefined;
  const program = new Command('mcpm')
    .description('A package manager for MCP servers: pinned, verified installs written into your MCP clients\' config files.')
    .version(mcpmVersion(), '-V, --version', 'print the version of mcpm')
    .option('--json', 'print one JSON document on stdout: { ok, result } or { ok, error }')
    .option('--registry <urls>', 'registries to use, highest priority first (comma-separated names, URLs or paths; "embedded" is the built-in index)')
    .option('--timeout <ms>', 'how long to wait for a registry (default 5000; "5s" also works)')
    .option('-y, --yes', 'never prompt: take defaults, fail on what is missing')
    .option('--verbose', 'print details, including those of errors')
    .option('--profile <name>', 'the profile whose secrets and inputs to use (default: MCPM_PROFILE, then `mcpm profile use`)')
    .option('--project <dir>', 'the project whose files a command may touch besides your own (default: the nearest folder upwards with an mcpm.json)')
    .addOption(new Option('--no-color', 'no colour in the output (as NO_COLOR=1)'))
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    // Commander's own error lines are replaced by mcpm's one-line message + hint (or the JSON document).
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined });

  const choose = (spec: CommandSpec) => (...params: unknown[]) => {
    const actual = params[params.length - 1] as Command;
    globals = actual.optsWithGlobals() as GlobalOptions;
    const args = Object.fromEntries((spec.arguments ?? []).map(([syntax], i) => [argumentKey(syntax), params[i]]));
    const input = { args, options: actual.opts() };
    chosen = {
      spec,
      run: async () => {
        const ctx = createContext(globals);
        const outcome = await spec.run(ctx, input);
        return 'rawExitCode' in outcome || !spec.render ? { ...outcome, ctx } : { ...outcome, text: spec.render(outcome.result, input), ctx };
      },
    };
  };

  // Start-up: when the command line names a command (and asks for no help), only that command's module is loaded
  // and built; help, a typo or an empty line need them all (to list them or suggest a spelling).
  const named = commandNamed(argv);
  const modules = new Map<CommandModule, string[]>();
  for (const name of named ? [named] : Object.keys(COMMANDS)) {
    const module = await COMMANDS[name]!.load();
    modules.set(module, [...(modules.get(module) ?? []), name]);
  }
  for (const [module, names] of modules) register(program, module, names, choose);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return finish(EXIT_OK);
      // Bare `mcpm`, or a group without its subcommand (`mcpm secrets`): the usage, as asked for.
      if (error.code === 'commander.help') {
        process.stdout.write(groupNamed(program, named).helpInformation());
        return finish(EXIT_OK);
      }
      return fail(usageError(error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '), 'Run `mcpm help` or `mcpm help <command>` for usage.'), globals);
    }
    return fail(error, globals);
  }
  if (!chosen) return finish(EXIT_OK);
  // Ctrl-C while a command changes things: exit 130 promptly, files as they were (see interrupt.ts).
  if (!chosen.spec.ownsSignals) handleInterrupts(() => fail(cancelled(), chosen!.spec.ownsStdout ? { ...globals, json: false } : globals));
  try {
    const outcome = await chosen.run();
    if ('rawExitCode' in outcome) return finish(outcome.rawExitCode);
    printResult(globals, outcome.result, outcome.text);
    outcome.ctx.out.flush();
    finish(outcome.exitCode ?? EXIT_OK);
  } catch (error) {
    fail(error, chosen.spec.ownsStdout ? { ...globals, json: false } : globals);
  }
}

/** Adds a module's commands (those of `names`, top-level words) to the program, groups first. */
function register(program: Command, module: CommandModule, names: string[], choose: (spec: CommandSpec) => (...params: unknown[]) => void): void {
  const group = module.group ? program.command(module.group.name).description(module.group.description) : undefined;
  for (const spec of module.commands) {
    const [top, sub] = spec.name.split(' ') as [string, string | undefined];
    if (!names.includes(top)) continue;
    const parent = sub ? group! : program;
    const command = parent.command(sub ?? top, { hidden: Boolean(spec.hidden) }).description(spec.description);
    for (const alias of [...(spec.aliases ?? []), ...(sub ? [] : COMMANDS[top]?.aliases ?? [])]) command.alias(alias);
    for (const [syntax, description] of spec.arguments ?? []) command.argument(syntax, description);
    for (const option of spec.options ?? []) {
      // A `--no-x <value>` option starts out as commander's `true`: collect into a list either way.
      if (option.repeatable) command.option(option.flags, option.description, (value: string, previous: unknown) => [...(Array.isArray(previous) ? previous : []), value]);
      else command.option(option.flags, option.description);
    }
    command.action(choose(spec));
  }
}

/** The group a command line names (whose usage to print), else the program itself. */
function groupNamed(program: Command, named: string | undefined): Command {
  return program.commands.find((command) => command.name() === named && command.commands.length > 0) ?? program;
}

/**
 * The top-level command a command line runs, when it is safe to load only that one: not for help, version or an
 * empty line (commander needs every command to describe them or to suggest a spelling).
 */
function commandNamed(argv: string[]): string | undefined {
  if (argv.some((arg) => arg === '-h' || arg === '--help' || arg === '-V' || arg === '--version')) return undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg.startsWith('-')) {
      if (VALUE_OPTIONS.has(arg)) i++;
      continue;
    }
    return commandFor(arg);
  }
  return undefined;
}
