import type { SearchHit } from '../../commands/search.js';
import type { Ran } from '../actions.js';
import { html, query, type Html } from '../html.js';
import { errorBox, layout, saidBox } from './layout.js';

/** Discover: `mcpm search` across the configured registries (the embedded index among them), one card per server. */
export function discoverPage(q: string, ran: Ran | undefined): string {
  const form = html`<form method="get" action="/" class="search" role="search">
<label for="q">Search the registries</label>
<input id="q" name="q" type="search" value="${q}" placeholder="github, memory, filesystem..." autofocus>
<button type="submit">Search</button>
</form>`;
  if (!ran) return layout('Discover', '/', html`${form}<p>Search every configured registry and mcpm's embedded index, then open a server to install it.</p>`);
  if (!ran.ok) return layout('Discover', '/', html`${form}${errorBox(ran.error)}${saidBox(ran.said)}`);
  const hits = ran.result as SearchHit[];
  const body = hits.length === 0 ? html`<p>No servers found for “${q}”.</p>` : html`<p>${hits.length} server${hits.length === 1 ? '' : 's'} found.</p><ul class="cards">${hits.map(card)}</ul>`;
  return layout('Discover', '/', html`${form}${saidBox(ran.said)}${body}`);
}

function card(hit: SearchHit): Html {
  const slash = hit.name.indexOf('/');
  const namespace = slash === -1 ? '' : hit.name.slice(0, slash);
  return html`<li class="card">
<h2><a href="/install${query({ name: hit.name })}">${hit.name}</a></h2>
<p class="meta">${namespace && html`<span>publisher <strong>${namespace}</strong></span> `}<span>version ${hit.version}</span> <span>${hit.packageTypes.join(', ') || 'no package'}</span> <span>from ${hit.registryName}</span>${hit.deprecated ? html` <span class="badge">deprecated</span>` : ''}</p>
<p class="description">${hit.description}</p>
<a class="button" href="/install${query({ name: hit.name })}" aria-label="Details and install ${hit.name}">Details and install</a>
</li>`;
}
