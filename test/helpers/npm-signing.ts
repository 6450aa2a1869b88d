// A registry signing key like npm's: ECDSA P-256, published at /-/npm/v1/keys as base64 SPKI DER, signing
// "<name>@<version>:<integrity>" with SHA-256 (what pacote and `npm audit signatures` verify).
import { createHash, createSign, generateKeyPairSync, type KeyObject } from "node:crypto";

export interface SigningKey {
  keyid: string;
  /** base64 SPKI DER, as the keys endpoint serves it. */
  key: string;
  privateKey: KeyObject;
}

export function makeSigningKey(): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const der = publicKey.export({ type: "spki", format: "der" });
  return { keyid: `SHA256:${createHash("sha256").update(der).digest("base64")}`, key: der.toString("base64"), privateKey };
}

export function signRelease(key: SigningKey, id: string, integrity: string): { keyid: string; sig: string } {
  const signer = createSign("SHA256");
  signer.update(`${id}:${integrity}`);
  return { keyid: key.keyid, sig: signer.sign(key.privateKey, "base64") };
}

/**
 * A registry's attestations answer with an UNSIGNED SLSA v1 statement naming the source repository (about no
 * tarball): what mcpm refuses (EPROVENANCE). Signed bundles come from sigstore-world.ts.
 */
export function provenanceAnswer(name: string, version: string, repository: string): unknown {
  const statement = {
    _type: "https://in-toto.io/Statement/v1",
    subject: [{ name: `pkg:npm/${name.replace(/^@/, "%40")}@${version}`, digest: { sha512: "x" } }],
    predicateType: "https://slsa.dev/provenance/v1",
    predicate: { buildDefinition: { externalParameters: { workflow: { repository, path: ".github/workflows/release.yml" } } } },
  };
  return {
    attestations: [
      {
        predicateType: "https://slsa.dev/provenance/v1",
        bundle: { dsseEnvelope: { payloadType: "application/vnd.in-toto+json", payload: Buffer.from(JSON.stringify(statement)).toString("base64"), signatures: [] } },
      },
    ],
  };
}
