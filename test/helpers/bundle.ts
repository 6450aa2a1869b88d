// Packs a server written with the MCP SDK v2 (test/fixtures/servers/<name>.mjs) as an npm package with no
// dependencies: esbuild bundles the SDK into its one file, as some publishers ship. The bundle is built once per
// test run into a temporary folder, and packed like the other fixtures.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { packFixture, type PackedPackage } from "./pack.js";
import { makeTmpDir } from "./tmp.js";

const SERVERS = fileURLToPath(new URL("../fixtures/servers/", import.meta.url));

export async function packBundledServer(name: string, version = "1.0.0", mcpName = `io.github.acme/${name}`): Promise<PackedPackage> {
  const dir = await makeTmpDir(`mcpm-bundle-${name}`);
  await build({
    entryPoints: [path.join(SERVERS, `${name}.mjs`)],
    outfile: path.join(dir, "index.mjs"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "error",
    // Bundled CommonJS dependencies may require() node built-ins.
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __req } from 'node:module'; const require = __req(import.meta.url);" },
  });
  await writeFile(
    path.join(dir, "package.json"),
    JSON.stringify({ name, version, description: `Test fixture: ${name}, built with the MCP SDK v2`, mcpName, type: "module", bin: { [name]: "index.mjs" }, license: "MIT" }, null, 2),
  );
  return packFixture(dir);
}
