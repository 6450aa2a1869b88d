// `mcpm ui` in a real browser (Debian's chromium through puppeteer-core): a person's whole path through the pages
// with the keyboard and the mouse, against the seed world (local MCP and npm registries): search github-posts, fill
// its inputs, install into Cursor, see it under Installed, disable and enable it, uninstall it. A registry
// description holding markup renders as text and runs nothing; a foreign Host, a foreign Origin and a missing token
// are refused. Screenshots of each page go to $MCPM_UI_SCREENSHOTS (the README's come from here).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTmpDirs, makeTmpDir } from '../helpers/tmp.js';
import { HOSTILE, startUi, startUiWorld, type Ui } from '../helpers/ui.js';
import { SERVER, TOKEN, type World } from '../helpers/world.js';

/** The chromium to drive: $CHROMIUM_PATH, else the first of Debian's names on PATH. */
function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      // not this one
    }
  }
  return undefined;
}

const CHROMIUM = findChromium();
if (!CHROMIUM) console.warn('test:ui skipped: no chromium found (apt install chromium, or set CHROMIUM_PATH)');

const SHOTS = process.env.MCPM_UI_SCREENSHOTS;

describe.skipIf(!CHROMIUM)('mcpm ui in chromium', () => {
  let world: World;
  let browser: import('puppeteer-core').Browser;
  let ui: Ui;
  let home: string;
  let evil: http.Server;

  beforeAll(async () => {
    world = await startUiWorld();
    home = await makeTmpDir('mcpm-ui-browser-');
    mkdirSync(path.join(home, '.cursor', 'extensions'), { recursive: true });
    ui = await startUi(home, ['--registry', world.registryUrl]);
    // Another site, whose page posts a form to mcpm ui as soon as it loads (a CSRF attempt).
    evil = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<form id="f" method="post" action="${ui.origin}/run"><input name="action" value="uninstall"><input name="name" value="${SERVER}"></form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const puppeteer = await import('puppeteer-core');
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      // evil.example resolves to 127.0.0.1 in this browser: a DNS-rebinding page and a foreign site, offline.
      args: ['--no-sandbox', '--host-resolver-rules=MAP evil.example 127.0.0.1'],
    });
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    evil?.close();
    ui?.live.child.kill();
    await world?.close();
    await cleanupTmpDirs();
  });

  async function shot(page: import('puppeteer-core').Page, name: string) {
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }

  it('a person installs github-posts into Cursor, disables, enables and uninstalls it, all from the page', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 800 });
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const cursorFile = path.join(home, '.cursor', 'mcp.json');
    const cursorEntry = () => (existsSync(cursorFile) ? JSON.parse(readFileSync(cursorFile, 'utf8')).mcpServers?.['github-posts'] : undefined);
    const text = () => page.$eval('main', (main) => (main as HTMLElement).innerText);

    await page.goto(ui.link);
    expect(page.url()).toBe(`${ui.origin}/`);
    // The search field has focus: typing and Enter search.
    await page.keyboard.type('github-posts');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(await text()).toContain(SERVER);
    await shot(page, 'discover');

    await Promise.all([page.waitForNavigation(), page.click(`a[aria-label="Details and install ${SERVER}"]`)]);
    await page.type('#in-env-POSTS_API_URL', world.postsUrl);
    await page.type('#in-env-POSTS_API_TOKEN', TOKEN);
    expect(await page.$eval('#client-cursor', (box) => (box as HTMLInputElement).checked)).toBe(true);
    await shot(page, 'install');
    await Promise.all([page.waitForNavigation(), page.click('form.install button[type=submit]')]);
    expect(await text()).toContain(`Would install ${SERVER}@2.0.0`);
    expect(await page.content()).not.toContain(TOKEN);
    await shot(page, 'plan');

    await Promise.all([page.waitForNavigation(), page.click('button.primary')]);
    // Live progress: /ui.js follows the job's events and reloads the page with the result.
    await page.waitForFunction(() => document.querySelector('main')?.textContent?.includes('Done.'), { timeout: 60_000 });
    expect(await text()).toContain('Reload Cursor (or restart it) to load the change.');
    expect(cursorEntry()).toMatchObject({ env: { POSTS_API_URL: world.postsUrl } });
    await shot(page, 'installed-result');

    await page.goto(`${ui.origin}/installed`);
    await shot(page, 'installed');
    await Promise.all([page.waitForNavigation(), page.click('button[aria-label="Disable github-posts in cursor"]')]);
    await page.waitForFunction(() => document.querySelector('main')?.textContent?.includes('Done.'));
    expect(cursorEntry()).toBeUndefined();
    await page.goto(`${ui.origin}/installed`);
    expect(await text()).toMatch(/disabled/);
    await Promise.all([page.waitForNavigation(), page.click('button[aria-label="Enable github-posts in cursor"]')]);
    await page.waitForFunction(() => document.querySelector('main')?.textContent?.includes('Done.'));
    expect(cursorEntry()).toBeDefined();

    await page.goto(`${ui.origin}/installed`);
    await Promise.all([page.waitForNavigation(), page.click('a[aria-label="Uninstall github-posts"]')]);
    await shot(page, 'uninstall');
    await Promise.all([page.waitForNavigation(), page.click('button.danger')]);
    await page.waitForFunction(() => document.querySelector('main')?.textContent?.includes('Done.'));
    expect(cursorEntry()).toBeUndefined();

    // Registry text is untrusted: the markup in a description is text on the card, and nothing ran.
    await page.goto(`${ui.origin}/?q=scripty`);
    expect(await page.$eval('.card .description', (p) => p.textContent)).toBe(HOSTILE);
    expect(await page.$$('.card script, .card img')).toHaveLength(0);
    expect(dialogs).toEqual([]);

    await page.goto(`${ui.origin}/registries`);
    await shot(page, 'registries');
    // Phone width: the install form still reads and works.
    await page.setViewport({ width: 390, height: 844, isMobile: true });
    await page.goto(`${ui.origin}/install?name=${encodeURIComponent(SERVER)}`);
    await shot(page, 'install-phone');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();
  });

  it('refuses a page without the token, a rebinding host name, and a form posted from another site', async () => {
    const stranger = await browser.createBrowserContext();
    const page = await stranger.newPage();
    const anonymous = await page.goto(`${ui.origin}/`);
    expect(anonymous?.status()).toBe(403);
    expect(await page.$eval('main', (m) => m.textContent)).toContain('Not signed in to this mcpm ui');
    const rebound = await page.goto(`http://evil.example:${ui.port}/`);
    expect(rebound?.status()).toBe(421);
    await stranger.close();

    // In the signed-in browser, a foreign site's form posting to mcpm ui is refused by its Origin.
    const victim = (await browser.pages())[0] ?? (await browser.newPage());
    await victim.goto(`${ui.origin}/`);
    const refused = victim.waitForResponse((r) => r.url() === `${ui.origin}/run`);
    await victim.goto(`http://evil.example:${(evil.address() as AddressInfo).port}/`);
    expect((await refused).status()).toBe(403);
    expect(ui.live.child.exitCode).toBeNull();

    // The page's own Quit ends mcpm ui.
    await victim.goto(`${ui.origin}/`);
    await Promise.all([victim.waitForNavigation(), victim.click('form.quit button')]);
    expect(await victim.$eval('h1', (h) => h.textContent)).toBe('mcpm ui has stopped');
    expect(await ui.live.exited).toBe(0);
  });
});
