// Provenance attestations verified with sigstore through the CLI (issue 12): a local npm registry serves, for each
// version of github-posts, a v0.3 sigstore bundle signed by a local sigstore (test/helpers/sigstore-world.ts: a CA
// for the GitHub-Actions-like certificate, a transparency log, their trusted_root.json given to mcpm by
// MCPM_SIGSTORE_TRUSTED_ROOT) and a publish attestation signed with the registry's key. A good one installs and
// `mcpm audit` shows it verified; a tampered one and one from an untrusted CA are EPROVENANCE with nothing written.
// What the public-good root verifies on real npm data is test/unit/supply-sigstore.test.ts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { startMcpRegistry, serverEntry } from './helpers/mcp-registry.js';
import { startNpmRegistry } from './helpers/npm-registry.js';
import { makeSigningKey } from './helpers/npm-signing.js';
import { packFixture } from './helpers/pack.js';
import { makeSigstoreWorld } from './helpers/sigstore-world.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { FIXTURES, SERVER } from './helpers/world.js';

const REPOSITORY = 'https://github.com/acme/github-posts';
const sigstore = makeSigstoreWorld();
let npm: Awaited<ReturnType<typeof startNpmRegistry>>;
let registry: Awaited<ReturnType<typeof startMcpRegistry>>;
let home: string;

beforeAll(async () => {
  const versions = ['1.0.0', '1.1.0', '1.2.0'];
  const packages = await Promise.all([...versions.map((version) => packFixture(`${FIXTURES}github-posts`, { version, dependencies: { 'posts-format': '1.0.0' } })), packFixture(`${FIXTURES}posts-format`, { version: '1.0.0' })]);
  npm = await startNpmRegistry(packages, {
    signing: makeSigningKey(),
    sigstore,
    provenance: Object.fromEntries(versions.map((version) => [`github-posts@${version}`, REPOSITORY])),
    attestationTamper: { 'github-posts@1.1.0': 'payload', 'github-posts@1.2.0': 'untrusted-ca' },
  });
  registry = await startMcpRegistry(versions.map((version, i) => {
    const entry = serverEntry(SERVER, version, { identifier: 'github-posts', version, registryBaseUrl: npm.url, env: [{ name: 'POSTS_API_URL', isRequired: true }] }, { isLatest: i === versions.length - 1 });
    (entry.server as Record<string, unknown>).repository = { url: `git+${REPOSITORY}.git`, source: 'github' };
    return entry;
  }));
  home = await makeTmpDir('mcpm-attest-');
});
afterAll(async () => {
  await Promise.all([npm?.close(), registry?.close()]);
  await cleanupTmpDirs();
});

const mcpm = (args: string[], env: Record<string, string> = {}) =>
  runMcpm([...args, '--registry', registry.url], { home, env: { MCPM_SIGSTORE_TRUSTED_ROOT: sigstore.trustedRootFile, ...env }, timeoutMs: 60_000 });
const install = (version: string, env?: Record<string, string>) => mcpm(['install', `${SERVER}@${version}`, '--client', 'cursor', '--env', 'POSTS_API_URL=http://127.0.0.1:9', '--json'], env);
const clientFile = () => path.join(home, '.cursor', 'mcp.json');
const tarballsOf = (version: string) => npm.requests.filter((r) => r.includes(`github-posts-${version}.tgz`));

describe('provenance attestations verified against a local sigstore trust root', () => {
  it('a good bundle installs as verified and audit says so; a tampered bundle and an untrusted CA are EPROVENANCE, nothing written', async () => {
    const good = await install('1.0.0');
    expect(good.json?.ok, good.stderr).toBe(true);
    const provenance = { status: 'verified', predicateType: 'https://slsa.dev/provenance/v1', repository: REPOSITORY, repositoryMatch: true, trustRoot: sigstore.trustedRootFile };
    expect(good.json.result.supply.provenance).toEqual(provenance);
    expect(good.stderr).not.toMatch(/provenance/i);
    const state = JSON.parse(readFileSync(path.join(home, '.mcpm', 'state', 'installed.json'), 'utf8'));
    expect(state.servers[SERVER].supply.provenance).toEqual(provenance);

    const audit = await mcpm(['audit', SERVER, '--verbose']);
    expect(audit.stdout, audit.stderr).toContain(`ok    provenance: verified source ${REPOSITORY}, server.json's repository (verified against ${sigstore.trustedRootFile})`);

    const before = readFileSync(clientFile(), 'utf8');
    const tampered = await install('1.1.0');
    expect(tampered.json?.error, tampered.stderr).toMatchObject({
      code: 'EPROVENANCE',
      message: "github-posts@1.1.0's https://slsa.dev/provenance/v1 attestation does not verify: tlog body: DSSE payload hash mismatch",
      hint: expect.stringContaining('Nothing was installed.'),
    });
    const untrusted = await install('1.2.0');
    expect(untrusted.json?.error, untrusted.stderr).toMatchObject({ code: 'EPROVENANCE', message: expect.stringContaining('certificate: Failed to verify certificate chain (no valid certificate path found)') });
    expect(tampered.code).toBe(1);
    expect(readFileSync(clientFile(), 'utf8'), 'the client file is untouched').toBe(before);
    expect([...tarballsOf('1.1.0'), ...tarballsOf('1.2.0')], 'refused before any tarball of theirs was fetched').toEqual([]);
    for (const version of ['1.1.0', '1.2.0']) expect(existsSync(path.join(home, '.mcpm', 'store', ...SERVER.split('/'), version)), `${version} not in the store`).toBe(false);
  });

  it('a trust root that cannot be read leaves the attestation unverified (a warning), which require-provenance refuses', { tags: ['deep'] }, async () => {
    home = await makeTmpDir('mcpm-attest-noroot-'); // a store that has not seen 1.0.0, so the registry is asked
    const missing = { MCPM_SIGSTORE_TRUSTED_ROOT: path.join(home, 'no-such-root.json') };
    const policy = path.join(home, 'org-policy.json');
    writeFileSync(policy, JSON.stringify({ policy: { 'require-provenance': true } }));
    const refused = await install('1.0.0', { ...missing, MCPM_POLICY: policy });
    expect(refused.json?.error, refused.stderr).toMatchObject({ code: 'EPOLICY', message: expect.stringContaining(`require-provenance: ${SERVER}'s provenance attestation is not verified (not verified: the trusted root ${missing.MCPM_SIGSTORE_TRUSTED_ROOT} (MCPM_SIGSTORE_TRUSTED_ROOT) cannot be read (ENOENT))`) });

    const warned = await install('1.0.0', missing);
    expect(warned.json?.ok, warned.stderr).toBe(true);
    expect(warned.json.result.supply.provenance).toMatchObject({ status: 'attested', repository: REPOSITORY, note: expect.stringContaining('cannot be read (ENOENT)') });
    expect(warned.stderr).toContain("github-posts@1.0.0's provenance attestation is not verified: the trusted root");
  });
});
