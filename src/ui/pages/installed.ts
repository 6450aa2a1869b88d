import type { ForeignEntry } from '../../commands/import.js';
import type { ListedServer } from '../../commands/list.js';
import type { OutdatedRow } from '../../commands/outdated.js';
import { serverDir } from '../../store/layout.js';
import type { Ran } from '../actions.js';
import { html, query, type Html } from '../html.js';
import { actionButton, errorBox, layout, saidBox } from './layout.js';

export interface InstalledView {
  list: Ran;
  /** `mcpm outdated`, when the registries answered. */
  outdated?: Ran;
  /** `mcpm import` (without --adopt): entries mcpm does not manage, when asked for. */
  foreign?: Ran;
  /** The servers with a previous version in the store (rollback offered). */
  previous: Set<string>;
}

/** Installed: servers x clients, each cell a switch; per server update, rollback, check and uninstall. */
export function installedPage(view: InstalledView): string {
  if (!view.list.ok) return layout('Installed', '/installed', html`${errorBox(view.list.error)}`);
  const servers = view.list.result as ListedServer[];
  const rows = view.outdated?.ok ? (view.outdated.result as OutdatedRow[]) : [];
  const clients = [...new Set(servers.flatMap((s) => s.clients.map((c) => c.client)))].sort();
  const table = servers.length === 0
    ? html`<p>No servers installed yet. <a href="/">Discover one</a>.</p>`
    : html`<div class="scroll"><table>
<caption>Installed servers and the clients they are in</caption>
<thead><tr><th scope="col">Server</th><th scope="col">Version</th>${clients.map((c) => html`<th scope="col">${c}</th>`)}<th scope="col">Actions</th></tr></thead>
<tbody>${servers.map((server) => serverRow(server, clients, rows.find((r) => r.name === server.name), view.previous.has(server.name)))}</tbody>
</table></div>`;
  const foreign = view.foreign
    ? foreignSection(view.foreign)
    : html`<p><a href="/installed${query({ scan: '1' })}">Look for entries mcpm does not manage</a> (reads your clients' files)</p>`;
  const checkAll = servers.length > 0 ? actionButton('Check all servers', { action: 'check' }) : '';
  return layout('Installed', '/installed', html`${saidBox(view.list.said)}${view.outdated && !view.outdated.ok ? html`<p class="help">Updates unknown: ${view.outdated.error.message}</p>` : ''}${table}${checkAll}${foreign}`);
}

function serverRow(server: ListedServer, clients: string[], row: OutdatedRow | undefined, rollback: boolean): Html {
  const newer = row && row.wanted !== row.current ? row.wanted : undefined;
  const latest = row && row.latest !== row.current && row.latest !== row.wanted ? row.latest : undefined;
  return html`<tr>
<th scope="row">${server.key}<br><span class="file">${server.name}</span></th>
<td>${server.version}${server.registryStatus ? html` <span class="badge">${server.registryStatus}</span>` : ''}${newer ? html`<br><span class="badge">update: ${newer}</span>` : ''}${latest ? html`<br><span class="help">${latest} is out (outside the recorded range ${row!.range})</span>` : ''}</td>
${clients.map((client) => {
  const entry = server.clients.find((c) => c.client === client);
  if (!entry) return html`<td>–</td>`;
  const enabled = !entry.disabled;
  return html`<td><span class="${enabled ? 'ok' : 'off'}">${enabled ? 'enabled' : 'disabled'}</span> ${actionButton(enabled ? 'Disable' : 'Enable', { action: enabled ? 'disable' : 'enable', name: server.name, client }, { describe: `${enabled ? 'Disable' : 'Enable'} ${server.key} in ${client}` })}</td>`;
})}
<td class="actions">${newer && actionButton(`Update to ${newer}`, { action: 'update', name: server.name })}${latest && actionButton(`Update to ${latest}`, { action: 'update', name: server.name, latest: 'yes' })}${actionButton('Check', { action: 'check', name: server.name }, { describe: `Check ${server.key}` })}${rollback && actionButton('Roll back', { action: 'rollback', name: server.name }, { describe: `Roll back ${server.key}` })}<a class="button danger" href="/uninstall${query({ name: server.name })}" aria-label="Uninstall ${server.key}">Uninstall…</a></td>
</tr>`;
}

function foreignSection(ran: Ran): Html {
  if (!ran.ok) return html`<h2>Entries mcpm does not manage</h2>${errorBox(ran.error)}`;
  const entries = ran.result as ForeignEntry[];
  if (entries.length === 0) return html`<h2>Entries mcpm does not manage</h2><p>None: mcpm manages every entry in your detected clients.</p>`;
  return html`<h2>Entries mcpm does not manage</h2><ul class="cards">${entries.map((e) => html`<li class="card"><p><strong>${e.key}</strong> in ${e.client} <span class="file">${e.file}</span></p><p class="file">${e.command ?? e.url ?? ''}</p>${e.match ? html`<p>Matches ${e.match.name}@${e.match.version}</p>${actionButton(`Adopt the matched entries of ${e.client}`, { action: 'adopt', client: e.client })}` : html`<p class="help">No registry server matches it.</p>`}</li>`)}</ul>`;
}

/** Before uninstalling: what goes and what stays, as the uninstall command does it. */
export function uninstallPage(server: ListedServer, store: string): string {
  const body = html`<p>Uninstalling <strong>${server.name}</strong> ${server.version} removes:</p>
<ul>${server.clients.map((c) => html`<li>the entry “${c.key}” in ${c.client} (${c.scope}): <span class="file">${c.file}</span></li>`)}
<li>its secrets and sign-ins kept by mcpm</li><li>its store folder <span class="file">${serverDir(store, server.name)}</span></li></ul>
<p>Kept: everything else in those files (your other servers and settings), and anything the server keeps outside its store folder. Entries in other projects stay, and are listed after.</p>
${actionButton(`Uninstall ${server.key}`, { action: 'uninstall', name: server.name }, { danger: true })}
<p><a href="/installed">Cancel</a></p>`;
  return layout(`Uninstall ${server.key}`, '/installed', body);
}
