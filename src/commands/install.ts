import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { chooseClients } from './targets.js';
import { chooseInputs, parseAssignments } from './inputs.js';
import { applyInstall, type InstallPlan } from './install-apply.js';
import { locationOf } from './targets.js';
import { readClientFile } from '../clients/write.js';
import { editorFor } from '../clients/editor.js';
import { fixedEnvironment, inputRequests } from '../plan/inputs.js';
import { parseNameSpec, selectVersion } from '../plan/version.js';
import { resolveServer } from '../registry/resolve.js';
import { defaultEntryKey } from '../registry/short-name.js';
import type { Package } from '../registry/types.js';
import { assertSafe } from '../store/layout.js';
import { readSecrets } from '../state/secrets.js';
import { findInstalled, readState, type InstalledServer } from '../state/installed.js';

export interface InstallOptions {
  client?: string[];
  env?: string[];
  arg?: string[];
  as?: string;
  dryRun?: boolean;
  allowScripts?: boolean;
  engineStrict?: boolean;
}

export async function install(ctx: Context, spec: string, options: InstallOptions): Promise<unknown> {
  const { name, range } = parseNameSpec(spec);
  const state = readState(ctx);
  // A key or short name of something installed means that server: reinstalling it keeps its entries and inputs.
  const existing = findInstalled(state, name);
  const resolved = await resolveServer(ctx, existing?.name ?? name);
  const chosen = selectVersion(resolved.name, resolved.versions, range);
  const server = chosen.server;
  if (chosen.meta.status === 'deprecated') ctx.out.warn(`${server.name}@${server.version} is deprecated by its registry`);
  const pkg = npmPackage(server.packages ?? [], server.name);
  assertSafe(server.name, server.version);

  const given = {
    env: parseAssignments(ctx, '--env', options.env ?? [], true),
    args: parseAssignments(ctx, '--arg', options.arg ?? [], false),
  };
  const previous = existing && existing.name === server.name
    ? { env: existing.env, args: existing.args, secretEnv: await readSecrets(ctx, existing.name) }
    : { env: {}, args: {}, secretEnv: {} };
  const inputs = await chooseInputs(ctx, inputRequests(pkg), given, previous);

  const sameServer = existing?.name === server.name ? existing : undefined;
  const key = options.as ?? sameServer?.entries[0]?.key ?? defaultEntryKey(server.name);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(key)) {
    throw new McpmError('EUSAGE', `"${key}" cannot be an entry key`, { hint: 'Use letters, digits, ".", "_" and "-" with --as.' });
  }
  const requested = options.client ?? [];
  const locations = requested.length === 0 && sameServer
    ? sameServer.entries.map((entry) => locationOf(ctx, entry.client))
    : await chooseClients(ctx, requested);
  // Entries the server already has in other clients move to the new version too.
  for (const entry of sameServer?.entries ?? []) {
    if (!locations.some((l) => l.client.id === entry.client)) locations.push(locationOf(ctx, entry.client));
  }
  // Check every file before anything is downloaded or written: a failed install changes no file.
  for (const location of locations) {
    const text = await readClientFile(location);
    if (text === undefined) continue;
    const held = editorFor(location.client.format).get(location.file, text, location.client.serversPath, key);
    if (held !== undefined && !managedBy(sameServer, location.client.id, location.file, key)) {
      throw conflict(location.client.name, location.file, key, state.servers, server.name);
    }
  }

  const plan: InstallPlan = {
    server: server.name,
    version: server.version,
    range,
    registry: chosen.registry,
    package: { registryType: 'npm', identifier: pkg.identifier!, version: pkg.version ?? server.version, registryBaseUrl: pkg.registryBaseUrl },
    key,
    clients: locations.map((location) => ({ client: location.client.id, file: location.file })),
    env: { ...fixedEnvironment(pkg), ...inputs.env },
    secretEnv: inputs.secretEnv,
    args: inputs.args,
    packageDefinition: pkg,
    previous: sameServer,
  };
  if (options.dryRun) return { dryRun: true, ...describePlan(plan) };
  return applyInstall(ctx, plan, locations, { allowScripts: Boolean(options.allowScripts), engineStrict: Boolean(options.engineStrict) });
}

export function describePlan(plan: InstallPlan) {
  return {
    name: plan.server,
    version: plan.version,
    previousVersion: plan.previous?.version,
    registry: plan.registry,
    package: plan.package,
    key: plan.key,
    clients: plan.clients,
    env: Object.keys(plan.env),
    secretEnv: Object.keys(plan.secretEnv),
    args: plan.args,
  };
}

function managedBy(server: InstalledServer | undefined, client: string, file: string, key: string): boolean {
  return Boolean(server?.entries.some((e) => e.client === client && path.resolve(e.file) === path.resolve(file) && e.key === key));
}

function conflict(clientName: string, file: string, key: string, servers: Record<string, InstalledServer>, name: string): McpmError {
  const owner = Object.values(servers).find((s) => s.name !== name && s.entries.some((e) => e.key === key && path.resolve(e.file) === path.resolve(file)));
  const whose = owner ? `that mcpm installed for ${owner.name}` : 'that mcpm does not manage';
  return new McpmError('ECONFLICT', `${clientName} already has an entry "${key}" ${whose} (${file})`, {
    hint: `Choose another key with --as <key>; mcpm never overwrites an entry it does not own.`,
  });
}

function npmPackage(packages: Package[], name: string): Package & { identifier: string } {
  const npm = packages.find((p) => p.registryType === 'npm' && typeof p.identifier === 'string' && (p.transport?.type ?? 'stdio') === 'stdio');
  if (npm) return npm as Package & { identifier: string };
  const kinds = [...new Set(packages.map((p) => p.registryType ?? 'unknown'))];
  throw new McpmError('EUNSUPPORTED', `${name} has no npm package with a stdio transport${kinds.length ? ` (it offers: ${kinds.join(', ')})` : ' (it is remote-only)'}`, {
    hint: 'This version of mcpm installs npm-packaged servers; other package types and remote servers are not supported yet.',
  });
}
