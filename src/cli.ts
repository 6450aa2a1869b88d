import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { createContext, type Context, type GlobalOptions } from './context.js';
import { EXIT_OK, EXIT_USAGE, McpmError, exitCodeFor } from './errors.js';
import { printable } from './output.js';

/**
 * The only file that knows commander. Each command's module is imported when that command runs, so `mcpm --version`
 * and `mcpm list` never load pacote, arborist or the MCP SDK. Handlers return data; `finish` prints it once.
 */
type Handler = (ctx: Context) => Promise<{ result: unknown; text?: string }>;

const collect = (value: string, previous: string[] = []) => [...previous, value];

export async function main(argv: string[]): Promise<void> {
  let globals: GlobalOptions = { json: argv.includes('--json') };
  let handler: Handler | undefined;
  const program = new Command('mcpm')
    .description('A package manager for MCP servers: pinned, verified installs written into your MCP clients\' config files.')
    .version(readVersion(), '-V, --version', 'print the version of mcpm')
    .option('--json', 'print one JSON document on stdout: { ok, result } or { ok, error }')
    .option('--registry <urls>', 'registries to use, highest priority first (comma-separated; "embedded" is the built-in index)')
    .option('--timeout <ms>', 'how long to wait for a registry (default 5000; "5s" also works)')
    .option('-y, --yes', 'never prompt: take defaults, fail on what is missing')
    .option('--verbose', 'print details, including those of errors')
    .exitOverride()
    // Commander's own error lines are replaced by mcpm's one-line message + hint (or the JSON document).
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined });

  const register = (command: Command, make: (args: string[], options: Record<string, unknown>) => Handler) =>
    command.action((...params: unknown[]) => {
      const cmd = params[params.length - 1] as Command;
      globals = cmd.optsWithGlobals() as GlobalOptions;
      handler = make(params.slice(0, -2) as string[], cmd.opts());
    });

  register(program.command('search').argument('<query>', 'words to look for in server names').description('search the registries for MCP servers'), ([query]) => async (ctx) => {
    const { search, renderSearch } = await import('./commands/search.js');
    const hits = await search(ctx, query!);
    return { result: hits, text: renderSearch(hits) };
  });

  register(program.command('info').argument('<name>', 'full name, short name or entry key, optionally @range').description('show a server\'s versions, packages and inputs'), ([name]) => async (ctx) => {
    const { info, renderInfo } = await import('./commands/info.js');
    const result = await info(ctx, name!);
    return { result, text: renderInfo(result) };
  });

  register(
    program
      .command('install')
      .argument('<name>', 'full name, short name or entry key, optionally @range (memory, io.github.acme/github-posts@^1)')
      .description('install a server into the store and add it to MCP clients')
      .option('--client <id>', 'a client to write (repeatable; "all" = every detected client)', collect)
      .option('--env <KEY[=VALUE]>', 'an environment input; without =VALUE it is read from your environment (repeatable)', collect)
      .option('--arg <NAME=VALUE>', 'a package argument, or a remote server\'s URL variable or header (repeatable)', collect)
      .option('--as <key>', 'the key of the entry in client files (default: the short name)')
      .option('--scope <scope>', '"user" (default) or "project": write the clients\' project files in this folder and record it in mcpm.json')
      .option('--dry-run', 'print the plan and write nothing')
      .option('--allow-scripts', 'run install scripts of the package and its dependencies (off by default)')
      .option('--engine-strict', 'fail when the package\'s engines.node excludes the node that will run it'),
    ([name], options) => async (ctx) => {
      const { install } = await import('./commands/install.js');
      const result = (await install(ctx, name!, options)) as Record<string, unknown>;
      return { result, text: renderInstall(result) };
    },
  );

  register(program.command('list').alias('ls').description('list installed servers, their versions and clients'), () => async (ctx) => {
    const { list, renderList } = await import('./commands/list.js');
    const result = list(ctx);
    return { result, text: renderList(result) };
  });

  register(
    program.command('uninstall').alias('remove').argument('<name>', 'full name, short name or entry key').description('remove a server from every client, the state and the store'),
    ([name]) => async (ctx) => {
      const { uninstall } = await import('./commands/uninstall.js');
      const result = await uninstall(ctx, name!);
      return { result, text: `Removed ${result.name}@${result.version}${result.removed.length ? ` from ${result.removed.map((r) => r.client).join(', ')}` : ''}` };
    },
  );

  register(program.command('clients').description('list the MCP clients mcpm knows, whether each is detected, and its file'), () => async (ctx) => {
    const { clients, renderClients } = await import('./commands/clients.js');
    const result = clients(ctx);
    return { result, text: renderClients(result) };
  });

  for (const [verb, enable] of [['enable', true], ['disable', false]] as const) {
    register(
      program
        .command(verb)
        .argument('<name>', 'full name, short name or entry key')
        .description(`${verb} an installed server in its clients (the client's own switch where it has one)`)
        .option('--client <id>', 'only this client (repeatable)', collect),
      ([name], options) => async (ctx) => {
        const { setEnabled } = await import('./commands/toggle.js');
        const result = await setEnabled(ctx, name!, enable, (options.client as string[] | undefined) ?? []);
        return { result, text: `${enable ? 'Enabled' : 'Disabled'} ${result.name}${result.clients.length ? ` in ${result.clients.map((c) => c.client).join(', ')}` : ' (nothing to change)'}` };
      },
    );
  }

  register(
    program
      .command('import')
      .description('find entries mcpm did not write, match them to registry servers, and adopt them on request')
      .option('--client <id>', 'only this client (repeatable; default: every detected client)', collect)
      .option('--adopt', 'install every matched entry into the store and replace it (keeps its key and env values)'),
    (_args, options) => async (ctx) => {
      const { importEntries, renderImport } = await import('./commands/import.js');
      const result = await importEntries(ctx, { client: options.client as string[] | undefined, adopt: Boolean(options.adopt) });
      return { result, text: renderImport(result) };
    },
  );

  program.addOption(new Option('--no-color', 'same as NO_COLOR=1').hideHelp());

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return finish(EXIT_OK);
      if (error.code === 'commander.help') return finish(EXIT_USAGE);
      return fail(new McpmError('EUSAGE', error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '), { hint: 'Run `mcpm help` or `mcpm help <command>` for usage.' }), globals);
    }
    return fail(error, globals);
  }
  if (!handler) {
    process.stderr.write(program.helpInformation());
    return finish(EXIT_USAGE);
  }
  try {
    const ctx = createContext(globals);
    const { result, text } = await handler(ctx);
    if (globals.json) process.stdout.write(`${JSON.stringify({ ok: true, result }, null, 2)}\n`);
    else if (text !== undefined) process.stdout.write(`${printable(text)}\n`);
    finish(EXIT_OK);
  } catch (error) {
    fail(error, globals);
  }
}

function fail(error: unknown, globals: GlobalOptions): void {
  const known = error instanceof McpmError
    ? error
    : new McpmError('EINTERNAL', `Unexpected error: ${(error as Error)?.message ?? String(error)}`, {
        hint: 'This is a bug in mcpm. Please file it (see the README) with the output of the same command run with --verbose.',
        detail: (error as Error)?.stack,
      });
  if (globals.json) {
    process.stdout.write(`${JSON.stringify({ ok: false, error: { code: known.code, message: known.message, hint: known.hint } }, null, 2)}\n`);
  } else {
    process.stderr.write(`mcpm: ${printable(known.message)}\n${known.hint ? `hint: ${printable(known.hint)}\n` : ''}`);
  }
  if (globals.verbose && known.detail) process.stderr.write(`${printable(known.detail)}\n`);
  finish(exitCodeFor(known));
}

/** Exit once stdout has drained: keep-alive sockets and lock timers must not hold the process open. */
function finish(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
}

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function renderInstall(result: Record<string, unknown>): string {
  if (result.dryRun) {
    const clients = (result.clients as Array<{ client: string; file: string }>).map((c) => `  ${c.client}: ${c.file}`).join('\n');
    const pkg = result.package as { identifier: string; version: string };
    return `Would install ${String(result.name)}@${String(result.version)} (npm ${pkg.identifier}@${pkg.version}) as "${String(result.key)}" into:\n${clients}`;
  }
  const clients = (result.clients as Array<{ client: string; file: string }>).map((c) => `${c.client} (${c.file})`).join(', ');
  const from = result.previousVersion ? ` (was ${String(result.previousVersion)})` : '';
  return `Installed ${String(result.name)}@${String(result.version)}${from} as "${String(result.key)}" in ${clients}`;
}

