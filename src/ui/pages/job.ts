import type { Job } from '../jobs.js';
import { html } from '../html.js';
import { errorBox, layout, saidBox } from './layout.js';

/**
 * An action's page: its progress while it runs (live through /ui.js and the event stream; without script the page
 * reloads itself), then the result as the CLI renders it, with what to do next (restart a client).
 */
export function jobPage(job: Job): string {
  const ran = job.ran;
  const progress = html`<ol class="log" id="log" data-events="/jobs/${job.id}/events" aria-live="polite">${job.said.filter((s) => s.kind !== 'afterwards').map((s) => html`<li>${s.kind === 'warning' ? 'warning ' : ''}${s.text}</li>`)}</ol>`;
  if (!ran) {
    return layout(job.title, '', html`<p role="status">Working…</p>${progress}`, html`<noscript><meta http-equiv="refresh" content="1"></noscript>`);
  }
  const outcome = ran.ok
    ? html`<p role="status" class="${ran.exitCode === 0 ? 'ok' : 'failed'}">${ran.exitCode === 0 ? 'Done.' : 'Finished with failures.'}</p><pre class="result">${ran.text}</pre>${saidBox(ran.said)}`
    : html`${errorBox(ran.error)}${saidBox(ran.said)}`;
  return layout(job.title, '', html`${outcome}<p><a href="${job.back}">${job.back === '/registries' ? 'Back to Registries' : 'Go to Installed'}</a></p>`);
}
