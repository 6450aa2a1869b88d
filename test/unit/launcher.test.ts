// The launcher's small pieces: how the browser is chosen, the loopback redirect listener, which environment an
// `mcpm run` entry carries, and the port a new sign-in prefers.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserCommand } from '../../src/auth/browser.js';
import { openLoopback } from '../../src/auth/loopback.js';
import { browsable } from '../../src/auth/http.js';
import { migrate, registeredPort, tokenExpiry, tokensFor } from '../../src/state/oauth-store.js';
import { dataFolderEnv, resolvePaths } from '../../src/paths.js';

const URL_WITH_AMP = 'https://as.example.com/authorize?client_id=a&state=b';

describe('browserCommand', () => {
  it('uses $BROWSER as a command given the URL, or a command line with %s, never a shell', () => {
    expect(browserCommand(URL_WITH_AMP, { BROWSER: '/usr/bin/firefox' }, 'linux')).toEqual({ command: '/usr/bin/firefox', args: [URL_WITH_AMP] });
    expect(browserCommand(URL_WITH_AMP, { BROWSER: 'chromium --new-window %s' }, 'darwin')).toEqual({ command: 'chromium', args: ['--new-window', URL_WITH_AMP] });
  });

  it('falls back to the platform opener: xdg-open only when it is on PATH, open on macOS, rundll32 on Windows', () => {
    expect(browserCommand(URL_WITH_AMP, { PATH: '/nonexistent' }, 'linux')).toBeUndefined();
    expect(browserCommand(URL_WITH_AMP, { PATH: '/nonexistent' }, 'darwin')).toBeUndefined();
    expect(browserCommand(URL_WITH_AMP, {}, 'win32')).toEqual({ command: 'rundll32.exe', args: ['url.dll,FileProtocolHandler', URL_WITH_AMP] });
    // A PATH of real folders without xdg-open in them (not node's own folder: that may be /usr/bin, which has one).
    const bin = mkdtempSync(path.join(os.tmpdir(), 'mcpm-no-opener-'));
    expect(browserCommand(URL_WITH_AMP, { PATH: bin, BROWSER: '' }, 'linux')).toBeUndefined();
    rmSync(bin, { recursive: true });
  });
});

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('openLoopback', () => {
  it('listens on 127.0.0.1, ignores answers with another state, and returns the code of the right one', async () => {
    const loopback = await openLoopback();
    try {
      expect(loopback.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      // Before the flow has its state, nothing is taken: with a state, without one, whatever it is.
      expect((await get(`${loopback.url}?code=early`)).status).toBe(400);
      expect((await get(`${loopback.url}?code=early&state=s1`)).status).toBe(400);
      loopback.expectState('s1', 'https://as.example.com');
      expect((await get(`${loopback.url}?code=evil&state=other`)).status).toBe(400);
      expect((await get(loopback.url.replace('/callback', '/elsewhere'))).status).toBe(404);
      // The browser's page waits until mcpm says how the sign-in ended.
      const page = get(`${loopback.url}?code=good&state=s1&iss=${encodeURIComponent('https://as.example.com')}`);
      const callback = await loopback.waitForCallback(1000);
      expect(callback).toMatchObject({ code: 'good', iss: 'https://as.example.com' });
      callback.finish();
      expect(await page).toEqual({ status: 200, body: expect.stringContaining('mcpm is authorized') });
      expect((await get(`${loopback.url}?code=late&state=s1`)).status).toBe(409);
    } finally {
      await loopback.close();
    }
  });

  it('reports a refusal from the authorization server as EAUTH, and a browser that never comes back', async () => {
    const loopback = await openLoopback();
    try {
      loopback.expectState('s');
      const page = await get(`${loopback.url}?error=access_denied&error_description=${encodeURIComponent('<b>no</b>')}&state=s`);
      expect(page.body).not.toContain('<b>');
      await expect(loopback.waitForCallback(1000)).rejects.toMatchObject({ code: 'EAUTH', message: expect.stringContaining('access_denied (<b>no</b>)') });
    } finally {
      await loopback.close();
    }
    const idle = await openLoopback();
    await expect(idle.waitForCallback(50)).rejects.toMatchObject({ code: 'EAUTH', message: expect.stringContaining('No answer from the browser') });
    await idle.close();
  });

  it('shows no error text from an answer that names another issuer (RFC 9207)', async () => {
    const loopback = await openLoopback();
    try {
      loopback.expectState('s', 'https://as.example.com');
      const page = await get(`${loopback.url}?error=access_denied&error_description=call+evil&iss=https%3A%2F%2Fevil.example&state=s`);
      expect(page.body).not.toContain('call evil');
      await expect(loopback.waitForCallback(1000)).rejects.toMatchObject({ code: 'EAUTH', message: expect.stringContaining('another authorization server') });
    } finally {
      await loopback.close();
    }
  });

  it('prefers the registered port, and takes another when it is busy', async () => {
    const first = await openLoopback();
    const port = Number(new URL(first.url).port);
    const second = await openLoopback(port);
    try {
      expect(Number(new URL(second.url).port)).not.toBe(port);
    } finally {
      await second.close();
      await first.close();
    }
    const again = await openLoopback(port);
    expect(Number(new URL(again.url).port)).toBe(port);
    await again.close();
  });
});

describe('dataFolderEnv', () => {
  it('passes MCPM_HOME when it is set, or when XDG_DATA_HOME moved the data folder; nothing for the default', () => {
    const home = '/home/ada';
    const custom = { HOME: home, MCPM_HOME: '/data/mcpm' };
    expect(dataFolderEnv(resolvePaths(custom), custom, 'linux', home)).toEqual({ MCPM_HOME: path.resolve('/data/mcpm') });
    const byDefault = { store: '', state: '/home/ada/.local/share/mcpm/state', secrets: '', cache: '', configFile: '', kept: '' };
    expect(dataFolderEnv(byDefault, { HOME: home }, 'linux', home)).toEqual({});
    const xdg = { ...byDefault, state: '/xdg/mcpm/state' };
    expect(dataFolderEnv(xdg, { HOME: home, XDG_DATA_HOME: '/xdg' }, 'linux', home)).toEqual({ MCPM_HOME: '/xdg/mcpm' });
    const mac = { ...byDefault, state: '/Users/ada/Library/Application Support/mcpm/state' };
    expect(dataFolderEnv(mac, { HOME: '/Users/ada' }, 'darwin', '/Users/ada')).toEqual({});
  });
});

describe('the OAuth store', () => {
  const AS = 'https://as.example.com';
  const store = (client: Record<string, unknown>) => ({ formatVersion: 2 as const, current: AS, issuers: { [AS]: { client: client as any } } });

  it('reads the registered loopback port and the token expiry', () => {
    expect(registeredPort(store({ client_id: 'c', redirect_uris: ['http://127.0.0.1:4567/callback'] }))).toBe(4567);
    expect(registeredPort(store({ client_id: 'c', redirect_uris: ['https://example.com/cb'] }))).toBeUndefined();
    expect(registeredPort({ formatVersion: 2, issuers: {} })).toBeUndefined();
    expect(tokenExpiry({ tokens: { access_token: 'a', token_type: 'bearer', expires_in: 60 }, tokensSavedAt: 1000 })).toBe(61_000);
    expect(tokenExpiry({ tokens: { access_token: 'a', token_type: 'bearer' }, tokensSavedAt: 1000 })).toBeUndefined();
  });

  it('gives tokens only for the resource they were issued for, from the current issuer', () => {
    const tokens = { access_token: 'a', token_type: 'bearer' };
    const value = { formatVersion: 2 as const, current: AS, issuers: { [AS]: { tokens, resource: 'https://mcp.example.com/mcp' } } };
    expect(tokensFor(value, 'https://mcp.example.com/mcp')?.record.tokens).toEqual(tokens);
    expect(tokensFor(value, 'https://other.example.com/mcp')).toBeUndefined();
    expect(tokensFor({ ...value, current: 'https://another-as.example.com' }, 'https://mcp.example.com/mcp')).toBeUndefined();
  });

  it('moves the file of earlier versions under its issuer, keeping tokens only when it says which resource they were for', () => {
    const old = {
      clientInformation: { client_id: 'c' },
      tokens: { access_token: 'a', token_type: 'bearer', refresh_token: 'r' },
      tokensSavedAt: 5,
      discoveryState: { authorizationServerUrl: AS, authorizationServerMetadata: { issuer: AS, revocation_endpoint: `${AS}/revoke` }, resourceMetadata: { resource: 'https://mcp.example.com/mcp' } },
    };
    expect(migrate(old)).toEqual({
      formatVersion: 2,
      current: AS,
      issuers: { [AS]: { client: { client_id: 'c', issuer: AS }, tokens: { ...old.tokens, issuer: AS }, tokensSavedAt: 5, resource: 'https://mcp.example.com/mcp', revocationEndpoint: `${AS}/revoke` } },
    });
    const unbound = migrate({ ...old, discoveryState: { authorizationServerUrl: AS } });
    expect(unbound.issuers[AS]).toEqual({ client: { client_id: 'c', issuer: AS } });
    expect(migrate({})).toEqual({ formatVersion: 2, issuers: {} });
  });
});

describe('what reaches the browser opener', () => {
  it('https, and http on a loopback address; no other scheme', () => {
    for (const ok of ['https://as.example.com/authorize', 'http://127.0.0.1:8080/authorize', 'http://localhost/authorize', 'http://[::1]/a']) expect(browsable(new URL(ok)), ok).toBe(true);
    for (const bad of ['http://as.example.com/authorize', 'file:///etc/passwd', 'smb://evil/share', 'ms-msdt:/id', 'javascript:alert(1)']) expect(browsable(new URL(bad)), bad).toBe(false);
  });
});
