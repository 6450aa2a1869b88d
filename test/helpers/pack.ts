// Builds npm-style tarballs in memory from the fixture folders, with
// package.json overrides, so one fixture can be served at many versions (or
// with a hostile mcpName) without touching the files on disk.
import { createHash } from "node:crypto";
import { mkdir, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { Header, extract } from "tar";

export interface PackedPackage {
  name: string;
  version: string;
  /** The package.json that went into the tarball (overrides applied). */
  manifest: Record<string, unknown>;
  tarball: Buffer;
  /** Subresource-integrity string: "sha512-<base64>". */
  integrity: string;
  /** sha1 hex, the legacy dist.shasum. */
  shasum: string;
}

// npm pins every mtime to this date so tarballs are reproducible; we do the
// same, which makes integrity stable across runs.
const NPM_EPOCH = new Date("1985-10-26T08:15:00.000Z");
// Never pack local install leftovers (e.g. a canary marker from a manual run).
const SKIP = new Set(["node_modules", "INSTALL_SCRIPT_RAN", ".DS_Store"]);

export async function packFixture(
  dir: string,
  overrides: Record<string, unknown> = {},
): Promise<PackedPackage> {
  const original = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8")) as Record<
    string,
    unknown
  >;
  const manifest: Record<string, unknown> = { ...original, ...overrides };
  const name = manifest.name;
  const version = manifest.version;
  if (typeof name !== "string" || typeof version !== "string") {
    throw new Error(`${dir}: package.json needs string name and version`);
  }
  const binTargets = new Set(binFiles(manifest.bin));

  const blocks: Buffer[] = [];
  for (const rel of await listFiles(dir)) {
    const body =
      rel === "package.json"
        ? Buffer.from(JSON.stringify(manifest, null, 2) + "\n")
        : await readFile(path.join(dir, rel));
    const executable = binTargets.has(rel) || ((await stat(path.join(dir, rel))).mode & 0o111) !== 0;
    blocks.push(fileEntry(`package/${rel}`, body, executable ? 0o755 : 0o644));
  }
  blocks.push(Buffer.alloc(1024)); // two zero blocks end a tar archive

  const tarball = gzipSync(Buffer.concat(blocks));
  return {
    name,
    version,
    manifest,
    tarball,
    integrity: `sha512-${createHash("sha512").update(tarball).digest("base64")}`,
    shasum: createHash("sha1").update(tarball).digest("hex"),
  };
}

/**
 * Unpacks tarballs into `<root>/node_modules/<name>/` the way npm lays out a
 * flat tree, WITHOUT running any scripts. For tests that need an installed
 * server without going through mcpm. Returns the node_modules path.
 */
export async function extractPackages(packages: PackedPackage[], root: string): Promise<string> {
  const nodeModules = path.join(root, "node_modules");
  for (const pkg of packages) {
    const dest = path.join(nodeModules, ...pkg.name.split("/"));
    await mkdir(dest, { recursive: true });
    const file = path.join(root, `.${pkg.name.replace("/", "+")}-${pkg.version}.tgz`);
    await writeFile(file, pkg.tarball);
    await extract({ file, cwd: dest, strip: 1 });
    await rm(file);
  }
  return nodeModules;
}

function binFiles(bin: unknown): string[] {
  const norm = (p: string): string => path.posix.normalize(p.replace(/^\.\//, ""));
  if (typeof bin === "string") return [norm(bin)];
  if (bin && typeof bin === "object") {
    return Object.values(bin).filter((v): v is string => typeof v === "string").map(norm);
  }
  return [];
}

/** Relative POSIX paths of every file under dir, sorted for reproducibility. */
async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (SKIP.has(entry.name)) continue;
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

function fileEntry(entryPath: string, body: Buffer, mode: number): Buffer {
  const header = new Header({
    path: entryPath,
    mode,
    size: body.length,
    mtime: NPM_EPOCH,
    type: "File",
    uid: 0,
    gid: 0,
  });
  const block = Buffer.alloc(512);
  // encode() returns true when the entry would need a PAX header (long path);
  // fixture paths are short, so treat that as a bug rather than support it.
  if (header.encode(block, 0)) throw new Error(`tar path too long for a plain header: ${entryPath}`);
  const padding = (512 - (body.length % 512)) % 512;
  return Buffer.concat([block, body, Buffer.alloc(padding)]);
}
