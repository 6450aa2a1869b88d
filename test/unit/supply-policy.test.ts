// The pure half of issue 12's supply chain: the policy's rules, how the user's and the organisation's policies
// combine, what a provenance statement says, and which lock differences refuse an install.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Context } from '../../src/context.js';
import { describeAge, evaluatePolicy, matchesPattern, type Policy } from '../../src/supply/policy.js';
import { loadPolicy, minReleaseAge } from '../../src/supply/policy-load.js';
import { attestedRepository, listAttestations, normalizeRepository, sameRepository } from '../../src/supply/provenance.js';
import { lockDifferences, type SupplyRecord } from '../../src/supply/record.js';

const by = <T>(value: T) => ({ value, from: 'test' });
const NAME = 'io.github.acme/posts';

describe('evaluatePolicy', () => {
  const everything: Policy = {
    allowedRegistries: by([{ spec: 'official', url: 'https://registry.modelcontextprotocol.io' }]),
    requireSignatures: by(true),
    requireProvenance: by(true),
    minReleaseAge: by(7 * 86_400_000),
    deny: by(['io.github.evil/*', 'left-pad']),
    blockOnDrift: by(true),
    blockOnFindings: by(true),
  };
  const rules = (facts: Parameters<typeof evaluatePolicy>[1], policy = everything) => evaluatePolicy(policy, facts).map((v) => v.rule);

  it('a server that meets every rule breaks none; facts not known yet are not judged', () => {
    expect(rules({ server: NAME })).toEqual([]);
    expect(rules({ server: NAME, registry: 'https://registry.modelcontextprotocol.io/', signatures: 'verified', provenance: 'verified', repositoryMatch: true, publishedAt: '2025-01-01T00:00:00Z', now: Date.parse('2025-02-01T00:00:00Z'), drift: false, findings: false })).toEqual([]);
    expect(rules({ server: NAME, signatures: 'not-applicable', provenance: 'not-applicable' })).toEqual([]);
  });

  it('each rule fires on its own fact, and names where it was set', () => {
    expect(rules({ server: 'io.github.evil/x' })).toEqual(['deny']);
    expect(rules({ server: NAME, identifier: 'left-pad' })).toEqual(['deny']);
    expect(rules({ server: NAME, registry: 'https://team.example' })).toEqual(['allowed-registries']);
    expect(rules({ server: NAME, signatures: 'unsigned' })).toEqual(['require-signatures']);
    expect(rules({ server: NAME, signatures: 'unknown' })).toEqual(['require-signatures']);
    expect(rules({ server: NAME, provenance: 'none' })).toEqual(['require-provenance']);
    expect(rules({ server: NAME, provenance: 'verified', repositoryMatch: false })).toEqual(['require-provenance']);
    expect(rules({ server: NAME, provenance: 'verified' })).toEqual([]);
    // An attestation that could not be verified proves nothing: require-provenance wants it verified.
    expect(evaluatePolicy(everything, { server: NAME, provenance: 'attested', provenanceNote: 'not verified: no trust root' }).map((v) => v.message)).toEqual([`${NAME}'s provenance attestation is not verified (not verified: no trust root)`]);
    expect(evaluatePolicy(everything, { server: NAME, provenance: 'attested', repositoryMatch: true }).map((v) => v.message)).toEqual([`${NAME}'s provenance attestation is not verified (recorded before mcpm verified attestations)`]);
    expect(rules({ server: NAME, drift: true, findings: true })).toEqual(['block-on-drift', 'block-on-findings']);
    const young = evaluatePolicy(everything, { server: NAME, publishedAt: '2025-01-30T00:00:00Z', now: Date.parse('2025-02-01T00:00:00Z') });
    expect(young).toEqual([{ rule: 'min-release-age', setting: 'test', message: `${NAME} was published 2025-01-30T00:00:00Z, less than 7 days ago (eligible 2025-02-06T00:00:00.000Z)` }]);
  });

  it('rules that are off do not fire', () => {
    expect(rules({ server: 'io.github.evil/x', signatures: 'unsigned', provenance: 'none', drift: true, findings: true }, { requireSignatures: by(false), requireProvenance: by(false), blockOnDrift: by(false) })).toEqual([]);
  });

  it('patterns: * is any run of characters, everything else literal, case-insensitive', () => {
    expect(matchesPattern('io.github.evil/*', 'IO.GITHUB.EVIL/tool')).toBe(true);
    expect(matchesPattern('io.github.evil/*', 'io.githubXevil/tool')).toBe(false);
    expect(matchesPattern('*-shell', 'run-shell')).toBe(true);
    expect(matchesPattern('exact', 'exactly')).toBe(false);
    expect(describeAge(7 * 86_400_000)).toBe('7 days');
    expect(describeAge(36 * 3_600_000)).toBe('36 hours');
  });
});

describe('loadPolicy: the user\'s settings and the organisation\'s file, the stricter wins', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpm-policy-'));
  const ctxWith = (settings: Record<string, unknown>, org?: unknown) => {
    const file = path.join(dir, `org-${Math.random().toString(36).slice(2)}.json`);
    if (org !== undefined) writeFileSync(file, typeof org === 'string' ? org : JSON.stringify(org));
    return { settings: () => settings, paths: { configFile: '/home/u/.mcpm/config.json' }, env: org === undefined ? {} : { MCPM_POLICY: file }, cwd: dir, now: () => 0 } as unknown as Context;
  };

  it('combines: booleans either, the longer age, deny lists together, only registries both allow', () => {
    const ctx = ctxWith(
      { policy: { deny: 'a,b', 'require-signatures': false, 'min-release-age': 86_400_000, 'allowed-registries': ['official', 'https://team.example'] }, 'min-release-age': 3 * 86_400_000 },
      { policy: { deny: ['c'], 'require-signatures': true, 'min-release-age': '2d', 'allowed-registries': ['https://team.example/'] } },
    );
    const policy = loadPolicy(ctx);
    expect(policy.deny?.value).toEqual(['c', 'a', 'b']);
    expect(policy.requireSignatures?.value).toBe(true);
    expect(policy.requireSignatures?.from).toMatch(/\(MCPM_POLICY\) and policy\.require-signatures in \/home\/u\/\.mcpm\/config\.json$/);
    expect(policy.minReleaseAge?.value).toBe(2 * 86_400_000);
    expect(policy.allowedRegistries?.value).toEqual([{ spec: 'https://team.example/', url: 'https://team.example' }]);
    // The preference (3 days) is longer than the policy's (2 days): it is the cut-off, and says where it is set.
    expect(minReleaseAge(ctx, policy)).toEqual({ value: 3 * 86_400_000, from: 'min-release-age in /home/u/.mcpm/config.json' });
  });

  it('names become registry URLs; a flat org file works too', () => {
    const policy = loadPolicy(ctxWith({}, { 'allowed-registries': ['official'], 'block-on-drift': 'true' }));
    expect(policy.allowedRegistries?.value).toEqual([{ spec: 'official', url: 'https://registry.modelcontextprotocol.io' }]);
    expect(policy.blockOnDrift?.value).toBe(true);
  });

  it('a policy that cannot be read is EPOLICY, never half applied', () => {
    expect(() => loadPolicy(ctxWith({}, '{ not json'))).toThrow(expect.objectContaining({ code: 'EPOLICY' }));
    expect(() => loadPolicy(ctxWith({ policy: { 'require-signatures': 'yes' } }))).toThrow(expect.objectContaining({ code: 'EPOLICY', message: expect.stringContaining('require-signatures is not true or false') }));
    const missing = { settings: () => ({}), paths: { configFile: 'c' }, env: { MCPM_POLICY: path.join(dir, 'nope.json') }, cwd: dir } as unknown as Context;
    expect(() => loadPolicy(missing)).toThrow(expect.objectContaining({ code: 'EPOLICY', message: expect.stringContaining('cannot be read (ENOENT)') }));
  });
});

describe('provenance statements', () => {
  const bundle = (predicateType: string, statement: unknown) => ({ attestations: [{ predicateType, bundle: { dsseEnvelope: { payload: Buffer.from(JSON.stringify(statement)).toString('base64') } } }] });

  it('reads the statements of an attestations answer and the source repository of SLSA v1 and v0.2', () => {
    const v1 = bundle('https://slsa.dev/provenance/v1', { subject: [{ name: 'pkg:npm/%40acme/posts@1.0.0' }], predicate: { buildDefinition: { externalParameters: { workflow: { repository: 'https://github.com/Acme/Posts' } } } } });
    const [read] = listAttestations(v1);
    expect(read).toMatchObject({ predicateType: 'https://slsa.dev/provenance/v1', statement: { subject: [{ name: 'pkg:npm/%40acme/posts@1.0.0' }] } });
    expect(attestedRepository(read!.statement!, read!.predicateType)).toBe('https://github.com/acme/posts');
    const v02 = bundle('https://slsa.dev/provenance/v0.2', { subject: [{ name: 'pkg:npm/posts@2.0.0' }], predicate: { invocation: { configSource: { uri: 'git+https://github.com/acme/posts@refs/heads/main' } } } });
    const [old] = listAttestations(v02);
    expect(attestedRepository(old!.statement!, old!.predicateType)).toBe('https://github.com/acme/posts');
    expect(listAttestations({ attestations: [{ predicateType: 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1' }] })).toEqual([{ predicateType: 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1', bundle: undefined }]);
    expect(listAttestations({ attestations: [{ predicateType: 'x', bundle: { dsseEnvelope: { payload: 'bm90IGpzb24=', signatures: [{ keyid: 'k1' }] } } }] })[0]).not.toHaveProperty('statement');
    expect(listAttestations('garbage')).toEqual([]);
  });

  it('compares repositories however they are written', () => {
    expect(normalizeRepository('git+https://github.com/acme/posts.git')).toBe('https://github.com/acme/posts');
    expect(normalizeRepository('git@github.com:acme/posts.git')).toBe('https://github.com/acme/posts');
    expect(normalizeRepository('not a url')).toBeUndefined();
    expect(sameRepository('https://github.com/acme/posts', 'git+https://github.com/Acme/posts.git')).toBe(true);
    expect(sameRepository('https://github.com/mallory/posts', 'https://github.com/acme/posts')).toBe(false);
    expect(sameRepository('https://github.com/acme/posts', undefined)).toBeUndefined();
  });
});

describe('a lock\'s supply record', () => {
  const record = (signatures: 'verified' | 'unsigned', provenance: 'verified' | 'attested' | 'none', repository?: string, keyids = ['k1'], note?: string): SupplyRecord => ({
    signatures: { status: signatures, keyids, verified: 1, unsigned: 0 },
    provenance: { status: provenance, ...(repository ? { repository } : {}), ...(note ? { note } : {}) },
  });

  it('refuses what lowers trust, not gains or key rotation', () => {
    expect(lockDifferences(record('verified', 'attested', 'https://github.com/a/b'), record('unsigned', 'none'))).toEqual([
      'registry signatures: the lock recorded verified, the registry now gives unsigned',
      'provenance: the lock recorded an attestation, the registry now serves none',
    ]);
    expect(lockDifferences(record('verified', 'attested', 'https://github.com/a/b'), record('verified', 'attested', 'https://github.com/c/b'))).toEqual([
      'provenance: the lock recorded source https://github.com/a/b, the attestation now says https://github.com/c/b',
    ]);
    expect(lockDifferences(record('unsigned', 'none'), record('verified', 'attested', 'https://github.com/a/b'))).toEqual([]);
    // A lock that recorded a verified attestation refuses one that can no longer be verified; attested -> verified is a gain.
    expect(lockDifferences(record('verified', 'verified', 'https://github.com/a/b'), record('verified', 'attested', 'https://github.com/a/b', ['k1'], 'not verified: no trust root'))).toEqual([
      'provenance: the lock recorded a verified attestation, now it is not verified (not verified: no trust root)',
    ]);
    expect(lockDifferences(record('verified', 'attested', 'https://github.com/a/b'), record('verified', 'verified', 'https://github.com/a/b'))).toEqual([]);
    expect(lockDifferences(record('verified', 'none', undefined, ['old']), record('verified', 'none', undefined, ['new']))).toEqual([]);
    expect(lockDifferences(undefined, record('unsigned', 'none'))).toEqual([]);
  });
});
