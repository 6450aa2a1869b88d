// Attestation verification (src/supply/sigstore.ts), one call per case:
// - real data against sigstore's public-good trusted root as @sigstore/tuf ships it (offline): npm's attestations
//   for sigstore@0.4.0 (a SLSA v0.2 provenance bundle with a Fulcio certificate, SCT and Rekor entry, and a publish
//   attestation signed with npm's registry key), published as test fixtures by npm/pacote
//   (test/fixtures/sigstore/{valid,invalid}-attestations.json, ISC licence), copied to test/fixtures/sigstore-npm/;
// - a local sigstore (test/helpers/sigstore-world.ts: a CA, a transparency log and their trusted_root.json) for
//   every way a bundle can be wrong. The e2e side is test/supply-attestations.e2e.test.ts.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { identityProblem, sha512Hex, subjectProblem } from '../../src/supply/provenance.js';
import { verifyAttestations } from '../../src/supply/sigstore.js';
import { makeSigningKey } from '../helpers/npm-signing.js';
import { makeSigstoreWorld, type Tamper } from '../helpers/sigstore-world.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'sigstore-npm');
// npm's first registry signing key, as /-/npm/v1/keys served it (the one that signed sigstore@0.4.0's publish attestation).
const NPM_KEY = { keyid: 'SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA', key: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1Olb3zMAFFxXKHiIkQO5cJ3Yhl5i6UPp+IhuteBJbuHcA5UogKo0EWtlWwW6KSaKoTNEYL7JlCQiVnkhBktUgg==', expires: '2025-01-29T00:00:00.000Z' };
const asRegistryKey = (k: { keyid: string; key: string; expires: string | null }) => ({ ...k, pemkey: `-----BEGIN PUBLIC KEY-----\n${k.key}\n-----END PUBLIC KEY-----` });
// sigstore@0.4.0's tarball, as its attestation's subject names it.
const SIGSTORE_040 = { name: 'sigstore', version: '0.4.0', integrity: `sha512-${Buffer.from('282c0c5fa936d264321643581b65d3de5c0af6ed4fdfac12f5851115df39cc25cfaf0ad22d908487bfef30114d61c25746206d1834be4f8fd1659178f77cc004', 'hex').toString('base64')}` };
const real = (file: string) => JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8'));

describe('npm attestations against the public-good trusted root (offline)', () => {
  it('sigstore@0.4.0: provenance and publish attestation verify; a changed signature, another tarball or an expired key do not', async () => {
    expect(await verifyAttestations({}, real('valid-attestations.json'), SIGSTORE_040, [asRegistryKey(NPM_KEY)])).toEqual({
      status: 'verified',
      trustRoot: expect.stringMatching(/^sigstore public-good \(@sigstore\/tuf \d+\.\d+\.\d+ seed\)$/),
      provenance: { predicateType: 'https://slsa.dev/provenance/v0.2', repository: 'https://github.com/sigstore/sigstore-js' },
    });
    await expect(verifyAttestations({}, real('invalid-attestations.json'), SIGSTORE_040, [asRegistryKey(NPM_KEY)])).rejects.toMatchObject({
      code: 'EPROVENANCE', message: "sigstore@0.4.0's https://github.com/npm/attestation/tree/main/specs/publish/v0.1 attestation does not verify: tlog body: tlog entry signature mismatch",
    });
    const otherBytes = { ...SIGSTORE_040, integrity: `sha512-${createHash('sha512').update('x').digest('base64')}` };
    await expect(verifyAttestations({}, real('valid-attestations.json'), otherBytes, [asRegistryKey(NPM_KEY)])).rejects.toMatchObject({ code: 'EPROVENANCE', message: expect.stringContaining('it is about a tarball with sha512 282c0c5f') });
    const expiredBefore = asRegistryKey({ ...NPM_KEY, expires: '2023-01-01T00:00:00.000Z' }); // the log recorded the signature 2023-01-11
    await expect(verifyAttestations({}, real('valid-attestations.json'), SIGSTORE_040, [expiredBefore])).rejects.toMatchObject({ code: 'EPROVENANCE', message: expect.stringContaining('not valid for timestamp') });
    // A registry that publishes no keys cannot vouch for its publish attestation: not verified, said why, not refused.
    expect(await verifyAttestations({}, real('valid-attestations.json'), SIGSTORE_040, undefined)).toMatchObject({ status: 'attested', note: expect.stringContaining('the registry publishes no keys') });
    // A key the registry does not publish is refused.
    await expect(verifyAttestations({}, real('valid-attestations.json'), SIGSTORE_040, [asRegistryKey({ ...makeSigningKey(), expires: null })])).rejects.toMatchObject({ code: 'EPROVENANCE', message: expect.stringContaining('which the registry does not publish') });
  });
});

describe('a local trust root (MCPM_SIGSTORE_TRUSTED_ROOT)', () => {
  const world = makeSigstoreWorld();
  const env = { MCPM_SIGSTORE_TRUSTED_ROOT: world.trustedRootFile };
  const pkg = { name: '@acme/posts', version: '1.0.0', integrity: `sha512-${createHash('sha512').update('the tarball').digest('base64')}` };
  const repository = 'https://github.com/acme/posts';

  it('a provenance bundle and a publish attestation signed with the registry key verify; the public-good root does not know the local CA', async () => {
    const registryKey = makeSigningKey();
    const answer = world.attestations({ ...pkg, repository, registryKey });
    const keys = [asRegistryKey({ ...registryKey, expires: null })];
    expect(await verifyAttestations(env, answer, pkg, keys)).toEqual({ status: 'verified', trustRoot: world.trustedRootFile, provenance: { predicateType: 'https://slsa.dev/provenance/v1', repository } });
    await expect(verifyAttestations({}, answer, pkg, keys)).rejects.toMatchObject({ code: 'EPROVENANCE', message: expect.stringContaining('certificate: Failed to verify certificate chain') });
  });

  it('tampered, re-logged, other bytes, untrusted CA, another repository: EPROVENANCE saying why', async () => {
    const fails = (tamper: Tamper | undefined, over: { signer?: string; name?: string } = {}) =>
      verifyAttestations(env, world.attestations({ ...pkg, repository, ...(over.signer ? { signer: over.signer } : {}), ...(tamper ? { tamper } : {}) }), { ...pkg, ...(over.name ? { name: over.name } : {}) }, undefined);
    await expect(fails('payload')).rejects.toMatchObject({ code: 'EPROVENANCE', message: expect.stringContaining('tlog body: DSSE payload hash mismatch') });
    await expect(fails('signature')).rejects.toMatchObject({ code: 'EPROVENANCE', message: expect.stringContaining('signature verification failed') });
    await expect(fails('digest')).rejects.toMatchObject({ code: 'EPROVENANCE', message: expect.stringContaining('not this one') });
    await expect(fails('untrusted-ca')).rejects.toMatchObject({ code: 'EPROVENANCE', message: expect.stringContaining('no valid certificate path found') });
    await expect(fails(undefined, { name: 'posts' })).rejects.toMatchObject({ code: 'EPROVENANCE', message: expect.stringContaining('it is about pkg:npm/%40acme/posts@1.0.0, not pkg:npm/posts@1.0.0') });
    // A valid signature by mallory's workflow on a statement claiming acme's repository.
    await expect(fails(undefined, { signer: 'https://github.com/mallory/posts' })).rejects.toMatchObject({
      code: 'EPROVENANCE', message: expect.stringContaining('it was signed by a build of https://github.com/mallory/posts, not of https://github.com/acme/posts'),
    });
  });

  it('a trust root that cannot be read: attested with the reason, never a crash', async () => {
    const answer = world.attestations({ ...pkg, repository });
    expect(await verifyAttestations({ MCPM_SIGSTORE_TRUSTED_ROOT: '/nonexistent/trusted_root.json' }, answer, pkg, undefined)).toEqual({
      status: 'attested', note: 'not verified: the trusted root /nonexistent/trusted_root.json (MCPM_SIGSTORE_TRUSTED_ROOT) cannot be read (ENOENT)',
      provenance: { predicateType: 'https://slsa.dev/provenance/v1', repository },
    });
  });
});

describe('statement checks (pure)', () => {
  it('subject, sha512 and signer identity', () => {
    const integrity = `sha512-${createHash('sha512').update('t').digest('base64')}`;
    const hex = createHash('sha512').update('t').digest('hex');
    expect(sha512Hex(`sha1-abc ${integrity}`)).toBe(hex);
    expect(sha512Hex('sha1-abc')).toBeUndefined();
    const statement = { subject: [{ name: 'pkg:npm/%40a/b@1.0.0', digest: { sha512: hex } }] };
    expect(subjectProblem(statement, '@a/b', '1.0.0', integrity)).toBeUndefined();
    expect(subjectProblem(statement, '@a/b', '1.0.1', integrity)).toBe('it is about pkg:npm/%40a/b@1.0.0, not pkg:npm/%40a/b@1.0.1');
    expect(subjectProblem(undefined, '@a/b', '1.0.0', integrity)).toBe('its payload is not an in-toto statement');
    expect(subjectProblem(statement, '@a/b', '1.0.0', 'sha1-abc')).toContain('has no sha512 to compare');
    // Certificates without Fulcio's Source Repository URI: the workflow's SAN must be inside the repository.
    expect(identityProblem({ san: 'https://github.com/a/b/.github/workflows/x.yml@refs/tags/v1' }, 'https://github.com/a/b')).toBeUndefined();
    expect(identityProblem({ san: 'https://gitlab.com/a/b//.gitlab-ci.yml@refs/heads/main' }, 'https://gitlab.com/a/b')).toBeUndefined();
    expect(identityProblem({ san: 'https://github.com/a/bc/.github/workflows/x.yml@refs/tags/v1' }, 'https://github.com/a/b')).toContain('not a build of');
    expect(identityProblem({}, 'https://github.com/a/b')).toContain('names no identity');
    expect(identityProblem({ san: 'anything' }, undefined)).toBeUndefined();
    // With it, a reusable workflow of another repository signs for the repository the build ran for.
    const reusable = 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder.yml@refs/tags/v2';
    expect(identityProblem({ san: reusable, sourceRepository: 'https://github.com/A/b' }, 'https://github.com/a/b')).toBeUndefined();
    expect(identityProblem({ san: 'https://github.com/a/b/.github/workflows/x.yml@v1', sourceRepository: 'https://github.com/m/b' }, 'https://github.com/a/b')).toContain('signed by a build of https://github.com/m/b');
  });
});
