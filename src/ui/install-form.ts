import type { Context } from '../context.js';
import { info } from '../commands/info.js';
import { everyLocation } from '../clients/targets.js';
import { prepareSource } from '../install/source.js';
import { sourceRequests } from '../plan/prepared-source.js';
import type { InputRequest } from '../plan/inputs.js';
import { resolveVersion } from '../registry/resolve.js';
import { findInstalled, readState } from '../state/installed.js';
import type { Invocation } from './actions.js';

export interface ClientChoice {
  id: string;
  name: string;
  file: string;
  detected: boolean;
  /** Ticked when the form opens: where the server already is, else every detected client (the CLI's default). */
  checked: boolean;
}

export interface InstallFacts {
  info: Awaited<ReturnType<typeof info>>;
  /** What the chosen package (or remote) asks for: the same list the CLI's prompts would ask. */
  requests: InputRequest[];
  source: string;
  clients: ClientChoice[];
}

/**
 * What the install form is made of, read with the CLI's own code: `mcpm info` for the server, and the source
 * install would choose (plan/source.ts) with its input requests.
 */
export async function installFacts(ctx: Context, name: string, version: string | undefined, packageType: string | undefined): Promise<InstallFacts> {
  const spec = version ? `${name}@${version}` : name;
  const shown = await info(ctx, spec);
  const { chosen } = await resolveVersion(ctx, shown.name, version || undefined);
  const existing = findInstalled(readState(ctx), shown.name);
  const source = await prepareSource(ctx, chosen.server, packageType || undefined, existing?.name === shown.name ? existing : undefined);
  const installedIn = new Set(shown.installed?.clients ?? []);
  const clients = everyLocation(ctx)
    .filter((location) => !location.unsupported)
    .map((location) => ({
      id: location.client.id,
      name: location.client.name,
      file: location.file,
      detected: location.detected,
      checked: installedIn.size > 0 ? installedIn.has(location.client.id) : location.detected,
    }))
    // Detected clients first, in the table's order: they are the ones a person means.
    .sort((a, b) => Number(b.detected) - Number(a.detected));
  return { info: shown, requests: sourceRequests(source), source: source.kind, clients };
}

/**
 * Pure: the install form as `mcpm install` arguments. Inputs arrive as `env:NAME` and `arg:NAME` fields; an empty
 * field is not given (the input keeps its previous value or its default, as with the CLI). A repeated argument
 * takes one value per line.
 */
export function installInvocation(form: URLSearchParams, dryRun: boolean): Invocation & { title: string } {
  const name = (form.get('name') ?? '').trim();
  const version = (form.get('version') ?? '').trim();
  const spec = version ? `${name}@${version}` : name;
  const env: string[] = [];
  const arg: string[] = [];
  for (const [field, value] of form) {
    if (field.startsWith('env:') && value !== '') env.push(`${field.slice(4)}=${value}`);
    if (field.startsWith('arg:')) for (const line of value.split(/\r?\n/)) if (line !== '') arg.push(`${field.slice(4)}=${line}`);
  }
  const clients = form.getAll('client').filter(Boolean);
  const options: Record<string, unknown> = {
    client: clients,
    env,
    arg,
    secret: true,
    // Values from the page's form reach install as `--env NAME=VALUE`, but no shell saw them: no history warning.
    typed: false,
    ...(form.get('scope') === 'project' ? { scope: 'project' } : {}),
    ...(form.get('packageType') ? { packageType: form.get('packageType') } : {}),
    ...(dryRun ? { dryRun: true } : {}),
  };
  return { title: `install ${spec}`, command: 'install', input: { args: { name: spec }, options } };
}

/** The form's fields a page may fill in again after an error: never a secret's value. */
export function refill(form: URLSearchParams, requests: InputRequest[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const request of requests) {
    const field = `${request.kind}:${request.name}`;
    const value = form.get(field);
    if (value !== null && !request.isSecret) values[field] = value;
  }
  return values;
}
