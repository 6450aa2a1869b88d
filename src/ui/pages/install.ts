import type { InputRequest } from '../../plan/inputs.js';
import type { Ran } from '../actions.js';
import { html, query, safeHref, type Html } from '../html.js';
import type { InstallFacts } from '../install-form.js';
import { errorBox, layout, saidBox } from './layout.js';

/** The install page: the server as `mcpm info` shows it, and a form generated from what it asks for. */
export function installPage(facts: InstallFacts, options: { values?: Record<string, string>; error?: Ran & { ok: false }; version?: string; packageType?: string; scope?: string } = {}): string {
  const { info } = facts;
  const values = options.values ?? {};
  const repository = safeHref(info.repository);
  const live = info.versions.filter((v) => v.status !== 'deleted');
  const types = [...new Set([...info.packages.map((p) => p.registryType ?? 'unknown'), ...(info.remotes.length ? ['remote'] : [])])];
  const slash = info.name.indexOf('/');
  // Detected clients (and any already ticked) are shown; the others fold away.
  const shown = facts.clients.filter((c) => c.detected || c.checked);
  const folded = facts.clients.filter((c) => !c.detected && !c.checked);
  const body = html`
${options.error && html`${errorBox(options.error.error)}${saidBox(options.error.said)}`}
<section class="card" aria-labelledby="about">
<h2 id="about">${info.title ?? info.name}${info.status !== 'active' ? html` <span class="badge">${info.status}</span>` : ''}</h2>
<p class="description">${info.description}</p>
<dl>
${slash !== -1 && html`<dt>Publisher</dt><dd>${info.name.slice(0, slash)}</dd>`}
<dt>Name</dt><dd>${info.name}</dd>
<dt>Registry</dt><dd>${info.registryName}</dd>
${info.repository && html`<dt>Repository</dt><dd>${repository ? html`<a href="${repository}" rel="noopener noreferrer">${info.repository}</a>` : info.repository}</dd>`}
<dt>Versions</dt><dd>${live.map((v) => `${v.version}${v.status === 'deprecated' ? ' (deprecated)' : ''}`).join(', ')}</dd>
${info.packages.map((p) => html`<dt>Package</dt><dd>${p.registryType} ${p.identifier}@${p.version} (${p.transport})</dd>`)}
${info.remotes.map((r) => html`<dt>Remote</dt><dd>${r.type} ${r.url}</dd>`)}
${info.installed && html`<dt>Installed</dt><dd>${info.installed.version} in ${info.installed.clients.join(', ')}</dd>`}
</dl>
</section>
<form method="post" action="/install/plan" class="install">
<input type="hidden" name="name" value="${info.name}">
<fieldset><legend>Settings the server asks for (${facts.source} package)</legend>
${facts.requests.length === 0 ? html`<p>This server asks for nothing.</p>` : facts.requests.map((r) => inputField(r, values, Boolean(info.installed)))}
</fieldset>
<fieldset><legend>Clients to add it to</legend>
${shown.length === 0 ? html`<p>No MCP client was detected here: choose one below (its file will be created).</p>` : shown.map(clientBox)}
${folded.length > 0 && html`<details${shown.length === 0 ? html` open` : ''}><summary>Other clients (${folded.length})</summary>${folded.map(clientBox)}</details>`}
</fieldset>
<fieldset><legend>Scope</legend>
<div class="check"><input type="radio" id="scope-user" name="scope" value="user"${options.scope !== 'project' ? html` checked` : ''}><label for="scope-user">Your user settings (every project)</label></div>
<div class="check"><input type="radio" id="scope-project" name="scope" value="project"${options.scope === 'project' ? html` checked` : ''}><label for="scope-project">This project only (the folder mcpm ui was started in)</label></div>
</fieldset>
<div class="field"><label for="version">Version</label>
<select id="version" name="version"><option value="">latest (${info.version})</option>${live.map((v) => html`<option value="${v.version}"${options.version === v.version ? html` selected` : ''}>${v.version}${v.status === 'deprecated' ? ' (deprecated)' : ''}</option>`)}</select></div>
${types.length > 1 && html`<div class="field"><label for="packageType">Package</label><select id="packageType" name="packageType"><option value="">automatic (${facts.source})</option>${types.map((t) => html`<option value="${t}"${options.packageType === t ? html` selected` : ''}>${t}</option>`)}</select></div>`}
<button type="submit">Show the plan</button>
</form>`;
  return layout(`Install ${info.name}`, '', body);
}

function clientBox(c: InstallFacts['clients'][number]): Html {
  return html`<div class="check"><input type="checkbox" id="client-${c.id}" name="client" value="${c.id}"${c.checked ? html` checked` : ''}><label for="client-${c.id}">${c.name}${c.detected ? html` <span class="badge">detected</span>` : ''} <span class="file">${c.file}</span></label></div>`;
}

function inputField(request: InputRequest, values: Record<string, string>, installed: boolean): Html {
  const field = `${request.kind}:${request.name}`;
  const id = `in-${request.kind}-${request.name}`;
  const help = `${id}-help`;
  const notes = [
    request.isRequired ? 'required' : 'optional',
    request.isSecret ? 'secret: kept in mcpm\'s secret store, never shown again' : '',
    request.default !== undefined && !request.isSecret ? `default ${request.default}` : '',
    installed && request.isSecret ? 'leave empty to keep the current value' : '',
    request.isRepeated ? 'one value per line' : '',
    request.format && request.format !== 'string' ? request.format : '',
  ].filter(Boolean);
  // A required field is left to mcpm to check when the server is installed: its value may already be kept.
  const required = request.isRequired && !installed && request.default === undefined ? html` required` : '';
  const described = html` aria-describedby="${help}"`;
  const value = request.isSecret ? '' : values[field] ?? '';
  let control: Html;
  if (request.choices && request.choices.length > 0) {
    control = html`<select id="${id}" name="${field}"${required}${described}><option value="">${request.default !== undefined ? `default (${request.default})` : '(not set)'}</option>${request.choices.map((c) => html`<option${value === c ? html` selected` : ''}>${c}</option>`)}</select>`;
  } else if (request.format === 'boolean') {
    control = html`<select id="${id}" name="${field}"${required}${described}><option value="">(not set)</option>${['true', 'false'].map((c) => html`<option${value === c ? html` selected` : ''}>${c}</option>`)}</select>`;
  } else if (request.isRepeated) {
    control = html`<textarea id="${id}" name="${field}" rows="3"${required}${described}>${request.isSecret ? '' : value}</textarea>`;
  } else {
    const type = request.isSecret ? 'password' : request.format === 'number' ? 'number' : 'text';
    const bounds = html`${request.min !== undefined ? html` min="${request.min}"` : ''}${request.max !== undefined ? html` max="${request.max}"` : ''}`;
    control = html`<input id="${id}" name="${field}" type="${type}" value="${value}" autocomplete="${request.isSecret ? 'new-password' : 'off'}" spellcheck="false"${bounds}${required}${described}>`;
  }
  return html`<div class="field"><label for="${id}">${request.name} <span class="kind">(${request.kind === 'env' ? 'environment' : 'argument'})</span></label>${control}<p class="help" id="${help}">${notes.join(' · ')}${request.description ? html`<br>${request.description}` : ''}</p></div>`;
}

/** The plan, exactly as `mcpm install --dry-run` prints it, and the one button that carries it out. */
export function planPage(name: string, ran: Ran & { ok: true }, draft: string): string {
  const body = html`${saidBox(ran.said)}
<p>This is what <code>mcpm install --dry-run</code> prints for your choices. Secret values are masked.</p>
<pre class="plan">${ran.text}</pre>
<form method="post" action="/install/apply"><input type="hidden" name="draft" value="${draft}"><button type="submit" class="primary">Install</button></form>
<p><a href="/install${query({ name })}">Change the settings</a></p>`;
  return layout(`The plan for ${name}`, '', body);
}
