// @module-tag deep
// Publishing: `mcpm publish` and `mcpm status set` against `mcpm registry serve <dir> --publish-token-env`, with the
// github-posts fixture on a local npm registry (its package.json names io.github.acme/github-posts as mcpName).
// One served folder for the whole file; each test publishes names of its own.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { listenLocal, sendJson } from './helpers/http.js';
import { OFFICIAL_META, SERVER_SCHEMA } from './helpers/mcp-registry.js';
import { startNpmRegistry, type NpmRegistry } from './helpers/npm-registry.js';
import { startServe, type ServedRegistry } from './helpers/serve-registry.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { packGithubPosts } from './helpers/world.js';

const TOKEN = 'publish-secret-7f1c';
const OTHER = 'other-team-secret-2b9d';
let npm: NpmRegistry;
let served: ServedRegistry;
let readOnly: ServedRegistry;
let dir: string;
let home: string;

beforeAll(async () => {
  npm = await startNpmRegistry(await packGithubPosts(['1.0.0', '1.1.0']));
  dir = await makeTmpDir('mcpm-publish-reg-');
  home = await makeTmpDir('mcpm-publish-home-');
  served = await startServe(dir, { home, args: ['--publish-token-env', 'PUB', '--namespace', 'io.github.acme', '--publish-token-env', 'OTHER:com.other'], env: { PUB: TOKEN, OTHER } });
  readOnly = await startServe(dir, { home });
});
afterAll(async () => {
  await Promise.all([served?.stop(), readOnly?.stop(), npm?.close()]);
  await cleanupTmpDirs();
});

const postsJson = (version: string, extra: Record<string, unknown> = {}) => ({
  $schema: SERVER_SCHEMA,
  name: 'io.github.acme/github-posts',
  description: 'Posts from the acme API',
  version,
  packages: [{ registryType: 'npm', registryBaseUrl: npm.url, identifier: 'github-posts', version, transport: { type: 'stdio' } }],
  ...extra,
});
const writeServerJson = (body: unknown) => {
  const file = path.join(home, `server-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(body));
  return file;
};
const mcpm = (args: string[], env: Record<string, string> = {}) => runMcpm([...args, '--json'], { home, env });

describe('mcpm publish', () => {
  it('validates, checks npm ownership, publishes with the token into a reviewable file; the version is then immutable', async () => {
    const file = writeServerJson(postsJson('1.0.0', { _meta: { 'io.modelcontextprotocol.registry/publisher-provided': { tool: 'ci', build: 7 } } }));
    const dry = await mcpm(['publish', file, '--registry', served.url, '--dry-run']);
    expect(dry.json?.result, dry.stderr).toMatchObject({ dryRun: true, name: 'io.github.acme/github-posts', ownership: [{ package: `npm github-posts@1.0.0`, result: 'ok' }] });
    expect(existsSync(path.join(dir, 'io.github.acme'))).toBe(false);

    expect((await mcpm(['publish', file, '--registry', served.url])).json.error).toMatchObject({ code: 'EUSAGE', message: 'MCPM_PUBLISH_TOKEN is not set' });
    const wrong = await mcpm(['publish', file, '--registry', served.url], { MCPM_PUBLISH_TOKEN: 'guess' });
    expect(wrong.json.error).toMatchObject({ code: 'EAUTH', message: expect.stringContaining('HTTP 401'), hint: expect.stringContaining('MCPM_PUBLISH_TOKEN') });
    const otherTeam = await mcpm(['publish', file, '--registry', served.url, '--token-env', 'TEAM_B'], { TEAM_B: OTHER });
    expect(otherTeam.json.error).toMatchObject({ code: 'EAUTH', message: expect.stringMatching(/HTTP 403.*may not publish under io\.github\.acme/) });

    const done = await mcpm(['publish', file, '--registry', served.url], { MCPM_PUBLISH_TOKEN: TOKEN });
    expect(done.json?.result, done.stderr).toMatchObject({ name: 'io.github.acme/github-posts', version: '1.0.0', registry: served.url, status: 'active', publishedAt: expect.any(String) });
    expect(done.stdout + done.stderr).not.toContain(TOKEN);
    const written = JSON.parse(readFileSync(path.join(dir, 'io.github.acme', 'github-posts', '1.0.0.json'), 'utf8'));
    expect(written.server).toEqual(postsJson('1.0.0', { _meta: { 'io.modelcontextprotocol.registry/publisher-provided': { tool: 'ci', build: 7 } } }));
    expect(written._meta[OFFICIAL_META]).toEqual({ status: 'active', publishedAt: done.json.result.publishedAt, updatedAt: done.json.result.publishedAt });
    expect(served.stderr()).toContain('Published io.github.acme/github-posts@1.0.0');

    const again = await mcpm(['publish', file, '--registry', served.url], { MCPM_PUBLISH_TOKEN: TOKEN });
    expect(again.json.error).toMatchObject({ code: 'ECONFLICT', hint: expect.stringContaining('bump the version') });

    // Readers see it at once, publisher metadata untouched; a read-only registry on the same folder does not publish.
    const latest = await (await fetch(`${served.url}/v0.1/servers/${encodeURIComponent('io.github.acme/github-posts')}/versions/latest`)).json();
    expect(latest.server._meta).toEqual({ 'io.modelcontextprotocol.registry/publisher-provided': { tool: 'ci', build: 7 } });
    const refused = await mcpm(['publish', writeServerJson(postsJson('1.1.0')), '--registry', readOnly.url], { MCPM_PUBLISH_TOKEN: TOKEN });
    expect(refused.json.error).toMatchObject({ code: 'EUNSUPPORTED', message: expect.stringContaining('HTTP 501') });
  });

  it('refuses an invalid server.json locally, and a package that names another server (EOWNERSHIP)', async () => {
    const invalid = await mcpm(['publish', writeServerJson(postsJson('2.0.0', { description: 'x'.repeat(101), packages: [{ registryType: 'npm', identifier: 'github-posts', version: 'latest' }] })), '--registry', served.url], { MCPM_PUBLISH_TOKEN: TOKEN });
    expect(invalid.code).toBe(1);
    expect(invalid.json.error).toMatchObject({ code: 'EINVALID', message: expect.stringMatching(/\/description must NOT have more than 100 characters.*\/packages\/0/) });
    const stolen = await mcpm(['publish', writeServerJson(postsJson('1.1.0', { name: 'io.github.acme/posts-clone' })), '--registry', served.url], { MCPM_PUBLISH_TOKEN: TOKEN });
    expect(stolen.json.error).toMatchObject({ code: 'EOWNERSHIP', message: 'github-posts@1.1.0 says it belongs to io.github.acme/github-posts, not to io.github.acme/posts-clone' });
    // The registry checks for itself too: a body mcpm would never send gets a 422 naming what is wrong.
    const raw = await fetch(`${served.url}/v0.1/publish`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ name: 'io.github.acme/x', version: '^1.0.0' }) });
    expect(raw.status).toBe(422);
    expect(await raw.json()).toMatchObject({ status: 422, errors: expect.arrayContaining([{ path: '', message: "must have required property 'description'" }, { path: '/version', message: expect.stringContaining('not a range') }]) });
  });

  it('status set deprecates and deletes a version; deletion reaches clients that sync, and the file keeps the server.json', async () => {
    const file = writeServerJson(postsJson('1.1.0', { name: 'io.github.acme/github-posts-status' }));
    const pkgName = 'io.github.acme/github-posts-status';
    // The package names another server: publish it anyway through the endpoint (ownership is mcpm's local check).
    await fetch(`${served.url}/v0.1/publish`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: readFileSync(file) });
    const env = { MCPM_PUBLISH_TOKEN: TOKEN };
    const sync = await mcpm(['registry', 'sync', '--registry', served.url]);
    expect(sync.json.result[0].mode).toBe('full');

    const deprecated = await mcpm(['status', 'set', `${pkgName}@1.1.0`, 'deprecated', '--message', 'use github-posts', '--registry', served.url], env);
    expect(deprecated.json?.result, deprecated.stderr).toMatchObject({ name: pkgName, status: 'deprecated', versions: ['1.1.0'], statusChangedAt: expect.any(String) });
    expect((await mcpm(['status', 'set', `${pkgName}@1.1.0`, 'deprecated', '--registry', served.url], env)).json.error).toMatchObject({ code: 'EINVALID', message: expect.stringContaining('already deprecated') });
    expect((await mcpm(['status', 'set', `${pkgName}@9.9.9`, 'deleted', '--registry', served.url], env)).json.error.code).toBe('ENOTFOUND');
    expect((await mcpm(['status', 'set', pkgName, 'deleted', '--registry', served.url], env)).json.error).toMatchObject({ code: 'EUSAGE', hint: expect.stringContaining('--all-versions') });
    expect((await mcpm(['status', 'set', `${pkgName}@1.1.0`, 'deleted', '--registry', served.url], { MCPM_PUBLISH_TOKEN: OTHER })).json.error.code).toBe('EAUTH');

    const deleted = await mcpm(['status', 'set', pkgName, 'deleted', '--all-versions', '--registry', served.url], env);
    expect(deleted.json?.result).toMatchObject({ status: 'deleted', updatedCount: 1, versions: ['1.1.0'] });
    const onDisk = JSON.parse(readFileSync(path.join(dir, 'io.github.acme', 'github-posts-status', '1.1.0.json'), 'utf8'));
    expect(onDisk.server).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    expect(onDisk._meta[OFFICIAL_META]).toMatchObject({ status: 'deleted', statusChangedAt: expect.any(String) });
    expect(onDisk._meta[OFFICIAL_META].statusMessage).toBeUndefined(); // the deprecation's reason does not explain the deletion

    const after = await mcpm(['registry', 'sync', '--registry', served.url]);
    expect(after.json.result[0]).toMatchObject({ mode: 'incremental', deleted: 1 });
    expect((await mcpm(['info', pkgName, '--registry', served.url])).json.error.code).toBe('ENOTFOUND');
  });

  it('checks an OCI image\'s label in its container registry (anonymous pull token, image index) before publishing', async () => {
    const label = 'io.github.acme/posts-image';
    const oci = await listenLocal((req, res) => {
      const url = req.url ?? '';
      if (url.startsWith('/token')) return sendJson(res, 200, { token: 'pull-token' });
      if (req.headers.authorization !== 'Bearer pull-token') {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="test",scope="repository:acme/posts:pull"` });
        return res.end();
      }
      if (url === '/v2/acme/posts/manifests/1.0.0') return sendJson(res, 200, { manifests: [{ digest: 'sha256:arm', platform: { os: 'linux', architecture: 'arm64' } }, { digest: 'sha256:amd', platform: { os: 'linux', architecture: 'amd64' } }] });
      if (url === '/v2/acme/posts/manifests/sha256:amd') return sendJson(res, 200, { config: { digest: 'sha256:cfg' } });
      if (url === '/v2/acme/posts/blobs/sha256:cfg') return sendJson(res, 200, { config: { Labels: { 'io.modelcontextprotocol.server.name': label } } });
      sendJson(res, 404, {});
    });
    try {
      const image = (name: string) => writeServerJson({ $schema: SERVER_SCHEMA, name, description: 'Posts in a container', version: '1.0.0', packages: [{ registryType: 'oci', identifier: `${new URL(oci.url).host}/acme/posts:1.0.0`, transport: { type: 'stdio' } }] });
      const ok = await mcpm(['publish', image(label), '--dry-run']);
      expect(ok.json?.result, ok.stderr).toMatchObject({ dryRun: true, ownership: [{ result: 'ok' }] });
      const other = await mcpm(['publish', image('io.github.acme/imposter'), '--dry-run']);
      expect(other.json.error).toMatchObject({ code: 'EOWNERSHIP', message: `The image ${new URL(oci.url).host}/acme/posts:1.0.0 says it belongs to ${label}, not to io.github.acme/imposter` });
    } finally {
      await oci.close();
    }
  });

  it('checks the mcp-name line of a PyPI description and a bundle\'s SHA-256 before publishing', async () => {
    const bundle = Buffer.from('not really a zip, but bytes with a known hash');
    const sha = createHash('sha256').update(bundle).digest('hex');
    const host = await listenLocal((req, res) => {
      if (req.url === '/pypi/acme-posts/1.0.0/json') return sendJson(res, 200, { info: { description: '# acme-posts\n\n<!-- mcp-name: io.github.acme/py-posts -->\n' } });
      if (req.url === '/posts.mcpb') return void res.end(bundle);
      sendJson(res, 404, {});
    });
    try {
      const server = (name: string, fileSha256: string) => writeServerJson({
        $schema: SERVER_SCHEMA, name, description: 'Posts', version: '1.0.0',
        packages: [
          { registryType: 'pypi', registryBaseUrl: host.url, identifier: 'acme-posts', version: '1.0.0', transport: { type: 'stdio' } },
          { registryType: 'mcpb', identifier: `${host.url}/posts.mcpb`, fileSha256, transport: { type: 'stdio' } },
        ],
      });
      const ok = await mcpm(['publish', server('io.github.acme/py-posts', sha), '--dry-run']);
      expect(ok.json?.result?.ownership, ok.stderr).toEqual([{ package: 'pypi acme-posts@1.0.0', result: 'ok' }, { package: `mcpb ${host.url}/posts.mcpb`, result: 'ok' }]);
      expect((await mcpm(['publish', server('io.github.acme/other', sha), '--dry-run'])).json.error).toMatchObject({ code: 'EOWNERSHIP', message: 'acme-posts==1.0.0 says it belongs to io.github.acme/py-posts, not to io.github.acme/other' });
      expect((await mcpm(['publish', server('io.github.acme/py-posts', 'f'.repeat(64)), '--dry-run'])).json.error).toMatchObject({ code: 'EINTEGRITY', message: expect.stringContaining(`has SHA-256 ${sha}`) });
    } finally {
      await host.close();
    }
  });

  it('refuses to guess the registry, and says what a registry without the endpoint means', async () => {
    const file = writeServerJson(postsJson('3.0.0'));
    expect((await mcpm(['publish', file], { MCPM_PUBLISH_TOKEN: TOKEN })).json.error).toMatchObject({ code: 'EUSAGE', message: expect.stringContaining('--registry') });
    const notARegistry = await mcpm(['publish', file, '--registry', npm.url.replace(/\/$/, '')], { MCPM_PUBLISH_TOKEN: TOKEN });
    expect(notARegistry.json.error).toMatchObject({ code: 'EUNSUPPORTED' });
  });
});
