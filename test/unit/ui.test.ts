// The pure parts of `mcpm ui`: the template's escaping, the security decisions on a request, and how a posted form
// becomes the command line the CLI would run.
import { describe, expect, it } from 'vitest';
import { actionFor } from '../../src/ui/actions.js';
import { admit, type Keys } from '../../src/ui/guard.js';
import { html, safeHref } from '../../src/ui/html.js';
import { installInvocation, refill } from '../../src/ui/install-form.js';
import { policyRows } from '../../src/ui/pages/registries.js';

describe('the page template', () => {
  it('escapes every value, in text and in attributes, and keeps only its own markup', () => {
    const hostile = `"><script>alert('x')</script>&`;
    expect(html`<p title="${hostile}">${hostile}</p>`.text).toBe('<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>');
    expect(html`<ul>${['a<', 'b'].map((x) => html`<li>${x}</li>`)}</ul>${false}${undefined}`.text).toBe('<ul><li>a&lt;</li><li>b</li></ul>');
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref('https://github.com/acme/x')).toBe('https://github.com/acme/x');
  });
});

describe('who may use the page', () => {
  const keys = (): Keys => ({ port: 4000, urlToken: 'tok', session: 'sess' });
  const host = '127.0.0.1:4000';

  it('trades the one-time token for an HttpOnly, SameSite=Strict cookie once, then asks for the cookie', () => {
    const k = keys();
    expect(admit({ method: 'GET', url: '/installed?token=tok&x=1', host }, k)).toEqual({ kind: 'trade', location: '/installed?x=1', cookie: 'mcpm_ui_4000=sess; HttpOnly; SameSite=Strict; Path=/' });
    expect(admit({ method: 'GET', url: '/?token=tok', host }, k)).toMatchObject({ kind: 'refuse', status: 403 });
    expect(admit({ method: 'GET', url: '/', host }, k)).toMatchObject({ kind: 'refuse', status: 403, message: 'Not signed in to this mcpm ui' });
    expect(admit({ method: 'GET', url: '/', host, cookie: 'mcpm_ui_4001=sess2; mcpm_ui_4000=sess' }, k)).toEqual({ kind: 'ok' });
    expect(admit({ method: 'GET', url: '/', host, cookie: 'mcpm_ui_4000=guess; mcpm_ui_4001=sess' }, k)).toMatchObject({ kind: 'refuse' });
    expect(admit({ method: 'GET', url: '/?token=wrong', host }, keys())).toMatchObject({ kind: 'refuse', status: 403 });
  });

  it('refuses another Host (DNS rebinding), a POST from another origin or none (CSRF), and other methods', () => {
    const k = keys();
    const cookie = 'mcpm_ui_4000=sess';
    expect(admit({ method: 'GET', url: '/?token=tok', host: 'evil.example:4000' }, k)).toMatchObject({ kind: 'refuse', status: 421 });
    expect(admit({ method: 'GET', url: '/', host: '127.0.0.1:4001', cookie }, k)).toMatchObject({ kind: 'refuse', status: 421 });
    expect(k.urlToken).toBe('tok');
    expect(admit({ method: 'POST', url: '/run', host, cookie, origin: 'http://evil.example' }, k)).toMatchObject({ kind: 'refuse', status: 403 });
    expect(admit({ method: 'POST', url: '/run', host, cookie }, k)).toMatchObject({ kind: 'refuse', status: 403 });
    expect(admit({ method: 'POST', url: '/run', host, cookie, origin: 'http://127.0.0.1:4000' }, k)).toEqual({ kind: 'ok' });
    expect(admit({ method: 'PUT', url: '/run', host, cookie, origin: 'http://127.0.0.1:4000' }, k)).toMatchObject({ kind: 'refuse', status: 405 });
  });
});

describe('a posted form as the CLI command it runs', () => {
  it('install: inputs as --env/--arg (empty ones not given, a repeated one per line), clients, scope, version', () => {
    const form = new URLSearchParams([
      ['name', 'io.github.acme/github-posts'], ['version', '1.1.0'], ['client', 'cursor'], ['client', 'vscode'], ['scope', 'project'],
      ['env:POSTS_API_URL', 'http://x'], ['env:POSTS_API_TOKEN', 's3cret'], ['env:EMPTY', ''], ['arg:dir', '/a\r\n/b'],
    ]);
    expect(installInvocation(form, true)).toEqual({
      title: 'install io.github.acme/github-posts@1.1.0',
      command: 'install',
      input: { args: { name: 'io.github.acme/github-posts@1.1.0' }, options: { client: ['cursor', 'vscode'], env: ['POSTS_API_URL=http://x', 'POSTS_API_TOKEN=s3cret'], arg: ['dir=/a', 'dir=/b'], secret: true, typed: false, scope: 'project', dryRun: true } },
    });
    const requests = [
      { kind: 'env' as const, name: 'POSTS_API_URL', isRequired: true, isSecret: false },
      { kind: 'env' as const, name: 'POSTS_API_TOKEN', isRequired: true, isSecret: true },
    ];
    expect(refill(form, requests)).toEqual({ 'env:POSTS_API_URL': 'http://x' });
  });

  it('buttons: each names one command with the arguments commander would give it; anything else is refused', () => {
    const post = (fields: Record<string, string>) => actionFor(new URLSearchParams(fields));
    expect(post({ action: 'disable', name: 'memory', client: 'cursor' })).toMatchObject({ command: 'disable', input: { args: { name: 'memory' }, options: { client: ['cursor'] } } });
    expect(post({ action: 'update', name: 'memory', latest: 'yes' })).toMatchObject({ command: 'update', input: { args: { names: ['memory'] }, options: { latest: true } } });
    expect(post({ action: 'registry-add', url: 'https://r.example', last: 'yes' })).toMatchObject({ command: 'registry add', input: { args: { url: 'https://r.example' }, options: { last: true } } });
    expect(() => post({ action: 'publish', name: 'x' })).toThrow('Unknown action "publish"');
    expect(() => post({ action: 'uninstall' })).toThrow('uninstall needs a server name');
  });
});

describe('the policy on the settings page', () => {
  it('one row per rule set, named as `mcpm config set policy.<rule>` names it, with where it is set', () => {
    const rows = policyRows({
      requireSignatures: { value: true, from: 'policy.require-signatures in /home/ada/.config/mcpm/config.json' },
      minReleaseAge: { value: 7 * 86_400_000, from: 'org.json (MCPM_POLICY)' },
      allowedRegistries: { value: [{ spec: 'team', url: 'https://registry.team.example' }], from: 'org.json (MCPM_POLICY)' },
      deny: { value: ['io.github.evil/*'], from: 'org.json (MCPM_POLICY)' },
    });
    expect(rows).toEqual([
      { rule: 'require-signatures', value: 'true', from: 'policy.require-signatures in /home/ada/.config/mcpm/config.json' },
      { rule: 'min-release-age', value: '7 days', from: 'org.json (MCPM_POLICY)' },
      { rule: 'allowed-registries', value: 'team', from: 'org.json (MCPM_POLICY)' },
      { rule: 'deny', value: 'io.github.evil/*', from: 'org.json (MCPM_POLICY)' },
    ]);
    expect(policyRows({})).toEqual([]);
  });
});
