// Real npm registry data through mcpm's signature check (src/supply/verify.ts, pacote underneath): the npm
// registry's first public signing key as /-/npm/v1/keys served it (with its 2025-01-29 expiry) and the real
// dist.signatures of two published versions (venv@0.1.0, tool5@5.0.1), served by a local registry. The registry
// these machines reach publishes neither keys nor signatures, so this is the real-data check. tool5's publish time is
// from its registry record; venv's is approximate (only its order against the key's expiry matters).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../src/context.js';
import { checkSupply } from '../../src/supply/verify.js';
import { listenLocal, sendJson, type LocalServer } from '../helpers/http.js';

const NPM_KEY = {
  expires: '2025-01-29T00:00:00.000Z',
  keyid: 'SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA',
  keytype: 'ecdsa-sha2-nistp256',
  scheme: 'ecdsa-sha2-nistp256',
  key: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1Olb3zMAFFxXKHiIkQO5cJ3Yhl5i6UPp+IhuteBJbuHcA5UogKo0EWtlWwW6KSaKoTNEYL7JlCQiVnkhBktUgg==',
};
const RELEASES = {
  venv: { version: '0.1.0', time: '2017-07-20T00:00:00.000Z', integrity: 'sha512-RMdeiD0OJC+S2w4931iqdi5MB9xe2T/lXZbRrHxbsmQrSA+FwhPk2bIqIwbNDCmThPgNw841Q272O6EFSYhBjQ==', sig: 'MEUCICKQJCEvvV3HdhCSj3TwH9qqIWLwc0GR1m/NED/s1bPIAiEAvkTmhIDIrD4MZoI2g27+HsuxoFJhC/evORT6T2UUwSc=' },
  tool5: { version: '5.0.1', time: '2024-10-09T22:57:17.000Z', integrity: 'sha512-gPClNFHEACDPrNPIY9nQ5CtgNzXLek1VKLkenI/RRKrrWSSyIVte0HloLzyQJFW0bXgFnv5TgtcUM+xHE7B6/w==', sig: 'MEYCIQDhX2SZFZyV3rBaQp/tH0NRk1YWw6rF2KrietBA6xDIFQIhANJcAYMSl+mvNefhpxjyApSUK/CXFEnCeUSEQf113OPI' },
};

let server: LocalServer;
let tamper = false;
let late = false;
let unsigned = false;
beforeAll(async () => {
  server = await listenLocal((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    if (name === '-/npm/v1/keys') return sendJson(res, 200, { keys: [NPM_KEY] });
    const release = RELEASES[name as keyof typeof RELEASES];
    if (!release) return sendJson(res, 404, { error: 'not found' });
    // A registry (or proxy) that changed the checksum keeps the signature it cannot forge.
    const integrity = tamper ? release.integrity.replace('sha512-', 'sha512-AAAA').slice(0, release.integrity.length) : release.integrity;
    sendJson(res, 200, {
      name,
      'dist-tags': { latest: release.version },
      time: { [release.version]: late ? '2025-06-01T00:00:00.000Z' : release.time },
      versions: { [release.version]: { name, version: release.version, _id: `${name}@${release.version}`, dist: { integrity, tarball: `${server.url}/${name}/-/${name}-${release.version}.tgz`, ...(unsigned ? {} : { signatures: [{ keyid: NPM_KEY.keyid, sig: release.sig }] }) } } },
    });
  });
});
afterAll(() => server?.close());

const ctx = { now: () => Date.parse('2026-01-01T00:00:00Z'), out: { progress() {} } } as unknown as Context;
const options = () => ({ registry: `${server.url}/`, cache: mkdtempSync(path.join(os.tmpdir(), 'mcpm-npm-cache-')) });

describe('real npm registry signatures', () => {
  it('verify under the real key (published before it expired), for a package and its dependency', async () => {
    const record = await checkSupply(ctx, options(), {
      spec: 'venv@0.1.0',
      top: { name: 'venv', version: '0.1.0', integrity: RELEASES.venv.integrity },
      packages: [{ name: 'tool5', version: '5.0.1', integrity: RELEASES.tool5.integrity }],
    });
    expect(record).toEqual({ signatures: { status: 'verified', keyids: [NPM_KEY.keyid], verified: 2, unsigned: 0 }, provenance: { status: 'none' }, publishedAt: RELEASES.venv.time });
  });

  it('a changed checksum fails the real signature: ESIGNATURE', async () => {
    tamper = true;
    try {
      const integrity = RELEASES.tool5.integrity.replace('sha512-', 'sha512-AAAA').slice(0, RELEASES.tool5.integrity.length);
      await expect(checkSupply(ctx, options(), { spec: 'tool5@5.0.1', top: { name: 'tool5', version: '5.0.1', integrity }, packages: [] })).rejects.toMatchObject({
        code: 'ESIGNATURE',
        message: 'tool5@5.0.1 fails the registry signature check (EINTEGRITYSIGNATURE)',
      });
    } finally {
      tamper = false;
    }
  });

  it('no signature at all, from a registry that publishes keys: ESIGNATURE (pacote alone lets this pass)', async () => {
    unsigned = true;
    try {
      await expect(checkSupply(ctx, options(), { spec: 'venv@0.1.0', top: { name: 'venv', version: '0.1.0', integrity: RELEASES.venv.integrity }, packages: [{ name: 'tool5', version: '5.0.1', integrity: RELEASES.tool5.integrity }] })).rejects.toMatchObject({
        code: 'ESIGNATURE',
        message: expect.stringMatching(/^(venv@0\.1\.0|tool5@5\.0\.1 \(a dependency of venv@0\.1\.0\)) has no registry signature, and http:\/\/127\.0\.0\.1:\d+\/ signs its packages$/),
      });
    } finally {
      unsigned = false;
    }
  });

  it('a signature whose key had expired when the version was published: ESIGNATURE', async () => {
    late = true;
    try {
      await expect(checkSupply(ctx, options(), { spec: 'venv@0.1.0', top: { name: 'venv', version: '0.1.0', integrity: RELEASES.venv.integrity }, packages: [] })).rejects.toMatchObject({
        code: 'ESIGNATURE',
        message: 'venv@0.1.0 fails the registry signature check (EEXPIREDSIGNATUREKEY)',
      });
    } finally {
      late = false;
    }
  });
});
