/**
 * The page's only stylesheet and script, served as files (the Content-Security-Policy allows no inline code).
 * The script is an enhancement: every page works without it; with it, an action's progress arrives live.
 */
export const STYLESHEET = `
:root { color-scheme: light dark; --fg: #1b1b1b; --bg: #fdfdfd; --muted: #555; --line: #c8c8c8; --accent: #0b57d0; --bad: #b3261e; --good: #146c2e; }
@media (prefers-color-scheme: dark) { :root { --fg: #eee; --bg: #151515; --muted: #bbb; --line: #444; --accent: #8ab4f8; --bad: #f2b8b5; --good: #7fd49a; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; padding: .5rem 1rem; border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; }
nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: 0; padding: 0; }
nav a[aria-current] { font-weight: 700; text-decoration: underline; }
.quit { margin-left: auto; }
main { max-width: 70rem; margin: 0 auto; padding: 1rem; overflow-wrap: anywhere; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: .5rem; background: var(--bg); padding: .25rem; }
button, .button { font: inherit; padding: .35rem .8rem; border: 1px solid var(--accent); border-radius: .3rem; background: var(--bg); color: var(--accent); cursor: pointer; text-decoration: none; display: inline-block; min-height: 2.25rem; }
button.primary { background: var(--accent); color: var(--bg); }
.danger { border-color: var(--bad); color: var(--bad); }
input, select, textarea { font: inherit; padding: .35rem; border: 1px solid var(--muted); border-radius: .3rem; width: 100%; max-width: 36rem; background: var(--bg); color: var(--fg); }
input[type=checkbox], input[type=radio] { width: auto; }
form.inline { display: inline-block; margin: .15rem .25rem .15rem 0; }
.search { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.search label { width: 100%; font-weight: 600; }
.search input { flex: 1 1 16rem; }
fieldset { border: 1px solid var(--line); border-radius: .4rem; margin: 1rem 0; min-width: 0; }
.field { margin: .6rem 0; } .field label { display: block; font-weight: 600; }
.check { margin: .3rem 0; display: flex; gap: .5rem; align-items: baseline; } .check label { min-width: 0; overflow-wrap: anywhere; }
.help, .kind, .file, .code { color: var(--muted); font-size: .9rem; overflow-wrap: anywhere; }
.cards { list-style: none; padding: 0; display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); }
.card { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; overflow-wrap: anywhere; }
.card h2 { font-size: 1.1rem; margin: 0 0 .25rem; }
.meta span { margin-right: .5rem; color: var(--muted); font-size: .9rem; }
.description { white-space: pre-line; }
.badge { border: 1px solid currentColor; border-radius: .6rem; padding: 0 .4rem; font-size: .8rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; } dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; min-width: 100%; } caption { text-align: left; font-weight: 600; padding: .5rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .4rem .5rem; text-align: left; vertical-align: top; }
pre { overflow-x: auto; padding: .75rem; border: 1px solid var(--line); border-radius: .4rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.error { border: 2px solid var(--bad); border-radius: .4rem; padding: .25rem 1rem; margin: 1rem 0; }
.warnings li { color: var(--bad); } .ok { color: var(--good); } .off, .failed { color: var(--bad); }
.afterwards { border-left: 4px solid var(--accent); padding-left: 1rem; }
.log { font-family: ui-monospace, monospace; font-size: .9rem; }
@media (max-width: 40rem) { main { padding: .5rem; } dl { grid-template-columns: 1fr; } th, td { padding: .3rem; } }
`;

/** Live progress: the job page's log listens to the job's event stream and reloads when the job ends. */
export const SCRIPT = `'use strict';
(function () {
  var log = document.getElementById('log');
  if (!log || !log.dataset.events || !window.EventSource) return;
  var source = new EventSource(log.dataset.events);
  source.addEventListener('line', function (event) {
    var item = document.createElement('li');
    item.textContent = event.data;
    log.appendChild(item);
  });
  source.addEventListener('done', function () {
    source.close();
    window.location.reload();
  });
  source.onerror = function () { source.close(); window.setTimeout(function () { window.location.reload(); }, 1000); };
})();
`;
