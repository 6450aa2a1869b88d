import { defineCommand } from './spec.js';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { editorFor } from '../clients/editor.js';
import type { ClientLocation } from '../clients/locate.js';
import { samePath } from '../clients/paths.js';
import { clientKey } from '../clients/table.js';
import { readClientFile } from '../clients/write.js';
import { preferredRemote } from '../plan/remote.js';
import { parseNameSpec } from '../plan/version.js';
import { resolveVersion } from '../registry/resolve.js';
import { lookalikeWarning } from '../registry/lookalike.js';
import { defaultEntryKey } from '../registry/short-name.js';
import { assertSafe } from '../store/layout.js';
import type { LockedTree } from '../store/npm-install.js';
import { assertKeychain, secretsBackend } from '../state/keychain.js';
import { findInstalled, readState, type InstalledServer } from '../state/installed.js';
import { readAllSecrets } from '../state/secrets.js';
import { chooseInputs, parseArgAssignments, parseAssignments } from './inputs.js';
import { prepareSource, sourceEnvironment, sourceRequests, type PreparedSource } from './install-source.js';
import { applyInstall, type InstallPlan, type InstallTarget } from './install-apply.js';
import { chooseClients, locationOfEntry, parseScope } from './targets.js';

export interface InstallOptions {
  client?: string[];
  env?: string[];
  arg?: string[];
  as?: string;
  scope?: string;
  dryRun?: boolean;
  allowScripts?: boolean;
  engineStrict?: boolean;
  /** Write secret values into the client files too (the user asked, with a warning). */
  inlineSecrets?: boolean;
  /** `mcpm import`: the entry at the key is the user's hand-written one, replaced on purpose. */
  adopt?: boolean;
  /** npm, pypi, oci, nuget, mcpb or remote: which of the server's packages to install (default: see plan/source.ts). */
  packageType?: string;
  /** Installing from a lock file: the exact package integrity and dependency tree. */
  lock?: LockedTree;
  /** The range to record (update and lock installs pin a version but keep the range the user asked for). */
  recordRange?: string;
}

/** Resolves, plans and checks an install (nothing is written here), then hands the plan to applyInstall. */
export async function install(ctx: Context, spec: string, options: InstallOptions): Promise<unknown> {
  const { name, range } = parseNameSpec(spec);
  const scope = parseScope(options.scope);
  const state = readState(ctx);
  // A key or short name of something installed means that server: reinstalling it keeps its entries and inputs.
  const existing = findInstalled(state, name);
  const { chosen } = await resolveVersion(ctx, existing?.name ?? name, range);
  const server = chosen.server;
  if (chosen.meta.status === 'deprecated') ctx.out.warn(`${server.name}@${server.version} is deprecated by its registry`);
  const lookalike = lookalikeWarning(server.name, Object.keys(state.servers));
  if (lookalike) ctx.out.warn(lookalike);
  assertSafe(server.name, server.version);
  const sameServer = existing?.name === server.name ? existing : undefined;
  const given = {
    env: parseAssignments(ctx, '--env', options.env ?? [], true),
    args: parseArgAssignments(ctx, options.arg ?? []),
  };
  const source = await prepareSource(ctx, server, options.packageType, sameServer);

  // Inputs given before are kept, per profile: a server switched to another profile takes that profile's values.
  const sameProfile = sameServer && (sameServer.profile ?? 'default') === ctx.profile;
  const keptInputs = sameProfile ? { env: sameServer.env, args: sameServer.args } : sameServer?.inputsByProfile?.[ctx.profile] ?? { env: {}, args: {} };
  const kept = sameServer ? await readAllSecrets(ctx, sameServer.name, ctx.profile) : { env: {}, args: {} };
  const previous = { ...keptInputs, secretEnv: kept.env, secretArgs: kept.args };
  const requests = sourceRequests(source);
  const inputs = await chooseInputs(ctx, requests, given, previous);
  const secretNames = new Set(requests.filter((r) => r.isSecret).map((r) => r.name));
  const environment = sourceEnvironment(source, inputs, { ...inputs.args, ...inputs.secretArgs }, (name) => secretNames.has(name));
  if (secretsBackend(ctx) === 'keychain' && Object.keys(environment.secretEnv).length + Object.keys(inputs.secretArgs).length > 0) {
    // Only `mcpm run` can read a keychain at launch: it starts npm servers and bridges remote ones.
    if (source.kind !== 'npm' && source.kind !== 'remote') {
      throw new McpmError('EUNSUPPORTED', `The keychain backend keeps secrets for npm and remote servers; ${server.name} is a ${source.kind} package`, {
        hint: 'Install it with MCPM_SECRETS=file (the default), which its launcher reads.',
      });
    }
    await assertKeychain();
  }

  const baseKey = options.as ?? sameServer?.entries[0]?.key ?? defaultEntryKey(server.name);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(baseKey)) {
    throw new McpmError('EUSAGE', `"${baseKey}" cannot be an entry key`, { hint: 'Use letters, digits, ".", "_" and "-" with --as.' });
  }
  const locations = await targetLocations(ctx, options.client ?? [], scope, sameServer);
  const pending = state.pending?.[server.name]?.entries ?? [];
  const targets = withTransports(locations, source).map((target) => {
    const previousEntry = sameServer?.entries.find((e) => e.client === target.location.client.id && samePath(e.file, target.location.file));
    const key = previousEntry?.key ?? clientKey(target.location.client, options.as ?? baseKey);
    const resumed = pending.find((p) => p.client === target.location.client.id && samePath(p.file, target.location.file) && p.key === key);
    return { ...target, key, previousEntry, resumed: Boolean(resumed), resumedRecord: resumed?.record };
  });
  // Check every file before anything is downloaded or written: a failed install changes no file.
  if (!options.adopt) for (const target of targets) if (!target.resumed) await checkTarget(ctx, target, sameServer, state.servers, server.name);

  const plan: InstallPlan = {
    server: server.name,
    version: server.version,
    range: options.recordRange ?? range,
    registry: chosen.registry,
    scope,
    source: planSource(source, server.version, options.lock),
    key: baseKey,
    targets,
    env: environment.env,
    secretEnv: environment.secretEnv,
    args: inputs.args,
    secretArgs: inputs.secretArgs,
    previous: sameServer,
  };
  if (options.dryRun) return { dryRun: true, ...describePlan(plan) };
  return applyInstall(ctx, plan, { allowScripts: Boolean(options.allowScripts), engineStrict: Boolean(options.engineStrict), adopt: Boolean(options.adopt), inlineSecrets: Boolean(options.inlineSecrets) });
}

export function describePlan(plan: InstallPlan) {
  return {
    name: plan.server,
    version: plan.version,
    previousVersion: plan.previous?.version,
    registry: plan.registry,
    ...(plan.source.kind !== 'remote' ? { package: plan.source.package } : { remote: plan.source.remotes.map((r) => ({ type: r.type, url: r.url })) }),
    key: plan.key,
    scope: plan.scope,
    clients: plan.targets.map((t) => ({ client: t.location.client.id, file: t.location.file, key: t.key })),
    env: Object.keys(plan.env),
    secretEnv: Object.keys(plan.secretEnv),
    args: plan.args,
    ...(Object.keys(plan.secretArgs).length ? { secretArgs: Object.keys(plan.secretArgs) } : {}),
  };
}

/** What the plan (and the state) say about the chosen source. */
function planSource(source: PreparedSource, serverVersion: string, lock?: LockedTree): InstallPlan['source'] {
  if (source.kind === 'remote') return { kind: 'remote', remotes: source.remotes };
  const { pkg } = source;
  const record = {
    registryType: source.kind,
    identifier: pkg.identifier,
    version: pkg.version ?? serverVersion,
    ...(pkg.registryBaseUrl ? { registryBaseUrl: pkg.registryBaseUrl } : {}),
  };
  if (source.kind === 'npm') return { kind: 'npm', package: { ...record, registryType: 'npm' }, definition: pkg, lock };
  return { kind: 'package', package: record, definition: pkg, prepared: source };
}

/** Named clients, else the clients the server is already in, else the detected ones; plus its other entries. */
async function targetLocations(ctx: Context, requested: string[], scope: 'user' | 'project', installed: InstalledServer | undefined): Promise<ClientLocation[]> {
  const current = (installed?.entries ?? []).map(locationOfEntry);
  const locations = requested.length === 0 && current.length > 0 ? [] : await chooseClients(ctx, requested, scope);
  // Entries the server already has move to the new version too.
  for (const location of current) {
    if (!locations.some((l) => l.client.id === location.client.id && samePath(l.file, location.file))) locations.push(location);
  }
  return locations;
}

/**
 * For a remote server, each client gets the first transport it can speak from its file; a client that can speak
 * none (Claude Desktop holds no remote servers at all) gets a stdio entry starting `mcpm run`, which bridges to
 * the preferred transport.
 */
function withTransports(locations: ClientLocation[], source: PreparedSource): Array<Omit<InstallTarget, 'key' | 'previousEntry'>> {
  if (source.kind !== 'remote') return locations.map((location) => ({ location }));
  const bridged = preferredRemote(source.remotes)!;
  return locations.map((location) => {
    const remote = source.remotes.find((r) => location.client.remote?.transports.includes(r.type as 'streamable-http' | 'sse'));
    return remote ? { location, remote } : { location, remote: bridged, bridge: true };
  });
}

/**
 * A key held by an entry mcpm does not manage is never overwritten silently: without a TTY it is an error naming
 * --as; on a TTY the user may confirm replacing it (the entry is then mcpm's, like an adopted one).
 */
async function checkTarget(ctx: Context, target: InstallTarget, installed: InstalledServer | undefined, servers: Record<string, InstalledServer>, name: string): Promise<void> {
  const { location, key, previousEntry } = target;
  const text = await readClientFile(location);
  if (text === undefined || (previousEntry && previousEntry.key === key)) return;
  const held = editorFor(location.client.format).get(location.file, text, location.client.serversPath, key);
  if (held === undefined) return;
  const owner = Object.values(servers).find((s) => s.entries.some((e) => e.key === key && samePath(e.file, location.file)));
  const whose = owner ? `that mcpm installed for ${owner.name}` : 'that mcpm does not manage';
  if (owner && owner.name === name && installed) return;
  if (!owner && ctx.prompter.available && !ctx.options.json) {
    if (await ctx.prompter.confirm(`${location.client.name} already has an entry "${key}" that mcpm does not manage (${location.file}). Replace it?`, false)) {
      target.replace = true;
      return;
    }
  }
  throw new McpmError('ECONFLICT', `${location.client.name} already has an entry "${key}" ${whose} (${location.file})`, {
    hint: 'Choose another key with --as <key>; mcpm never overwrites an entry it does not own.',
  });
}

export const commands = [
  defineCommand({
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
      { flags: '--dry-run', description: 'print the plan and write nothing' },
      { flags: '--allow-scripts', description: 'run install scripts of the package and its dependencies (off by default)' },
      { flags: '--engine-strict', description: 'fail when the package\'s engines.node excludes the node that will run it' },
      { flags: '--inline-secrets', description: 'also write secret values into the client files (plaintext; a warning is printed)' },
    ],
    run: async (ctx, { args, options }) => {
      if (args.name === undefined) {
        const { installProject } = await import('./install-project.js');
        return { result: (await installProject(ctx, options)) as Record<string, unknown> };
      }
      return { result: (await install(ctx, args.name, options)) as Record<string, unknown> };
    },
    render: (result) => ('project' in result
      ? [`Installed ${String(result.project)}/mcpm-lock.json:`, ...(result.servers as Array<Record<string, unknown>>).map(renderInstall)].join('\n')
      : renderInstall(result)),
  }),
];

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
