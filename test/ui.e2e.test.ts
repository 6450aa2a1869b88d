// `mcpm ui` without a browser: its routes as a browser would use them, against the seed world (a local MCP
// registry and npm registry). One case for the security model, one for the whole Discover -> Install -> Installed
// life of github-posts in Cursor; both read what a person would see on the pages, and the files mcpm wrote.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { makeTmpDir, cleanupTmpDirs } from './helpers/tmp.js';
import { decode, readable, startUi, startUiWorld } from './helpers/ui.js';
import { SERVER, TOKEN, type World } from './helpers/world.js';

let world: World;

beforeAll(async () => {
  world = await startUiWorld();
});
afterAll(async () => {
  await world.close();
  await cleanupTmpDirs();
});

describe('mcpm ui', () => {
  it('answers only its own page: loopback Host, the one-time link then the cookie, same-origin posts, no CORS, a strict CSP', async () => {
    const home = await makeTmpDir('mcpm-ui-');
    const ui = await startUi(home, ['--registry', world.registryUrl]);
    expect(ui.live.stderr()).toMatch(/mcpm ui is running at http:\/\/127\.0\.0\.1:\d+; open this link in your browser:\n {2}http:\/\/127\.0\.0\.1:\d+\/\?token=/);

    const anonymous = await ui.get('/');
    expect(anonymous.status).toBe(403);
    expect(readable(anonymous.body)).toContain('Not signed in to this mcpm ui');
    // DNS rebinding: a page at another name resolving to 127.0.0.1 sends its own Host.
    const rebound = await ui.request('GET', ui.link.slice(ui.origin.length), { headers: { host: `evil.example:${ui.port}` } });
    expect(rebound.status).toBe(421);

    const first = await ui.signIn();
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    expect(first.headers['set-cookie']?.[0]).toMatch(new RegExp(`^mcpm_ui_${ui.port}=[\\w-]+; HttpOnly; SameSite=Strict; Path=/$`));
    const again = await ui.request('GET', ui.link.slice(ui.origin.length), { cookie: false });
    expect(again.status).toBe(403);
    expect(readable(again.body)).toContain('This link has already been used');

    const home1 = await ui.get('/');
    expect(home1.status).toBe(200);
    expect(home1.headers['content-security-policy']).toBe("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    expect(home1.body).not.toMatch(/<script>|<style>| on\w+=/);
    const script = await ui.get('/ui.js');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');

    // CSRF: a form on another site posts with its own Origin, or none.
    for (const headers of [{ origin: 'http://evil.example' }, {}]) {
      const forged = await ui.request('POST', '/quit', { headers, form: {} });
      expect(forged.status).toBe(403);
      expect(readable(forged.body)).toContain('Refused a change sent from another site');
    }
    const preflight = await ui.request('OPTIONS', '/run', { headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(405);
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);

    expect(ui.live.child.exitCode).toBeNull();
    ui.live.child.kill('SIGINT');
    expect(await ui.live.exited).toBe(0);
    expect(ui.live.stdout().toString()).toContain('mcpm ui stopped (Ctrl-C)');
  });

  it('discovers, installs with masked inputs after showing the plan, updates, then disables, enables and uninstalls in Cursor', async () => {
    const home = await makeTmpDir('mcpm-ui-');
    mkdirSync(path.join(home, '.cursor', 'extensions'), { recursive: true });
    const cursorFile = path.join(home, '.cursor', 'mcp.json');
    // The user's own entry, which no registry server matches: listed as not managed, and kept through everything.
    const WEATHER = { command: 'npx', args: ['-y', 'weather-mcp'] };
    writeFileSync(cursorFile, JSON.stringify({ mcpServers: { weather: WEATHER } }, null, 2));
    const cursorEntry = (key = 'github-posts') => JSON.parse(readFileSync(cursorFile, 'utf8')).mcpServers?.[key];
    const ui = await startUi(home, ['--registry', world.registryUrl]);
    await ui.signIn();
    expect(readable((await ui.get('/installed?scan=1')).body)).toContain(`Entries mcpm does not manage weather in cursor ${cursorFile} npx -y weather-mcp No registry server matches it.`);

    const found = readable((await ui.get('/?q=github-posts')).body);
    expect(found).toContain(`${SERVER} publisher io.github.acme version 2.0.0 npm`);
    // Registry text is untrusted: a description holding markup is shown as the text it is.
    const hostile = await ui.get('/?q=scripty');
    expect(hostile.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(hostile.body).not.toContain('<script>alert');

    const form = await ui.get(`/install?name=${encodeURIComponent(SERVER)}`);
    expect(form.body).toMatch(/<input id="in-env-POSTS_API_TOKEN" name="env:POSTS_API_TOKEN" type="password" value=""/);
    expect(form.body).toMatch(/<input type="checkbox" id="client-cursor" name="client" value="cursor" checked><label for="client-cursor">Cursor <span class="badge">detected<\/span>/);
    expect(readable(form.body)).toContain('Versions 1.0.0, 1.1.0, 2.0.0');

    // A required input left empty: the CLI's own message and hint, and the typed values back, the secret never.
    const cli = await runMcpm(['install', SERVER, '--client', 'cursor', '--dry-run', '--env', 'POSTS_API_TOKEN=x', '--registry', world.registryUrl], { home });
    const [message, hint] = cli.stderr.trim().split('\n').slice(-2);
    const missing = await ui.post('/install/plan', { name: SERVER, client: 'cursor', scope: 'user', 'env:POSTS_API_TOKEN': TOKEN, 'env:POSTS_API_URL': '' });
    expect(missing.status).toBe(400);
    expect(readable(missing.body)).toContain(message!);
    expect(readable(missing.body)).toContain(hint!);
    expect(missing.body).not.toContain(TOKEN);

    const fields = { name: SERVER, client: 'cursor', scope: 'user', version: '1.1.0', 'env:POSTS_API_URL': world.postsUrl, 'env:POSTS_API_TOKEN': TOKEN };
    const plan = await ui.post('/install/plan', fields);
    expect(plan.status).toBe(200);
    const dryRun = await runMcpm(['install', `${SERVER}@1.1.0`, '--client', 'cursor', '--dry-run', '--env', `POSTS_API_URL=${world.postsUrl}`, '--env', `POSTS_API_TOKEN=${TOKEN}`, '--registry', world.registryUrl], { home });
    expect(decode(/<pre class="plan">([^]*?)<\/pre>/.exec(plan.body)![1]!)).toBe(dryRun.stdout.trim());
    expect(plan.body).not.toContain('shell');
    expect(plan.body).not.toContain(TOKEN);
    expect(cursorEntry()).toBeUndefined();

    const draft = /name="draft" value="([\w-]+)"/.exec(plan.body)![1]!;
    const applying = await ui.post('/install/apply', { draft });
    // The live progress stream (what /ui.js shows while it runs) ends with `done` when the install has ended.
    const stream = await ui.get(`${applying.headers.location}/events`);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.body).toMatch(/event: done\n/);
    const installed = await ui.finish(applying);
    const done = readable(installed.body);
    expect(done).toContain(`Installed ${SERVER}@1.1.0 as "github-posts" in cursor (${cursorFile})`);
    expect(done).toContain('Reload Cursor (or restart it) to load the change.');
    expect(cursorEntry()).toMatchObject({ env: { POSTS_API_URL: world.postsUrl } });
    expect(installed.body).not.toContain(TOKEN);
    // The same plan cannot be carried out twice.
    expect((await ui.post('/install/apply', { draft })).status).toBe(400);

    // 2.0.0 is out, outside the recorded range (exactly 1.1.0, as asked): offered as such; after the update, rollback is offered.
    const before = await ui.get('/installed');
    expect(readable(before.body)).toMatch(/github-posts io\.github\.acme\/github-posts 1\.1\.0 2\.0\.0 is out \(outside the recorded range 1\.1\.0\) enabled Disable Update to 2\.0\.0 Check Uninstall…/);
    const updated = readable((await ui.finish(await ui.post('/run', { action: 'update', name: SERVER, latest: 'yes' }))).body);
    expect(updated).toContain(`Updated ${SERVER} 1.1.0 -> 2.0.0`);
    expect(updated).toContain('Reload Cursor (or restart it) to load the change.');
    const table = readable((await ui.get('/installed')).body);
    expect(table).toMatch(/github-posts io\.github\.acme\/github-posts 2\.0\.0 enabled Disable Check Roll back Uninstall…/);

    const disabled = readable((await ui.finish(await ui.post('/run', { action: 'disable', name: SERVER, client: 'cursor' }))).body);
    expect(disabled).toContain(`Disabled ${SERVER} in cursor`);
    // Cursor has no switch of its own: the entry leaves its file and mcpm keeps it.
    expect(cursorEntry()).toBeUndefined();
    expect(readable((await ui.get('/installed')).body)).toMatch(/2\.0\.0 disabled Enable/);
    const enabled = await ui.finish(await ui.post('/run', { action: 'enable', name: SERVER, client: 'cursor' }));
    expect(readable(enabled.body)).toContain(`Enabled ${SERVER} in cursor`);
    expect(cursorEntry()).toMatchObject({ env: { POSTS_API_URL: world.postsUrl } });
    const confirm = readable((await ui.get(`/uninstall?name=${encodeURIComponent(SERVER)}`)).body);
    expect(confirm).toContain(`the entry “github-posts” in cursor (user): ${cursorFile}`);
    const removed = readable((await ui.finish(await ui.post('/run', { action: 'uninstall', name: SERVER }))).body);
    expect(removed).toContain(`Removed ${SERVER}@2.0.0 from: cursor (user): ${cursorFile}`);
    expect(cursorEntry()).toBeUndefined();
    expect(cursorEntry('weather')).toEqual(WEATHER);
    expect(readable((await ui.get('/installed')).body)).toContain('No servers installed yet');

    await ui.post('/quit', {});
    expect(await ui.live.exited).toBe(0);
    expect(ui.live.stdout().toString()).toContain('mcpm ui stopped (Quit on the page)');
  });
});
