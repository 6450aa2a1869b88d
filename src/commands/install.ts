import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { editorFor } from '../clients/editor.js';
import type { ClientLocation } from '../clients/locate.js';
import { samePath } from '../clients/paths.js';
import { clientKey } from '../clients/table.js';
import { readClientFile } from '../clients/write.js';
import { fixedEnvironment, inputRequests } from '../plan/inputs.js';
import { remoteInputRequests } from '../plan/remote.js';
import { parseNameSpec, selectVersion } from '../plan/version.js';
import { lookalikeWarning } from '../registry/lookalike.js';
import { resolveServer } from '../registry/resolve.js';
import { defaultEntryKey } from '../registry/short-name.js';
import type { Package, ServerJson, Transport } from '../registry/types.js';
import { assertSafe } from '../store/layout.js';
import { findInstalled, readState, type InstalledServer } from '../state/installed.js';
import { readSecrets } from '../state/secrets.js';
import { chooseInputs, parseAssignments } from './inputs.js';
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
  /** `mcpm import`: the entry at the key is the user's hand-written one, replaced on purpose. */
  adopt?: boolean;
}

type Source = { kind: 'npm'; pkg: Package & { identifier: string } } | { kind: 'remote'; remotes: Transport[] };

/** Resolves, plans and checks an install (nothing is written here), then hands the plan to applyInstall. */
export async function install(ctx: Context, spec: string, options: InstallOptions): Promise<unknown> {
  const { name, range } = parseNameSpec(spec);
  const scope = parseScope(options.scope);
  const state = readState(ctx);
  // A key or short name of something installed means that server: reinstalling it keeps its entries and inputs.
  const existing = findInstalled(state, name);
  const resolved = await resolveServer(ctx, existing?.name ?? name);
  const chosen = selectVersion(resolved.name, resolved.versions, range);
  const server = chosen.server;
  if (chosen.meta.status === 'deprecated') ctx.out.warn(`${server.name}@${server.version} is deprecated by its registry`);
  const lookalike = lookalikeWarning(server.name, Object.keys(state.servers));
  if (lookalike) ctx.out.warn(lookalike);
  assertSafe(server.name, server.version);
  const source = chooseSource(server);

  const sameServer = existing?.name === server.name ? existing : undefined;
  const given = {
    env: parseAssignments(ctx, '--env', options.env ?? [], true),
    args: parseAssignments(ctx, '--arg', options.arg ?? [], false),
  };
  const previous = sameServer
    ? { env: sameServer.env, args: sameServer.args, secretEnv: await readSecrets(ctx, sameServer.name) }
    : { env: {}, args: {}, secretEnv: {} };
  const requests = source.kind === 'npm' ? inputRequests(source.pkg) : source.remotes.flatMap(remoteInputRequests);
  const inputs = await chooseInputs(ctx, requests, given, previous);

  const baseKey = options.as ?? sameServer?.entries[0]?.key ?? defaultEntryKey(server.name);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(baseKey)) {
    throw new McpmError('EUSAGE', `"${baseKey}" cannot be an entry key`, { hint: 'Use letters, digits, ".", "_" and "-" with --as.' });
  }
  const locations = await targetLocations(ctx, options.client ?? [], scope, sameServer);
  const pending = state.pending?.[server.name]?.entries ?? [];
  const targets = withTransports(locations, source, Boolean(options.client?.length)).map((target) => {
    const previousEntry = sameServer?.entries.find((e) => e.client === target.location.client.id && samePath(e.file, target.location.file));
    const key = previousEntry?.key ?? clientKey(target.location.client, options.as ?? baseKey);
    const resumed = pending.find((p) => p.client === target.location.client.id && samePath(p.file, target.location.file) && p.key === key);
    return { ...target, key, previousEntry, resumed: Boolean(resumed), resumedRecord: resumed?.record };
  });
  // Check every file before anything is downloaded or written: a failed install changes no file.
  if (!options.adopt) for (const target of targets) if (!target.resumed) await checkTarget(target, sameServer, state.servers, server.name);

  const plan: InstallPlan = {
    server: server.name,
    version: server.version,
    range,
    registry: chosen.registry,
    scope,
    source: source.kind === 'npm'
      ? { kind: 'npm', package: { registryType: 'npm', identifier: source.pkg.identifier, version: source.pkg.version ?? server.version, registryBaseUrl: source.pkg.registryBaseUrl }, definition: source.pkg }
      : { kind: 'remote', remotes: source.remotes },
    key: baseKey,
    targets,
    env: source.kind === 'npm' ? { ...fixedEnvironment(source.pkg), ...inputs.env } : {},
    secretEnv: inputs.secretEnv,
    args: inputs.args,
    previous: sameServer,
  };
  if (options.dryRun) return { dryRun: true, ...describePlan(plan) };
  return applyInstall(ctx, plan, { allowScripts: Boolean(options.allowScripts), engineStrict: Boolean(options.engineStrict), adopt: Boolean(options.adopt) });
}

export function describePlan(plan: InstallPlan) {
  return {
    name: plan.server,
    version: plan.version,
    previousVersion: plan.previous?.version,
    registry: plan.registry,
    ...(plan.source.kind === 'npm' ? { package: plan.source.package } : { remote: plan.source.remotes.map((r) => ({ type: r.type, url: r.url })) }),
    key: plan.key,
    scope: plan.scope,
    clients: plan.targets.map((t) => ({ client: t.location.client.id, file: t.location.file, key: t.key })),
    env: Object.keys(plan.env),
    secretEnv: Object.keys(plan.secretEnv),
    args: plan.args,
  };
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

/** For a remote server, each client gets the first transport it can speak; a client that can speak none is said so. */
function withTransports(locations: ClientLocation[], source: Source, named: boolean): Array<Omit<InstallTarget, 'key' | 'previousEntry'>> {
  if (source.kind === 'npm') return locations.map((location) => ({ location }));
  const usable = locations.flatMap((location) => {
    const remote = source.remotes.find((r) => location.client.remote?.transports.includes(r.type as 'streamable-http' | 'sse'));
    if (remote) return [{ location, remote }];
    if (named || locations.length === 1) {
      throw new McpmError('EUNSUPPORTED', `${location.client.name} cannot connect to this remote server (${source.remotes.map((r) => r.type).join(', ')}) from its config file`, {
        hint: location.client.remote
          ? `${location.client.name} speaks ${location.client.remote.transports.join(' and ')} only; choose another client with --client.`
          : `Add it in ${location.client.name}'s own settings (for Claude Desktop: Settings > Connectors), or choose another client with --client.`,
      });
    }
    return [];
  });
  if (usable.length === 0) {
    throw new McpmError('EUNSUPPORTED', 'None of the detected clients can connect to this remote server from its config file', { hint: 'Name a client that can with --client.' });
  }
  return usable;
}

async function checkTarget(target: InstallTarget, installed: InstalledServer | undefined, servers: Record<string, InstalledServer>, name: string): Promise<void> {
  const { location, key, previousEntry } = target;
  const text = await readClientFile(location);
  if (text === undefined || (previousEntry && previousEntry.key === key)) return;
  const held = editorFor(location.client.format).get(location.file, text, location.client.serversPath, key);
  if (held === undefined) return;
  const owner = Object.values(servers).find((s) => s.entries.some((e) => e.key === key && samePath(e.file, location.file)));
  const whose = owner ? `that mcpm installed for ${owner.name}` : 'that mcpm does not manage';
  if (owner && owner.name === name && installed) return;
  throw new McpmError('ECONFLICT', `${location.client.name} already has an entry "${key}" ${whose} (${location.file})`, {
    hint: 'Choose another key with --as <key>; mcpm never overwrites an entry it does not own.',
  });
}

function chooseSource(server: ServerJson): Source {
  const packages = server.packages ?? [];
  const npm = packages.find((p) => p.registryType === 'npm' && typeof p.identifier === 'string' && (p.transport?.type ?? 'stdio') === 'stdio');
  if (npm) return { kind: 'npm', pkg: npm as Package & { identifier: string } };
  const remotes = (server.remotes ?? []).filter((r) => (r.type === 'streamable-http' || r.type === 'sse') && typeof r.url === 'string');
  if (remotes.length > 0) return { kind: 'remote', remotes };
  const kinds = [...new Set(packages.map((p) => p.registryType ?? 'unknown'))];
  throw new McpmError('EUNSUPPORTED', `${server.name} has no npm package with a stdio transport and no remote endpoint${kinds.length ? ` (it offers: ${kinds.join(', ')})` : ''}`, {
    hint: 'This version of mcpm installs npm-packaged and remote servers; other package types are not supported yet.',
  });
}
