import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Context } from '../context.js';
import { McpmError, usageError } from '../errors.js';
import { openBrowser } from '../auth/browser.js';
import { handleInterrupts } from '../interrupt.js';
import type { ListedServer } from '../commands/list.js';
import { readState } from '../state/installed.js';
import { actionFor, asMcpmError, runCommand, type Invocation, type Ran } from './actions.js';
import { SCRIPT, STYLESHEET } from './assets.js';
import { admit, newKeys, SECURITY_HEADERS, type Keys } from './guard.js';
import { html } from './html.js';
import { installFacts, installInvocation, refill } from './install-form.js';
import { Jobs } from './jobs.js';
import { discoverPage } from './pages/discover.js';
import { installPage, planPage } from './pages/install.js';
import { installedPage, uninstallPage } from './pages/installed.js';
import { policyRows, registriesPage, type SettingsView } from './pages/registries.js';
import { jobPage } from './pages/job.js';
import { errorBox, layout } from './pages/layout.js';

export interface UiOptions {
  port?: string;
  /** false for --no-open. */
  open?: boolean;
}

const MAX_BODY = 256 * 1024;

/**
 * `mcpm ui`: the package manager as a local web page. Listens on 127.0.0.1 only, prints a one-time link on stderr,
 * opens the browser (as `mcpm login` does) and serves until Ctrl-C or the page's Quit. Every page reads, and every
 * button runs, mcpm's own commands (actions.ts); guard.ts decides who may ask.
 */
export async function startUi(ctx: Context, options: UiOptions) {
  const port = options.port === undefined ? 0 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`Invalid port "${options.port}"`, 'Give 0-65535; 0 (the default) picks a free port.');
  const jobs = new Jobs(ctx);
  /** Install plans shown and not yet carried out, with the values (secrets included) they were made from. */
  const drafts = new Map<string, { name: string; invocation: Invocation & { title: string } }>();
  let keys: Keys | undefined;
  let stop: (why: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stop = resolve));

  const routes = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (get && path === '/ui.css') return send(res, 200, STYLESHEET, 'text/css; charset=utf-8');
    if (get && path === '/ui.js') return send(res, 200, SCRIPT, 'text/javascript; charset=utf-8');
    if (get && path === '/') {
      const q = (url.searchParams.get('q') ?? '').trim();
      return page(res, discoverPage(q, q ? await runCommand(ctx, { command: 'search', input: { args: { query: q }, options: {} } }) : undefined));
    }
    if (get && path === '/install') {
      const name = url.searchParams.get('name') ?? '';
      const version = url.searchParams.get('version') ?? undefined;
      const packageType = url.searchParams.get('packageType') ?? undefined;
      try {
        return page(res, installPage(await installFacts(ctx, name, version, packageType), { version, packageType }));
      } catch (error) {
        return page(res, layout(`Install ${name}`, '', html`${errorBox(asMcpmError(error))}<p><a href="/">Back to Discover</a></p>`), 400);
      }
    }
    if (req.method === 'POST' && path === '/install/plan') {
      const form = await readForm(req);
      const name = form.get('name') ?? '';
      let ran: Ran;
      let invocation: (Invocation & { title: string }) | undefined;
      try {
        if (form.getAll('client').length === 0) throw usageError('Choose at least one client', 'Tick the clients to add the server to.');
        invocation = installInvocation(form, false);
        ran = await runCommand(ctx, installInvocation(form, true));
      } catch (error) {
        ran = { ok: false, error: asMcpmError(error), said: [] };
      }
      if (ran.ok && invocation) {
        const draft = randomBytes(12).toString('base64url');
        drafts.set(draft, { name, invocation });
        return page(res, planPage(name, ran, draft));
      }
      // The form again, with the CLI's message and hint; typed values come back, secrets never.
      try {
        const facts = await installFacts(ctx, name, form.get('version') || undefined, form.get('packageType') || undefined);
        return page(res, installPage(facts, { values: refill(form, facts.requests), error: ran as Ran & { ok: false }, version: form.get('version') ?? undefined, packageType: form.get('packageType') ?? undefined, scope: form.get('scope') ?? undefined }), 400);
      } catch (error) {
        return page(res, layout(`Install ${name}`, '', errorBox(asMcpmError(error))), 400);
      }
    }
    if (req.method === 'POST' && path === '/install/apply') {
      const form = await readForm(req);
      const draft = drafts.get(form.get('draft') ?? '');
      if (!draft) throw new McpmError('EUSAGE', 'This plan is no longer open', { hint: 'Open the server again and show its plan.' });
      drafts.delete(form.get('draft')!);
      return redirect(res, `/jobs/${jobs.start(draft.invocation, `/installed`).id}`);
    }
    if (get && path === '/installed') {
      const list = await runCommand(ctx, { command: 'list', input: { args: {}, options: {} } });
      const any = list.ok && (list.result as ListedServer[]).length > 0;
      const outdated = any ? await runCommand(ctx, { command: 'outdated', input: { args: { names: [] }, options: {} } }) : undefined;
      const foreign = url.searchParams.get('scan') ? await runCommand(ctx, { command: 'import', input: { args: {}, options: {} } }) : undefined;
      const previous = new Set(Object.values(readState(ctx).servers).filter((s) => s.previousVersions.length > 0).map((s) => s.name));
      return page(res, installedPage({ list, outdated, foreign, previous }));
    }
    if (get && path === '/uninstall') {
      const list = await runCommand(ctx, { command: 'list', input: { args: {}, options: {} } });
      const server = list.ok ? (list.result as ListedServer[]).find((s) => s.name === url.searchParams.get('name')) : undefined;
      if (!server) throw new McpmError('ENOTINSTALLED', `"${url.searchParams.get('name') ?? ''}" is not installed`);
      return page(res, uninstallPage(server, ctx.paths.store));
    }
    if (get && path === '/registries') {
      const ran = await runCommand(ctx, { command: 'registry list', input: { args: {}, options: {} } });
      return page(res, registriesPage(ran, { profile: ctx.profile, configFile: ctx.paths.configFile, timeoutMs: ctx.timeoutMs, cacheTtlMs: ctx.cacheTtlMs, policy: await policyInForce(ctx) }));
    }
    if (req.method === 'POST' && path === '/run') {
      const form = await readForm(req);
      const action = actionFor(form);
      const back = action.command.startsWith('registry') ? '/registries' : '/installed';
      return redirect(res, `/jobs/${jobs.start(action, back).id}`);
    }
    const job = /^\/jobs\/([\w-]+)(\/events)?$/.exec(path);
    if (get && job) {
      const found = jobs.get(job[1]!);
      if (!found) throw new McpmError('EUSAGE', 'No such action', { hint: 'Actions are kept only while this mcpm ui runs.' });
      if (job[2]) return events(res, found);
      return page(res, jobPage(found));
    }
    if (req.method === 'POST' && path === '/quit') {
      // Stopped once the answer is out: closing the connections earlier would cut it off.
      res.on('finish', () => stop('quit'));
      return page(res, layout('mcpm ui has stopped', '', html`<p>You can close this tab. Run <code>mcpm ui</code> again to come back.</p>`));
    }
    throw new McpmError('ENOTFOUND', `No page at ${path}`, { hint: 'Use the links at the top of the page.' });
  };

  const server = http.createServer((req, res) => {
    const facts = { method: req.method ?? 'GET', url: req.url ?? '/', host: req.headers.host, origin: req.headers.origin, cookie: req.headers.cookie };
    const admission = admit(facts, keys!);
    if (admission.kind === 'refuse') {
      const error = { code: 'EAUTH', message: admission.message, hint: admission.hint };
      return page(res, layout('Refused', '', errorBox(error)), admission.status);
    }
    if (admission.kind === 'trade') {
      res.setHeader('set-cookie', admission.cookie);
      return redirect(res, admission.location);
    }
    routes(req, res, new URL(facts.url, 'http://127.0.0.1')).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      const known = asMcpmError(error);
      page(res, layout('Something went wrong', '', html`${errorBox(known)}<p><a href="/">Back</a></p>`), known.code === 'ENOTFOUND' ? 404 : known.code === 'EINTERNAL' ? 500 : 400);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new McpmError('EUSAGE', `Cannot listen on 127.0.0.1:${port} (${error.code ?? error.message})`, { hint: error.code === 'EADDRINUSE' ? 'Choose another --port (0 picks a free one).' : 'Check --port.' })),
    );
    // Loopback only, whatever the machine's interfaces: the page is never reachable from elsewhere.
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  keys = newKeys(address.port);
  const origin = `http://127.0.0.1:${address.port}`;
  const link = `${origin}/?token=${keys.urlToken}`;
  const opened = options.open !== false && openBrowser(link, ctx.env, ctx.platform);
  ctx.out.remind(`mcpm ui is running at ${origin}; ${opened ? 'continue in your browser (or open this link)' : 'open this link in your browser'}:\n  ${link}\nThe link works once. Ctrl-C (or Quit on the page) stops it.`);

  const onSignal = () => stop('signal');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const why = await stopped;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (jobs.busy) {
    ctx.out.remind('mcpm ui: waiting for the running action to finish (Ctrl-C again cancels it, as in the terminal)');
    // A second Ctrl-C is the CLI's: cleanups at once, or the action stops at its next safe point and undoes itself.
    handleInterrupts(() => process.exit(130));
  }
  await jobs.idle();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { url: origin, stoppedBy: why };
}

function send(res: http.ServerResponse, status: number, body: string, type: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function page(res: http.ServerResponse, body: string, status = 200): void {
  send(res, status, body, 'text/html; charset=utf-8');
}

/** After a POST: 303, so a reload does not post again. */
function redirect(res: http.ServerResponse, location: string): void {
  res.writeHead(303, { ...SECURITY_HEADERS, location });
  res.end();
}

/** Server-Sent Events: each line the command says, then `done` (at once for a finished action). */
function events(res: http.ServerResponse, job: ReturnType<Jobs['get']> & object): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8' });
  const write = (event: string, data: string) => res.write(`event: ${event}\n${data.split(/\r?\n/).map((line) => `data: ${line}\n`).join('')}\n`);
  if (job.ran) {
    write('done', '');
    return void res.end();
  }
  const listener = (said: { kind: string; text: string } | undefined) => {
    if (said === undefined) {
      write('done', '');
      res.end();
    } else if (said.kind !== 'afterwards') write('line', `${said.kind === 'warning' ? 'warning ' : ''}${said.text}`);
  };
  job.listeners.add(listener);
  res.on('close', () => job.listeners.delete(listener));
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw usageError('The page sends forms only', 'Use the page\'s buttons.');
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw usageError('The form is too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The policy rules in force, as the settings page lists them (the same loadPolicy that install judges by). */
async function policyInForce(ctx: Context): Promise<SettingsView['policy']> {
  const { loadPolicy } = await import('../supply/policy-load.js');
  try {
    return policyRows(loadPolicy(ctx));
  } catch (error) {
    return { error: (error as Error).message };
  }
}
