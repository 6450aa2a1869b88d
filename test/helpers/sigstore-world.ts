// A sigstore of our own, for attestation tests without the internet: a CA standing in for Fulcio (certificates
// made with the openssl CLI, keys with node crypto), a transparency log standing in for Rekor (an ECDSA key that
// signs each entry's promise and a one-entry tree's checkpoint), and the trusted_root.json naming both. It signs
// in-toto statements about fixture packages the way npm's provenance does: a DSSE envelope signed by a short-lived
// certificate whose SAN is the GitHub Actions workflow of the repository, in a v0.3 bundle with a dsse 0.0.1 log
// entry. No CT log: the trusted root names none, so mcpm requires no SCT for it.
import { execFileSync } from "node:child_process";
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { SigningKey } from "./npm-signing.js";

const SLSA_V1 = "https://slsa.dev/provenance/v1";
const PUBLISH = "https://github.com/npm/attestation/tree/main/specs/publish/v0.1";
const IN_TOTO = "application/vnd.in-toto+json";
const LOG_URL = "https://rekor.mcpm.test";
const LOG_ORIGIN = "rekor.mcpm.test";

/** How a served attestation is wrong, for the refusal tests. */
export type Tamper =
  | "payload" // the statement was changed after it was signed and logged
  | "signature" // changed after it was signed, and the log entry made for the changed one: only the DSSE signature tells
  | "digest" // a true signature over a statement about another tarball
  | "untrusted-ca"; // a certificate from a CA the trusted root does not name

export interface AttestationRequest {
  name: string;
  version: string;
  /** The tarball's SRI integrity (sha512-...). */
  integrity: string;
  /** The repository the statement names; the certificate is that repository's release workflow. */
  repository: string;
  tamper?: Tamper;
  /** The repository whose workflow signs (default: the one the statement names). */
  signer?: string;
  /** Also serve a publish attestation signed with this registry key (keyid), as npm does. */
  registryKey?: SigningKey;
}

export interface SigstoreWorld {
  /** trusted_root.json naming the CA and the log, for MCPM_SIGSTORE_TRUSTED_ROOT. */
  trustedRootFile: string;
  /** A registry's `/-/npm/v1/attestations/<name>@<version>` answer. */
  attestations(request: AttestationRequest): unknown;
}

interface Ca {
  key: KeyObject;
  keyFile: string;
  certFile: string;
}

export function makeSigstoreWorld(): SigstoreWorld {
  const dir = mkdtempSync(path.join(tmpdir(), "mcpm-sigstore-"));
  const trusted = makeCa(dir, "trusted");
  const untrusted = makeCa(dir, "untrusted");
  const log = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const logDer = log.publicKey.export({ type: "spki", format: "der" });
  const logId = createHash("sha256").update(logDer).digest();
  const start = "2020-01-01T00:00:00.000Z";
  const trustedRootFile = path.join(dir, "trusted_root.json");
  writeFileSync(trustedRootFile, JSON.stringify({
    mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    tlogs: [{ baseUrl: LOG_URL, hashAlgorithm: "SHA2_256", publicKey: { rawBytes: logDer.toString("base64"), keyDetails: "PKIX_ECDSA_P256_SHA_256", validFor: { start } }, logId: { keyId: logId.toString("base64") } }],
    certificateAuthorities: [{ subject: { organization: "mcpm test", commonName: "mcpm test CA" }, uri: "https://fulcio.mcpm.test", certChain: { certificates: [{ rawBytes: derOf(readFileSync(trusted.certFile, "utf8")).toString("base64") }] }, validFor: { start } }],
    ctlogs: [],
    timestampAuthorities: [],
  }));

  const leaves = new Map<string, { key: KeyObject; pem: string }>();
  let logIndex = 0;

  /** A tlog entry for a DSSE envelope, as Rekor v1 returns it: signed entry timestamp and one-leaf inclusion proof. */
  function logEntry(payload: Buffer, signature: Buffer, verifierPem: string) {
    const body = canonical({
      apiVersion: "0.0.1",
      kind: "dsse",
      spec: {
        envelopeHash: { algorithm: "sha256", value: createHash("sha256").update(payload).digest("hex") },
        payloadHash: { algorithm: "sha256", value: createHash("sha256").update(payload).digest("hex") },
        signatures: [{ signature: signature.toString("base64"), verifier: Buffer.from(verifierPem).toString("base64") }],
      },
    });
    const index = logIndex++;
    // Just after the certificate was issued (openssl's notBefore is "now"), within its day of validity.
    const integratedTime = Math.floor(Date.now() / 1000) + 5;
    const promise = canonical({ body: Buffer.from(body).toString("base64"), integratedTime, logID: logId.toString("hex"), logIndex: index });
    const rootHash = createHash("sha256").update(Buffer.from([0])).update(body).digest();
    const note = `${LOG_ORIGIN} - 1\n1\n${rootHash.toString("base64")}\n`;
    const noteSignature = Buffer.concat([logId.subarray(0, 4), sign("sha256", Buffer.from(note), log.privateKey)]);
    return {
      logIndex: String(index),
      logId: { keyId: logId.toString("base64") },
      kindVersion: { kind: "dsse", version: "0.0.1" },
      integratedTime: String(integratedTime),
      inclusionPromise: { signedEntryTimestamp: sign("sha256", Buffer.from(promise), log.privateKey).toString("base64") },
      // A tree of one entry: the root is the leaf's hash, the proof has no hashes.
      inclusionProof: { logIndex: "0", rootHash: rootHash.toString("base64"), treeSize: "1", hashes: [], checkpoint: { envelope: `${note}\n\u2014 ${LOG_ORIGIN} ${noteSignature.toString("base64")}\n` } },
      canonicalizedBody: Buffer.from(body).toString("base64"),
    };
  }

  function leafFor(repository: string, ca: Ca) {
    const san = `${repository}/.github/workflows/release.yml@refs/heads/main`;
    const cacheKey = `${ca.certFile} ${san}`;
    let leaf = leaves.get(cacheKey);
    if (!leaf) {
      const key = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
      const stem = path.join(dir, `leaf-${leaves.size}`);
      writeFileSync(`${stem}.key`, key.export({ type: "pkcs8", format: "pem" }));
      writeFileSync(`${stem}.ext`, [
        `subjectAltName=critical,URI:${san}`,
        "keyUsage=critical,digitalSignature",
        "extendedKeyUsage=codeSigning",
        "subjectKeyIdentifier=hash",
        "authorityKeyIdentifier=keyid",
        "1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:https://token.actions.githubusercontent.com",
        // Fulcio's Source Repository URI, which mcpm compares with the statement's repository.
        `1.3.6.1.4.1.57264.1.12=ASN1:UTF8String:${repository}`,
      ].join("\n"));
      openssl(["req", "-new", "-key", `${stem}.key`, "-subj", "/O=sigstore.dev", "-out", `${stem}.csr`]);
      openssl(["x509", "-req", "-in", `${stem}.csr`, "-CA", ca.certFile, "-CAkey", ca.keyFile, "-set_serial", String(1000 + leaves.size), "-days", "1", "-extfile", `${stem}.ext`, "-out", `${stem}.pem`]);
      leaf = { key, pem: readFileSync(`${stem}.pem`, "utf8") };
      leaves.set(cacheKey, leaf);
    }
    return leaf;
  }

  function envelope(statement: unknown, key: KeyObject, keyid: string) {
    const payload = Buffer.from(JSON.stringify(statement));
    const signature = sign("sha256", pae(IN_TOTO, payload), key);
    return { payload, signature, dsse: { payload: payload.toString("base64"), payloadType: IN_TOTO, signatures: [{ sig: signature.toString("base64"), keyid }] } };
  }

  return {
    trustedRootFile,
    attestations(request) {
      const digest = request.tamper === "digest" ? createHash("sha512").update("another tarball").digest("hex") : sha512Hex(request.integrity);
      const statement = {
        _type: "https://in-toto.io/Statement/v1",
        subject: [{ name: `pkg:npm/${request.name.replace(/^@/, "%40")}@${request.version}`, digest: { sha512: digest } }],
        predicateType: SLSA_V1,
        predicate: {
          buildDefinition: { buildType: "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1", externalParameters: { workflow: { ref: "refs/heads/main", repository: request.repository, path: ".github/workflows/release.yml" } } },
          runDetails: { builder: { id: "https://github.com/actions/runner/github-hosted" } },
        },
      };
      const leaf = leafFor(request.signer ?? request.repository, request.tamper === "untrusted-ca" ? untrusted : trusted);
      const signed = envelope(statement, leaf.key, "");
      const changed = Buffer.from(JSON.stringify({ ...statement, predicate: { ...statement.predicate, runDetails: { builder: { id: "https://evil.example/runner" } } } }));
      const entry = logEntry(request.tamper === "signature" ? changed : signed.payload, signed.signature, leaf.pem);
      if (request.tamper === "payload" || request.tamper === "signature") signed.dsse.payload = changed.toString("base64");
      const list: unknown[] = [{
        predicateType: SLSA_V1,
        bundle: { mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json", verificationMaterial: { certificate: { rawBytes: derOf(leaf.pem).toString("base64") }, tlogEntries: [entry] }, dsseEnvelope: signed.dsse },
      }];
      if (request.registryKey) {
        const { keyid, privateKey, key } = request.registryKey;
        const publish = { ...statement, predicateType: PUBLISH, predicate: { name: request.name, version: request.version, registry: "https://registry.npmjs.org" } };
        const registrySigned = envelope(publish, privateKey, keyid);
        const pem = `-----BEGIN PUBLIC KEY-----\n${key}\n-----END PUBLIC KEY-----\n`;
        list.push({
          predicateType: PUBLISH,
          bundle: { mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json", verificationMaterial: { publicKey: { hint: keyid }, tlogEntries: [logEntry(registrySigned.payload, registrySigned.signature, pem)] }, dsseEnvelope: registrySigned.dsse },
        });
      }
      return { attestations: list };
    },
  };

  function makeCa(where: string, name: string): Ca {
    const key = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const keyFile = path.join(where, `${name}-ca.key`);
    const certFile = path.join(where, `${name}-ca.pem`);
    writeFileSync(keyFile, key.export({ type: "pkcs8", format: "pem" }));
    openssl(["req", "-new", "-x509", "-key", keyFile, "-subj", `/O=mcpm test/CN=mcpm ${name} CA`, "-days", "30", "-out", certFile,
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    return { key, keyFile, certFile };
  }
}

/** DSSE's pre-authentication encoding: what the envelope's signature is over. */
function pae(type: string, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${payload.length} `), payload]);
}

/** JSON with sorted keys and no spaces: Rekor's canonical form (enough for the plain values used here). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  return JSON.stringify(value);
}

function derOf(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
}

function sha512Hex(integrity: string): string {
  return Buffer.from(integrity.replace(/^sha512-/, ""), "base64").toString("hex");
}

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

