// The npm side of an install uses the user's npm settings (.npmrc auth per registry) and checks engines.node.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { listenLocal } from './helpers/http.js';
import { readNpmConfig } from '../src/store/npm-config.js';
import { startMcpRegistry, serverEntry } from './helpers/mcp-registry.js';
import { startNpmRegistry } from './helpers/npm-registry.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { packGithubPosts, TOKEN } from './helpers/world.js';

afterAll(cleanupTmpDirs);

const inputs = ['--env', 'POSTS_API_URL=http://127.0.0.1:9', '--env', `POSTS_API_TOKEN=${TOKEN}`, '--client', 'claude-desktop', '--json'];

describe('npm settings', () => {
  it('sends the auth token from ~/.npmrc to the registry it is configured for', async () => {
    const npm = await startNpmRegistry(await packGithubPosts(['1.0.0']), { token: 'npm-registry-token' });
    const registry = await startMcpRegistry([serverEntry('io.github.acme/github-posts', '1.0.0', { identifier: 'github-posts', version: '1.0.0', registryBaseUrl: npm.url })]);
    try {
      const home = await makeTmpDir('mcpm-npmrc-');
      const refused = await runMcpm(['install', 'github-posts', '--registry', registry.url, ...inputs], { home });
      expect(refused.json?.error, refused.stderr).toMatchObject({ code: 'EPACKAGE', message: expect.stringContaining('E401') });

      const nerfDart = npm.url.replace(/^https?:/, '');
      writeFileSync(path.join(home, '.npmrc'), `; written by the test\n${nerfDart}:_authToken=\${NPM_TEST_TOKEN}\n`);
      const run = await runMcpm(['install', 'github-posts', '--registry', registry.url, ...inputs], { home, env: { NPM_TEST_TOKEN: 'npm-registry-token' } });
      expect(run.json, run.stderr).toMatchObject({ ok: true, result: { version: '1.0.0' } });
      expect(npm.requests.some((r) => r.includes('+auth'))).toBe(true);
      expect(run.stdout + run.stderr).not.toContain('npm-registry-token');
    } finally {
      await Promise.all([npm.close(), registry.close()]);
    }
  });

  it('trusts the certificate authorities of npm\'s cafile, and only those', async () => {
    const dir = await makeTmpDir('mcpm-cafile-');
    const tls = localCertificate(dir);
    const npm = await startNpmRegistry(await packGithubPosts(['1.0.0']), { tls });
    const registry = await startMcpRegistry([serverEntry('io.github.acme/github-posts', '1.0.0', { identifier: 'github-posts', version: '1.0.0', registryBaseUrl: npm.url })]);
    try {
      const home = await makeTmpDir('mcpm-cafile-home-');
      // The machine's own authorities (NODE_EXTRA_CA_CERTS and the like) do not include the test's.
      const untrusted = await runMcpm(['install', 'github-posts', '--registry', registry.url, ...inputs], { home });
      expect(untrusted.json?.error, untrusted.stderr).toMatchObject({ code: 'ENETWORK', message: expect.stringContaining('certificate'), hint: expect.stringContaining('cafile=') });

      writeFileSync(path.join(home, '.npmrc'), `cafile=${tls.caFile}\n`);
      const trusted = await runMcpm(['install', 'github-posts', '--registry', registry.url, ...inputs], { home });
      expect(trusted.json, trusted.stderr).toMatchObject({ ok: true, result: { version: '1.0.0' } });
      expect(npm.requests.some((r) => r.startsWith('GET /github-posts/-/'))).toBe(true);
    } finally {
      await Promise.all([npm.close(), registry.close()]);
    }
  });

  it('parses the cafile once into a shared agent, unless a client certificate needs the list per request', async () => {
    const dir = await makeTmpDir('mcpm-cafile-unit-');
    const { caFile } = localCertificate(dir);
    writeFileSync(path.join(dir, '.npmrc'), `cafile=${caFile}\n`);
    const env = { npm_config_globalconfig: path.join(dir, 'none') };
    // Handed as a list, every request joined 200 KB of PEM into its pool name and every connection parsed it again.
    const shared = readNpmConfig(env, dir);
    expect(shared.ca).toBeUndefined();
    expect(typeof shared.agent).toBe('function');
    const agent = (shared.agent as () => { options: { secureContext?: unknown } })();
    expect(agent.options.secureContext).toBeDefined();
    expect((shared.agent as () => unknown)()).toBe(agent);
    // Every reading of the settings in one run shares it (and its connections).
    expect((readNpmConfig(env, dir).agent as () => unknown)()).toBe(agent);

    writeFileSync(path.join(dir, '.npmrc'), `cafile=${caFile}\n//127.0.0.1:1/:certfile=${caFile}\n`);
    const perRequest = readNpmConfig(env, dir);
    expect(perRequest.agent).toBeUndefined();
    expect(perRequest.ca).toEqual([readFileSync(caFile, 'utf8').trim()]);
  });

  it('goes through the proxy of the npm settings when a cafile is set too (the agent that carries the authorities)', { tags: ['deep'] }, async () => {
    const npm = await startNpmRegistry(await packGithubPosts(['1.0.0']));
    const registry = await startMcpRegistry([serverEntry('io.github.acme/github-posts', '1.0.0', { identifier: 'github-posts', version: '1.0.0', registryBaseUrl: npm.url })]);
    // A forward proxy for plain http: the client asks it for absolute URLs, and it fetches them.
    const proxied: string[] = [];
    const proxy = await listenLocal((req, res) => {
      proxied.push(`${req.method} ${req.url}`);
      const target = new URL(req.url ?? '/');
      const upstream = http.request({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    try {
      const home = await makeTmpDir('mcpm-proxy-');
      const { caFile } = localCertificate(home);
      writeFileSync(path.join(home, '.npmrc'), `cafile=${caFile}\nproxy=${proxy.url}/\n`);
      const run = await runMcpm(['install', 'github-posts', '--registry', registry.url, ...inputs], { home });
      expect(run.json, run.stderr).toMatchObject({ ok: true, result: { version: '1.0.0' } });
      expect(proxied.some((r) => r.startsWith(`GET ${npm.url}github-posts/-/`))).toBe(true);
    } finally {
      await Promise.all([npm.close(), registry.close(), proxy.close()]);
    }
  });

  it('warns when engines.node excludes the node that will run it, and fails under --engine-strict', async () => {
    const packages = await packGithubPosts(['1.0.0'], { engines: { node: '>=99' } });
    const npm = await startNpmRegistry(packages);
    const registry = await startMcpRegistry([serverEntry('io.github.acme/github-posts', '1.0.0', { identifier: 'github-posts', version: '1.0.0', registryBaseUrl: npm.url })]);
    try {
      const home = await makeTmpDir('mcpm-engines-');
      const strict = await runMcpm(['install', 'github-posts', '--registry', registry.url, '--engine-strict', ...inputs], { home });
      expect(strict.json?.error, strict.stderr).toMatchObject({ code: 'EENGINE', message: expect.stringContaining('wants node >=99') });
      const lenient = await runMcpm(['install', 'github-posts', '--registry', registry.url, ...inputs], { home });
      expect(lenient.json?.ok, lenient.stderr).toBe(true);
      expect(lenient.stderr).toMatch(/warning .*wants node >=99/);
    } finally {
      await Promise.all([npm.close(), registry.close()]);
    }
  });
});

/** A certificate authority of the test's own and a certificate for 127.0.0.1 that it signed (openssl CLI). */
function localCertificate(dir: string): { key: string; cert: string; caFile: string } {
  const at = (name: string) => path.join(dir, name);
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-subj', '/CN=mcpm test npm CA', '-days', '2']);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(at('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(['x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-set_serial', '2', '-days', '2', '-extfile', at('server.ext'), '-out', at('server.pem')]);
  return { key: readFileSync(at('server.key'), 'utf8'), cert: readFileSync(at('server.pem'), 'utf8'), caFile: at('ca.pem') };
}
