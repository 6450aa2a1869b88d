import { renderEntry, type Machine } from './entry-form.js';
import type { ArgValues } from './inputs.js';
import type { InstallPlan } from './install.js';
import { previewStored } from './store-action.js';

import { MASKED } from './merge-entry.js';

export { MASKED } from './merge-entry.js';

const mask = (values: Record<string, string>) => Object.fromEntries(Object.keys(values).map((name) => [name, MASKED]));
const maskArgs = (values: ArgValues) => Object.fromEntries(Object.entries(values).map(([name, value]) => [name, Array.isArray(value) ? value.map(() => MASKED) : MASKED]));

/**
 * Pure: an install plan as `--dry-run` shows it (text and --json): what install would do, entry by entry, rendered
 * by the same function apply uses, with what only the store step learns shown as placeholders (`<bin>`,
 * `<digest>`). Secret values are masked everywhere, entries included (rendered with masked values).
 */
export function describePlan(plan: InstallPlan, machine: Machine) {
  const stored = previewStored(plan.store, plan.storeDir);
  const masked = { ...plan.inputs, secretEnv: mask(plan.inputs.secretEnv), secretArgs: maskArgs(plan.inputs.secretArgs) };
  return {
    dryRun: true as const,
    name: plan.server,
    version: plan.version,
    previousVersion: plan.previous?.version !== plan.version ? plan.previous?.version : undefined,
    registry: plan.registry,
    package: plan.package,
    remote: plan.source.kind === 'remote' ? plan.source.remotes.map((r) => ({ type: r.type, url: r.url })) : undefined,
    store: plan.store.kind === 'none' ? { kind: 'none' } : { kind: plan.store.kind, ...(plan.storeDir ? { path: plan.storeDir } : {}) },
    key: plan.key,
    scope: plan.scope,
    profile: plan.profile,
    clients: plan.targets.map((t) => ({
      client: t.location.client.id,
      file: t.location.file,
      scope: t.location.scope,
      key: t.key,
      form: t.form.form,
      ...(t.form.why ? { why: t.form.why } : {}),
      ...(t.replaces ? { replaces: t.replaces } : {}),
      ...(t.disabled ? { disabled: t.disabled } : {}),
      entry: renderEntry({ client: t.location.client, key: t.key, form: t.form }, { server: plan.server, source: plan.source, inputs: masked, machine }, stored),
    })),
    env: Object.keys(plan.inputs.env),
    secretEnv: Object.keys(plan.inputs.secretEnv),
    args: plan.inputs.args,
    ...(Object.keys(plan.inputs.secretArgs).length ? { secretArgs: Object.keys(plan.inputs.secretArgs) } : {}),
    inputs: { env: masked.env, secretEnv: masked.secretEnv, args: masked.args, secretArgs: masked.secretArgs },
    ...(plan.inputs.secretsFile ? { secretsFile: plan.inputs.secretsFile } : {}),
  };
}

export type PlanDescription = ReturnType<typeof describePlan>;

const REPLACES: Record<string, string> = {
  'previous-install': 'replaces its entry from the installed version',
  resumed: 'completes an interrupted install',
  adopted: 'adopts the entry there',
  confirmed: 'replaces the entry there, as you agreed',
  identical: 'the entry there is already this one',
};

export function renderPlan(plan: PlanDescription): string {
  const what = plan.package ? `${plan.package.registryType} ${plan.package.identifier}@${plan.package.version}` : `remote ${plan.remote?.map((r) => `${r.type} ${r.url}`).join(', ')}`;
  const lines = [`Would install ${plan.name}@${plan.version}${plan.previousVersion ? ` (now ${plan.previousVersion})` : ''} (${what}) as "${plan.key}" from ${plan.registry}`];
  if ('path' in plan.store) lines.push(`  store: ${plan.store.path}`);
  const inputs = { ...plan.inputs.env, ...plan.inputs.secretEnv };
  for (const [name, value] of Object.entries(inputs)) lines.push(`  env ${name}=${value}`);
  for (const [name, value] of Object.entries({ ...plan.inputs.args, ...plan.inputs.secretArgs })) lines.push(`  arg ${name}=${Array.isArray(value) ? value.join(', ') : value}`);
  if (plan.secretsFile) lines.push(`  secrets file: ${plan.secretsFile}`);
  for (const client of plan.clients) {
    const notes = [client.form, client.replaces ? REPLACES[client.replaces] : 'new entry', client.disabled ? `stays disabled (${client.disabled})` : ''].filter(Boolean).join('; ');
    lines.push(`  ${client.client} (${client.scope}): ${client.file}, key "${client.key}" (${notes})`);
    lines.push(...JSON.stringify(client.entry, null, 2).split('\n').map((line) => `      ${line}`));
  }
  return lines.join('\n');
}
