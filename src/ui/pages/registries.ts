import type { ListedRegistry } from '../../commands/registry.js';
import type { Ran } from '../actions.js';
import { html } from '../html.js';
import { actionButton, errorBox, layout, saidBox } from './layout.js';

export interface SettingsView {
  profile: string;
  configFile: string;
  timeoutMs: number;
  cacheTtlMs: number;
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
<p class="help">Tokens are never shown. <code>mcpm config</code> and <code>mcpm registry add --token-stdin</code> change the rest.</p>`;
  return layout('Registries and settings', '/registries', body);
}

const FROM: Record<string, string> = { flag: 'from --registry', env: 'from MCPM_REGISTRY', config: 'from your configuration', default: 'the defaults' };

function cacheText(r: ListedRegistry): string {
  if (r.snapshot) return `snapshot of ${r.snapshot.asOf?.slice(0, 10) ?? 'unknown date'}, ${r.snapshot.servers} servers`;
  if (!r.cache) return r.type === 'embedded' || !/^https?:/i.test(r.url) ? 'local' : 'not yet synced';
  const minutes = Math.round(r.cache.ageMs / 60_000);
  return `${minutes < 1 ? 'under a minute' : minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`} old, ${r.cache.versions} versions${r.cache.failedAt ? ' (last sync failed)' : ''}`;
}
