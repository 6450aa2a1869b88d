import { html, type Html } from '../html.js';
import type { Said } from '../capture.js';

const NAV = [
  ['/', 'Discover'],
  ['/installed', 'Installed'],
  ['/registries', 'Registries and settings'],
] as const;

/** Every page: the same header, navigation, quit button and the two files the policy allows (no inline code). */
export function layout(title: string, current: string, body: Html, head: Html = html``): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · mcpm</title>
<link rel="stylesheet" href="/ui.css">
<script src="/ui.js" defer></script>
${head}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<span class="brand">mcpm</span>
<nav aria-label="Pages"><ul>${NAV.map(([href, label]) => html`<li><a href="${href}"${current === href ? html` aria-current="page"` : ''}>${label}</a></li>`)}</ul></nav>
<form method="post" action="/quit" class="quit"><button type="submit">Quit mcpm ui</button></form>
</header>
<main id="main">
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.text;
}

/** An McpmError as the CLI prints it: the message, then the hint. */
export function errorBox(error: { code: string; message: string; hint: string }): Html {
  return html`<div class="error" role="alert"><p><strong>mcpm: ${error.message}</strong></p>${error.hint ? html`<p>hint: ${error.hint}</p>` : ''}<p class="code">${error.code}</p></div>`;
}

/** What a command said besides its result: warnings first, notes, then what to do afterwards (restart a client). */
export function saidBox(said: Said[]): Html {
  const warnings = said.filter((s) => s.kind === 'warning');
  const notes = said.filter((s) => s.kind === 'note');
  const after = said.filter((s) => s.kind === 'afterwards');
  return html`${warnings.length > 0 && html`<ul class="warnings">${warnings.map((w) => html`<li>warning ${w.text}</li>`)}</ul>`}${notes.length > 0 && html`<ul class="notes">${notes.map((n) => html`<li>${n.text}</li>`)}</ul>`}${after.length > 0 && html`<div class="afterwards"><h2>Next</h2><ul>${after.map((a) => html`<li>${a.text}</li>`)}</ul></div>`}`;
}

/** A button that posts one action (progressive enhancement: a plain form). */
export function actionButton(label: string, fields: Record<string, string>, options: { danger?: boolean; describe?: string } = {}): Html {
  return html`<form method="post" action="/run" class="inline">${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}<button type="submit"${options.danger ? html` class="danger"` : ''}${options.describe ? html` aria-label="${options.describe}"` : ''}>${label}</button></form>`;
}
