import type { Context } from '../context.js';
import { install, type InstallResult } from '../install/index.js';
import { renderPlan, type PlanDescription } from '../plan/describe.js';
import { defineCommand } from './spec.js';

type Outcome = InstallResult | PlanDescription | { project: string; servers: Array<InstallResult | PlanDescription> };

async function run(ctx: Context, name: string | undefined, options: Record<string, any>): Promise<Outcome> {
  if (name === undefined) {
    const { installProject } = await import('./install-project.js');
    return installProject(ctx, options);
  }
  return install(ctx, name, options);
}

export const commands = [
  defineCommand<Outcome>({
    name: 'install',
    description: 'install a server into the store and add it to MCP clients',
    arguments: [['[name]', 'full name, short name or entry key, optionally @range (memory, io.github.acme/github-posts@^1); none: install the project\'s mcpm-lock.json']],
    options: [
      { flags: '--client <id>', description: 'a client to write (repeatable; "all" = every detected client)', repeatable: true },
      { flags: '--env <KEY[=VALUE]>', description: 'an environment input; without =VALUE it is read from your environment (repeatable)', repeatable: true },
      { flags: '--arg <NAME=VALUE>', description: 'an argument, a {variable}, a bundle setting, or a remote server\'s URL variable or header (repeatable; repeat a NAME for several values)', repeatable: true },
      { flags: '--package-type <type>', description: 'which of the server\'s packages to install: npm, pypi, oci, nuget, mcpb or remote (default: npm, then what this machine can run, then remote)' },
      { flags: '--as <key>', description: 'the key of the entry in client files (default: the short name)' },
      { flags: '--scope <scope>', description: '"user" (default) or "project": write the clients\' project files in this folder and record it in mcpm.json' },
      { flags: '--dry-run', description: 'print the plan (every entry as it would be written) and write nothing' },
      { flags: '--allow-runtime-args', description: 'accept runtime options from the registry entry outside the safe set (docker mounts, ports, privileges; uvx indexes; dnx feeds)' },
      { flags: '--strict-inputs', description: 'a path input that does not exist is an error, not a warning' },
      { flags: '--allow-scripts', description: 'run install scripts of the package and its dependencies (off by default)' },
      { flags: '--engine-strict', description: 'fail when the package\'s engines.node excludes the node that will run it' },
      { flags: '--no-secret <NAME>', description: 'keep this input in plaintext although its name or value looks like a credential (repeatable)', repeatable: true },
      { flags: '--accept-tools', description: 'take a version whose tools differ from the installed version\'s pins although policy.block-on-drift is on' },
      { flags: '--inline-secrets', description: 'also write secret values into the client files (plaintext; a warning is printed)' },
    ],
    // commander files `--no-secret NAME` under `secret` (true when not given).
    run: async (ctx, { args, options }) => ({ result: await run(ctx, args.name, { ...options, typed: options.typed ?? true, noSecret: Array.isArray(options.secret) ? options.secret : [] }) }),
    render: (result) => ('project' in result ? [`Installed ${result.project}/mcpm-lock.json:`, ...result.servers.map(renderOne)].join('\n') : renderOne(result)),
  }),
];

function renderOne(result: InstallResult | PlanDescription): string {
  if ('dryRun' in result) return renderPlan(result);
  const clients = result.clients.map((c) => `${c.client} (${c.file})`).join(', ');
  const from = result.previousVersion ? ` (was ${result.previousVersion})` : '';
  return `Installed ${result.name}@${result.version}${from} as "${result.key}" in ${clients}`;
}
