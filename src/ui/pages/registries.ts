import type { ListedRegistry } from '../../commands/registry.js';
import type { Policy } from '../../supply/policy.js';
import type { Ran } from '../actions.js';
import { html, type Html } from '../html.js';
import { actionButton, errorBox, layout, saidBox } from './layout.js';

export interface SettingsView {
  profile: string;
  configFile: string;
  timeoutMs: number;
  cacheTtlMs: number;
  /** The supply-chain policy in force (config.json's policy.* and the MCPM_POLICY file), one row per rule set. */
  policy: Array<{ rule: string; value: string; from: string }> | { error: string };
}

/** Registries in priority order (`mcpm registry list`), add/remove/sync, and the settings in force. */
export function registriesPage(ran: Ran, settings: SettingsView): string {
  if (!ran.ok) return layout('Registries and settings', '/registries', errorBox(ran.error));
  const { registries, from } = ran.result as { registries: ListedRegistry[]; from: string };
  const body = html`${saidBox(ran.said)}
<div class="scroll"><table>
<caption>Registries, highest priority first (${FROM[from] ?? from})</caption>
<thead><tr><th scope="col">#</th><th scope="col">Name</th><th scope="col">URL</th><th scope="col">Type</th><th scope="col">Cache</th><th scope="col">Actions</th></tr></thead>
<tbody>${registries.map((r) => html`<tr><td>${r.priority}</td><th scope="row">${r.name}</th><td class="file">${r.url}</td><td>${r.type}</td><td>${cacheText(r)}</td><td class="actions">${from === 'config' || from === 'default' ? actionButton('Remove', { action: 'registry-remove', name: r.name }, { danger: true, describe: `Remove registry ${r.name}` }) : ''}</td></tr>`)}</tbody>
</table></div>
${actionButton('Sync the caches now', { action: 'registry-sync' })}
<form method="post" action="/run" class="install">
<input type="hidden" name="action" value="registry-add">
<fieldset><legend>Add a registry</legend>
<div class="field"><label for="url">URL</label><input id="url" name="url" type="text" required placeholder="https://registry.example.com or embedded" spellcheck="false"></div>
<div class="field"><label for="registryName">Name (optional)</label><input id="registryName" name="registryName" type="text" spellcheck="false"></div>
<div class="check"><input type="checkbox" id="last" name="last" value="yes"><label for="last">Lowest priority (default: highest)</label></div>
<button type="submit">Add</button>
</fieldset></form>
<h2>Settings in force</h2>
<dl><dt>Profile</dt><dd>${settings.profile}</dd><dt>Configuration file</dt><dd class="file">${settings.configFile}</dd><dt>Registry timeout</dt><dd>${settings.timeoutMs} ms</dd><dt>Cache used for</dt><dd>${Math.round(settings.cacheTtlMs / 1000)} s before asking again</dd></dl>
<h2>Policy in force</h2>
${policyView(settings.policy)}
<p class="help">Tokens are never shown. <code>mcpm config</code> and <code>mcpm registry add --token-stdin</code> change the rest; <code>mcpm config set policy.&lt;rule&gt; &lt;value&gt;</code> the policy.</p>`;
  return layout('Registries and settings', '/registries', body);
}

/** One row per rule set, named as `mcpm config set policy.<rule>` names it. */
export function policyRows(policy: Policy): Array<{ rule: string; value: string; from: string }> {
  const shown = (value: unknown): string => {
    if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' && v !== null && 'spec' in v ? String(v.spec) : String(v))).join(', ');
    if (typeof value === 'number') return `${Math.round(value / 86_400_000)} days`;
    return String(value);
  };
  return Object.entries(policy).flatMap(([name, setting]: [string, { value: unknown; from: string } | undefined]) =>
    setting ? [{ rule: name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), value: shown(setting.value), from: setting.from }] : [],
  );
}

function policyView(policy: SettingsView['policy']): Html {
  if ('error' in policy) return html`<p class="error">${policy.error}</p>`;
  if (policy.length === 0) return html`<p>No policy: every registry and server may be installed, signed or not.</p>`;
  return html`<div class="scroll"><table><thead><tr><th scope="col">Rule</th><th scope="col">Value</th><th scope="col">Set in</th></tr></thead>
<tbody>${policy.map((row) => html`<tr><th scope="row">${row.rule}</th><td>${row.value}</td><td class="file">${row.from}</td></tr>`)}</tbody></table></div>`;
}

const FROM: Record<string, string> = { flag: 'from --registry', env: 'from MCPM_REGISTRY', config: 'from your configuration', default: 'the defaults' };

function cacheText(r: ListedRegistry): string {
  if (r.snapshot) return `snapshot of ${r.snapshot.asOf?.slice(0, 10) ?? 'unknown date'}, ${r.snapshot.servers} servers`;
  if (!r.cache) return r.type === 'embedded' || !/^https?:/i.test(r.url) ? 'local' : 'not yet synced';
  const minutes = Math.round(r.cache.ageMs / 60_000);
  return `${minutes < 1 ? 'under a minute' : minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`} old, ${r.cache.versions} versions${r.cache.failedAt ? ' (last sync failed)' : ''}`;
}
