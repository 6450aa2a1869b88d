// A tiny npm registry: just enough of the read API (packuments + tarballs)
// for pacote/arborist-style clients, served from in-memory packed fixtures.
import { createHash } from "node:crypto";
import type http from "node:http";
import semver from "semver";
import { describeRequest, listenLocal, sendJson } from "./http.js";
import type { PackedPackage } from "./pack.js";
import { provenanceAnswer, signRelease, type SigningKey } from "./npm-signing.js";
import type { SigstoreWorld, Tamper } from "./sigstore-world.js";

export interface NpmRegistryOptions {
  /** "name@version" whose packument advertises a wrong dist.integrity (tarball bytes stay correct). */
  corruptIntegrity?: string;
  /** When set, every request must carry "authorization: Bearer <token>", else 401. */
  token?: string;
  /**
   * Called for every tarball request before it is served; returning true means the callback answered (or chose
   * never to answer), e.g. to stall a download half way while a test kills the client.
   */
  interceptTarball?: (pkg: PackedPackage, req: http.IncomingMessage, res: http.ServerResponse) => boolean;
  /** Publish this key at /-/npm/v1/keys and sign every version's dist (dist.signatures). */
  signing?: SigningKey;
  /** "name@version"s whose signature is over other bytes (a tampered integrity), or that carry none. */
  badSignature?: string[];
  unsigned?: string[];
  /** "name@version" -> publish time (default: ordered days of January 2025). */
  times?: Record<string, string>;
  /** "name@version" -> the source repository its provenance attestation names. */
  provenance?: Record<string, string>;
  /**
   * Sign attestations with this local sigstore (and add a publish attestation signed with `signing`, as npm does);
   * without it the statement is served unsigned, which mcpm refuses.
   */
  sigstore?: SigstoreWorld;
  /** "name@version" -> how its attestation is wrong. */
  attestationTamper?: Record<string, Tamper>;
  /** Called before a packument is served; when it returns a promise, the answer waits for it. */
  holdPackument?: (name: string) => Promise<void> | undefined;
  /** Serve over HTTPS with this key and certificate (for 127.0.0.1). */
  tls?: { key: string; cert: string };
}

export interface NpmRegistry {
  /** Base URL WITH trailing slash, as npm config expects. */
  url: string;
  /** "GET /github-posts", with " +auth" appended when an authorization header was sent. */
  requests: string[];
  close(): Promise<void>;
}

const CORGI = "application/vnd.npm.install-v1+json";

export async function startNpmRegistry(
  packages: PackedPackage[],
  opts: NpmRegistryOptions = {},
): Promise<NpmRegistry> {
  const requests: string[] = [];
  const byName = new Map<string, PackedPackage[]>();
  for (const pkg of packages) byName.set(pkg.name, [...(byName.get(pkg.name) ?? []), pkg]);
  // Tarball URLs must be absolute, so the base is only known once listening.
  let base = "";

  const server = await listenLocal((req, res) => {
    requests.push(describeRequest(req));
    if (opts.token !== undefined && req.headers.authorization !== `Bearer ${opts.token}`) {
      sendJson(res, 401, { error: "unauthorized" });
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendJson(res, 405, { error: "method not allowed" });
      return;
    }
    route(req, res);
  }, opts.tls);
  base = `${server.url}/`;

  function route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const pathname = new URL(req.url ?? "/", base).pathname;
    if (pathname === "/-/npm/v1/keys") {
      if (!opts.signing) return sendJson(res, 404, { error: "not found" });
      const { keyid, key } = opts.signing;
      return sendJson(res, 200, { keys: [{ expires: null, keyid, keytype: "ecdsa-sha2-nistp256", scheme: "ecdsa-sha2-nistp256", key }] });
    }
    if (pathname.startsWith("/-/npm/v1/attestations/")) {
      const id = decodeURIComponent(pathname.slice("/-/npm/v1/attestations/".length));
      const repository = opts.provenance?.[id];
      if (!repository) return sendJson(res, 404, { error: "not found" });
      const at = id.lastIndexOf("@");
      const [name, version] = [id.slice(0, at), id.slice(at + 1)];
      const pkg = byName.get(name)?.find((p) => p.version === version);
      if (!opts.sigstore || !pkg) return sendJson(res, 200, provenanceAnswer(name, version, repository));
      const tamper = opts.attestationTamper?.[id];
      return sendJson(res, 200, opts.sigstore.attestations({ name, version, integrity: pkg.integrity, repository, ...(tamper ? { tamper } : {}), ...(opts.signing ? { registryKey: opts.signing } : {}) }));
    }
    const tarballAt = pathname.indexOf("/-/");
    if (tarballAt !== -1) {
      const name = decodeURIComponent(pathname.slice(1, tarballAt));
      const file = pathname.slice(tarballAt + 3);
      const pkg = byName.get(name)?.find((p) => tarballName(p) === file);
      if (!pkg) return sendJson(res, 404, { error: "not found" });
      if (opts.interceptTarball?.(pkg, req, res)) return;
      res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": pkg.tarball.length,
      });
      res.end(req.method === "HEAD" ? undefined : pkg.tarball);
      return;
    }
    // npm clients escape scoped names as "@scope%2fname"; decoding also
    // accepts the unescaped "@scope/name" form.
    const name = decodeURIComponent(pathname.slice(1));
    const versions = byName.get(name);
    if (!versions) return sendJson(res, 404, { error: "not found" });
    // The corgi (abbreviated) format is a subset of the full packument, so
    // serving the full document satisfies clients that ask for it.
    const corgi = (req.headers.accept ?? "").includes(CORGI);
    const answer = () => sendJson(res, 200, packument(name, versions), corgi ? CORGI : "application/json");
    const held = opts.holdPackument?.(name);
    if (held) void held.then(answer);
    else answer();
  }

  function packument(name: string, versions: PackedPackage[]): Record<string, unknown> {
    const sorted = [...versions].sort((a, b) => semver.compare(a.version, b.version));
    const latest = sorted.at(-1)?.version;
    const time: Record<string, string> = {};
    const docs: Record<string, unknown> = {};
    sorted.forEach((pkg, i) => {
      // Fake but ordered publish times: older versions published earlier.
      const id = `${name}@${pkg.version}`;
      time[pkg.version] = opts.times?.[id] ?? new Date(Date.UTC(2025, 0, 1 + i)).toISOString();
      const integrity = opts.corruptIntegrity === id ? wrongIntegrity(pkg) : pkg.integrity;
      const signed = opts.signing && !opts.unsigned?.includes(id)
        ? { signatures: [signRelease(opts.signing, id, opts.badSignature?.includes(id) ? wrongIntegrity(pkg) : integrity)] }
        : {};
      const attested = opts.provenance?.[id]
        ? { attestations: { url: `${base}-/npm/v1/attestations/${encodeURIComponent(id)}`, provenance: { predicateType: "https://slsa.dev/provenance/v1" } } }
        : {};
      docs[pkg.version] = {
        ...pkg.manifest,
        _id: id,
        dist: { tarball: `${base}${name}/-/${tarballName(pkg)}`, integrity, shasum: pkg.shasum, ...signed, ...attested },
      };
    });
    const stamps = Object.values(time);
    return {
      _id: name,
      name,
      "dist-tags": latest ? { latest } : {},
      versions: docs,
      time: { created: stamps[0], modified: stamps.at(-1), ...time },
    };
  }

  return { url: base, requests, close: server.close };
}

/** "<basename>-<version>.tgz": scoped packages drop the scope, as npm does. */
function tarballName(pkg: PackedPackage): string {
  const basename = pkg.name.startsWith("@") ? pkg.name.slice(pkg.name.indexOf("/") + 1) : pkg.name;
  return `${basename}-${pkg.version}.tgz`;
}

/** A well-formed sha512 SRI string that does not match the tarball. */
function wrongIntegrity(pkg: PackedPackage): string {
  const digest = createHash("sha512").update(pkg.tarball).update("tampered").digest("base64");
  return `sha512-${digest}`;
}
