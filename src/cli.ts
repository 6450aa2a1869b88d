import { Command, CommanderError, Option } from 'commander';
import { createContext, type Context, type GlobalOptions } from './context.js';
import { EXIT_OK, EXIT_USAGE, McpmError } from './errors.js';
import { mcpmVersion } from './version.js';
import { printable } from './output.js';
import { fail, finish } from './exit.js';

/**
 * The only file that knows commander. Each command's module is imported when that command runs, so `mcpm --version`
 * and `mcpm list` never load pacote, arborist or the MCP SDK. Handlers return data; `finish` prints it once.
 */
type Handler = (ctx: Context) => Promise<{ result: unknown; text?: string; exitCode?: number } | { rawExitCode: number }>;

const collect = (value: string, previous: string[] = []) => [...previous, value];

export async function main(argv: string[]): Promise<void> {
  let globals: GlobalOptions = { json: argv.includes('--json') };
  let handler: Handler | undefined;
  let ownsStdout = false;
  const program = new Command('mcpm')
    .description('A package manager for MCP servers: pinned, verified installs written into your MCP clients\' config files.')
    .version(mcpmVersion(), '-V, --version', 'print the version of mcpm')
    .option('--json', 'print one JSON document on stdout: { ok, result } or { ok, error }')
    .option('--registry <urls>', 'registries to use, highest priority first (comma-separated; "embedded" is the built-in index)')
    .option('--timeout <ms>', 'how long to wait for a registry (default 5000; "5s" also works)')
    .option('-y, --yes', 'never prompt: take defaults, fail on what is missing')
    .option('--verbose', 'print details, including those of errors')
    .option('--profile <name>', 'the profile whose secrets and inputs to use (default: MCPM_PROFILE, then `mcpm profile use`)')
    .exitOverride()
    // Commander's own error lines are replaced by mcpm's one-line message + hint (or the JSON document).
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined });

  // Start-up: building every command's options costs more than running `mcpm list`. When the command line names a
  // command (and asks for no help), only that command is built for real; the others are inert stand-ins.
  const wanted = commandNamed(argv);
  if (wanted) {
    const realCommand = program.command.bind(program);
    (program as unknown as { command: (name: string) => Command }).command = (name: string) =>
      name.split(' ')[0] === wanted ? realCommand(name) : (INERT as unknown as Command);
  }

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
      .argument('[name]', 'full name, short name or entry key, optionally @range (memory, io.github.acme/github-posts@^1); none: install the project\'s mcpm-lock.json')
      .description('install a server into the store and add it to MCP clients')
      .option('--client <id>', 'a client to write (repeatable; "all" = every detected client)', collect)
      .option('--env <KEY[=VALUE]>', 'an environment input; without =VALUE it is read from your environment (repeatable)', collect)
      .option('--arg <NAME=VALUE>', 'an argument, a {variable}, a bundle setting, or a remote server\'s URL variable or header (repeatable; repeat a NAME for several values)', collect)
      .option('--package-type <type>', 'which of the server\'s packages to install: npm, pypi, oci, nuget, mcpb or remote (default: npm, then what this machine can run, then remote)')
      .option('--as <key>', 'the key of the entry in client files (default: the short name)')
      .option('--scope <scope>', '"user" (default) or "project": write the clients\' project files in this folder and record it in mcpm.json')
      .option('--dry-run', 'print the plan and write nothing')
      .option('--allow-scripts', 'run install scripts of the package and its dependencies (off by default)')
      .option('--engine-strict', 'fail when the package\'s engines.node excludes the node that will run it')
      .option('--inline-secrets', 'also write secret values into the client files (plaintext; a warning is printed)'),
    ([name], options) => async (ctx) => {
      if (name === undefined) {
        const { installProject } = await import('./commands/install-project.js');
        const result = await installProject(ctx, options);
        return { result, text: [`Installed ${result.project}/mcpm-lock.json:`, ...result.servers.map((s) => renderInstall(s as Record<string, unknown>))].join('\n') };
      }
      const { install } = await import('./commands/install.js');
      const result = (await install(ctx, name, options)) as Record<string, unknown>;
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

  register(
    program.command('outdated').argument('[names...]', 'servers to check (default: all)').description('installed version, the newest the recorded range allows, the newest of all')
      .option('--exit-code', 'exit 1 when something is outdated (for scripts)'),
    (names, options) => async (ctx) => {
      const { outdated, renderOutdated, isOutdated } = await import('./commands/outdated.js');
      const result = await outdated(ctx, (names as unknown as string[][])[0] ?? []);
      return { result, text: renderOutdated(result), exitCode: options.exitCode && result.some(isOutdated) ? 1 : 0 };
    },
  );

  register(
    program.command('update').argument('[names...]', 'servers to update (default: all)').description('update within the recorded range (--latest: to the newest, crossing it)')
      .option('--latest', 'move to the newest version even outside the recorded range'),
    (names, options) => async (ctx) => {
      const { update } = await import('./commands/update.js');
      const result = await update(ctx, (names as unknown as string[][])[0] ?? [], { latest: Boolean(options.latest) });
      const lines = result.updated.map((u) => `Updated ${u.name} ${u.from} -> ${u.to}`);
      return { result, text: lines.length ? lines.join('\n') : 'Everything is up to date.' };
    },
  );

  register(program.command('rollback').argument('<name>', 'full name, short name or entry key').description('return a server to the version installed before the last update'), ([name]) => async (ctx) => {
    const { rollback } = await import('./commands/update.js');
    const result = await rollback(ctx, name!);
    return { result, text: `Rolled ${result.name} back from ${result.from} to ${result.to}` };
  });

  register(program.command('prune').description('remove store versions that nothing references'), () => async (ctx) => {
    const { prune, renderPrune } = await import('./commands/prune.js');
    const result = await prune(ctx);
    return { result, text: renderPrune(result) };
  });

  const secrets = program.command('secrets').description('manage the secret inputs mcpm keeps for servers (values are never shown)');
  register(secrets.command('list').argument('[name]', 'one server (default: all)').description('secret names per server, the file and its mode'), ([name]) => async (ctx) => {
    const { listSecrets } = await import('./commands/secrets.js');
    const result = await listSecrets(ctx, name);
    return { result, text: result.map((r) => `${r.name}: ${r.keys.join(', ') || '(none)'}  ${r.file}${r.mode ? ` (${r.mode})` : ''}`).join('\n') || 'No servers installed.' };
  });
  register(secrets.command('set').argument('<name>', 'the server').argument('<KEY>', 'the variable').description('set a secret from a masked prompt or stdin (never from arguments)'), ([name, key]) => async (ctx) => {
    const { setSecret, readSecretValue } = await import('./commands/secrets.js');
    const result = await setSecret(ctx, name!, key!, () => readSecretValue(ctx, key!));
    return { result, text: `Set ${result.key} for ${result.name} (${result.file})` };
  });
  register(secrets.command('unset').argument('<name>', 'the server').argument('<KEY>', 'the variable').description('remove a secret'), ([name, key]) => async (ctx) => {
    const { unsetSecret } = await import('./commands/secrets.js');
    const result = await unsetSecret(ctx, name!, key!);
    return { result, text: `Removed ${result.key} from ${result.name}` };
  });

  register(
    program.command('check').argument('[names...]', 'servers to check (default: all)').description('start each server as each client\'s entry says, do the MCP handshake, list tools; or say why it fails'),
    (names) => async (ctx) => {
      const { check, renderCheck } = await import('./commands/check.js');
      const result = await check(ctx, (names as unknown as string[][])[0] ?? [], { timeoutMs: ctx.options.timeout ? ctx.timeoutMs : undefined });
      return { result, text: renderCheck(result), exitCode: result.every((r) => r.ok) ? 0 : 1 };
    },
  );

  register(
    program.command('doctor').description('find broken node paths, missing store versions, unparseable files, plaintext secrets, lock drift')
      .option('--fix', 'repair what can be repaired safely, and say what was done'),
    (_args, options) => async (ctx) => {
      const { doctor, renderDoctor } = await import('./commands/doctor.js');
      const result = await doctor(ctx, { fix: Boolean(options.fix) });
      return { result, text: renderDoctor(result), exitCode: result.ok ? 0 : 1 };
    },
  );

  const profile = program.command('profile').description('separate secrets and inputs for the same servers (work, personal)');
  register(profile.command('list').description('profiles, which is current, and the servers using each'), () => async (ctx) => {
    const { profiles } = await import('./commands/profile.js');
    const result = await profiles(ctx);
    return { result, text: result.map((p) => `${p.current ? '*' : ' '} ${p.name}${p.servers.length ? `  (${p.servers.join(', ')})` : ''}`).join('\n') };
  });
  register(profile.command('use').argument('<name>', 'the profile').description('make a profile current for later installs'), ([name]) => async (ctx) => {
    const { useProfile } = await import('./commands/profile.js');
    const result = await useProfile(ctx, name!);
    return { result, text: `Profile ${result.profile} is now current` };
  });

  // A group called without a subcommand prints its own help (on stderr, exit 2) instead of nothing.
  const group = (name: string, description: string) =>
    program.command(name).description(description).configureOutput({ writeErr: (text) => process.stderr.write(text), outputError: () => undefined });
  const registry = group('registry', 'the registries mcpm asks, their caches, and a registry server of your own');
  register(registry.command('list').alias('ls').description('the registries in effect, highest priority first, with their tokens (never shown) and caches'), () => async (ctx) => {
    const { registryList, renderRegistryList } = await import('./commands/registry.js');
    const result = registryList(ctx);
    return { result, text: renderRegistryList(result) };
  });
  register(
    registry
      .command('add')
      .argument('<url>', 'an MCP registry (v0.1 API), an http(s) URL or path of a static .json index, or "embedded"')
      .description('add a registry to config.json, first (highest priority) unless --last')
      .option('--name <name>', 'what to call it (default: from the URL)')
      .option('--token-env <VAR>', 'send the bearer token held in this environment variable (to this registry only)')
      .option('--token-stdin', 'read a bearer token from stdin (or a masked prompt) into mcpm\'s secret store')
      .option('--last', 'add it with the lowest priority instead'),
    ([url], options) => async (ctx) => {
      const { registryAdd } = await import('./commands/registry.js');
      const result = await registryAdd(ctx, url!, options);
      const token = result.tokenEnv ? `, token from $${result.tokenEnv}` : result.tokenStored ? ', token stored' : '';
      return { result, text: `${result.updated ? 'Updated' : 'Added'} registry ${result.name} (${result.url}${token}) at priority ${result.priority}: ${result.registries.join(', ')}` };
    },
  );
  register(registry.command('remove').alias('rm').argument('<name>', 'its name (or URL)').description('remove a registry from config.json, with its stored token and cache'), ([name]) => async (ctx) => {
    const { registryRemove } = await import('./commands/registry.js');
    const result = await registryRemove(ctx, name!);
    return { result, text: `Removed registry ${result.name} (${result.url}); registries now: ${result.registries.join(', ') || 'the defaults'}` };
  });
  register(
    registry.command('sync').argument('[names...]', 'registries to sync (default: every cached one in effect)').description('refresh the local cache of registries now').option('--full', 'fetch the whole listing again instead of the changes'),
    ([names], options) => async (ctx) => {
      const { registrySync, renderSync } = await import('./commands/registry-sync.js');
      const result = await registrySync(ctx, (names as unknown as string[] | undefined) ?? [], { full: Boolean(options.full) });
      return { result, text: renderSync(result) };
    },
  );
  register(
    registry
      .command('serve')
      .argument('<index-or-dir>', 'a static index (.json) or a folder of server.json files')
      .description('serve an index or a folder of server.json files over the v0.1 registry API, until Ctrl-C')
      .option('--port <port>', 'port to listen on (default 8765; 0 picks a free one)')
      .option('--host <address>', 'address to listen on (default 127.0.0.1)')
      .option('--token-env <VAR>', 'require this bearer token (read from the environment variable) on every request'),
    ([source], options) => async (ctx) => {
      const { registryServe } = await import('./commands/registry-serve.js');
      const result = await registryServe(ctx, source!, options);
      return { result, text: `Stopped after ${result.requests} requests` };
    },
  );

  const config = group('config', 'read and change mcpm\'s settings file (config.json)');
  register(config.command('list').alias('ls').description('every setting with its value and where it comes from'), () => async (ctx) => {
    const { configList, renderConfigList } = await import('./commands/config.js');
    const result = configList(ctx);
    return { result, text: renderConfigList(result) };
  });
  register(config.command('get').argument('<key>', 'registries, timeout or cacheTtl').description('print one setting'), ([key]) => async (ctx) => {
    const { configGet, renderValue } = await import('./commands/config.js');
    const result = configGet(ctx, key!);
    return { result, text: renderValue(result.value) };
  });
  register(config.command('set').argument('<key>', 'registries, timeout or cacheTtl').argument('<value>', 'the new value').description('change one setting'), ([key, value]) => async (ctx) => {
    const { configSet, renderValue } = await import('./commands/config.js');
    const result = await configSet(ctx, key!, value!);
    return { result, text: `${result.key} = ${renderValue(result.value)} (${result.file})` };
  });
  register(config.command('unset').argument('<key>', 'registries, timeout or cacheTtl').description('return one setting to its default'), ([key]) => async (ctx) => {
    const { configUnset, renderValue } = await import('./commands/config.js');
    const result = await configUnset(ctx, key!);
    return { result, text: `${result.key} = ${renderValue(result.value)} (default)` };
  });

  const cache = group('cache', 'mcpm\'s caches (registry data, npm packages)');
  register(cache.command('clean').description('empty mcpm\'s caches; registries are fetched again when next used'), () => async (ctx) => {
    const { cacheClean, renderCacheClean } = await import('./commands/cache.js');
    const result = await cacheClean(ctx);
    return { result, text: renderCacheClean(result) };
  });

  register(
    program
      .command('run')
      .argument('<name>', 'full name, short name or entry key')
      .argument('[args...]', 'extra arguments for the server, after --')
      .description('start an installed server as its client would (stdio), bridging a remote one to its URL'),
    ([name, extra]) => {
      // The server's protocol owns stdout from here: mcpm's own errors go to stderr even under --json.
      ownsStdout = true;
      return async (ctx) => {
        const { run } = await import('./commands/run.js');
        return { rawExitCode: await run(ctx, name!, (extra as unknown as string[] | undefined) ?? []) };
      };
    },
  );

  register(program.command('login').argument('<name>', 'full name, short name or entry key').description('authorize mcpm with a remote server (OAuth in your browser); the tokens go to the secret store'), ([name]) => async (ctx) => {
    const { login, renderLogin } = await import('./commands/login.js');
    const result = await login(ctx, name!);
    return { result, text: renderLogin(result) };
  });

  register(program.command('logout').argument('<name>', 'full name, short name or entry key').description('forget (and revoke, where the server allows) a remote server\'s OAuth tokens'), ([name]) => async (ctx) => {
    const { logout } = await import('./commands/login.js');
    const result = await logout(ctx, name!);
    return { result, text: result.removed ? `Signed out of ${result.name}${result.revoked ? ' (tokens revoked)' : ''}` : `${result.name} had no stored tokens` };
  });

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
    const outcome = await handler(ctx);
    // `run` owns stdout (the server's protocol bytes): there is no result to print, only an exit code to pass on.
    if ('rawExitCode' in outcome) return finish(outcome.rawExitCode);
    const { result, text, exitCode } = outcome;
    if (globals.json) process.stdout.write(`${JSON.stringify({ ok: true, result }, null, 2)}\n`);
    else if (text !== undefined) process.stdout.write(`${printable(text)}\n`);
    finish(exitCode ?? EXIT_OK);
  } catch (error) {
    fail(error, ownsStdout ? { ...globals, json: false } : globals);
  }
}

/** Accepts any chain of builder calls and does nothing: what a command that will not run is built as. */
const INERT: unknown = new Proxy(() => undefined, { get: (_target, key) => (key === 'then' ? undefined : () => INERT) });

/** Global options that take a value (their value is not a command name). */
const VALUE_OPTIONS = new Set(['--registry', '--timeout', '--profile']);

/**
 * The command a command line runs, when it is safe to build only that one: not for help, version or an empty line
 * (commander needs every command to describe them or to suggest a spelling).
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
    return KNOWN_COMMANDS.has(arg) ? ALIASES[arg] ?? arg : undefined;
  }
  return undefined;
}

/** Top-level commands by the name they are registered with; one missing here is simply built with all the others. */
const ALIASES: Record<string, string> = { ls: 'list', remove: 'uninstall' };
const KNOWN_COMMANDS = new Set(['search', 'info', 'install', 'list', 'ls', 'uninstall', 'remove', 'clients', 'enable', 'disable', 'import', 'outdated', 'update', 'rollback', 'prune', 'secrets', 'check', 'doctor', 'profile', 'registry', 'config', 'cache', 'run', 'login', 'logout']);


function renderInstall(result: Record<string, unknown>): string {
  if (result.dryRun) {
    const clients = (result.clients as Array<{ client: string; file: string }>).map((c) => `  ${c.client}: ${c.file}`).join('\n');
    const pkg = result.package as { registryType: string; identifier: string; version: string } | undefined;
    const remote = (result.remote as Array<{ type: string; url: string }> | undefined)?.[0];
    const what = pkg ? `${pkg.registryType} ${pkg.identifier}@${pkg.version}` : `remote ${remote?.type ?? ''} ${remote?.url ?? ''}`.trim();
    return `Would install ${String(result.name)}@${String(result.version)} (${what}) as "${String(result.key)}" into:\n${clients}`;
  }
  const clients = (result.clients as Array<{ client: string; file: string }>).map((c) => `${c.client} (${c.file})`).join(', ');
  const from = result.previousVersion ? ` (was ${String(result.previousVersion)})` : '';
  return `Installed ${String(result.name)}@${String(result.version)}${from} as "${String(result.key)}" in ${clients}`;
}

