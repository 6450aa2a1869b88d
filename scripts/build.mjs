// Builds dist/ with esbuild: the CLI and the small libraries every command needs (commander, env-paths, semver,
// jsonc-parser) are bundled, because on Node 20 resolving each package through the ESM loader costs ~5-10 ms of
// start-up. Each command is its own chunk, loaded when it runs; the heavy libraries (pacote, arborist, the MCP SDK,
// prompts) stay external and are imported only by the commands that use them.
// Type checking is `tsc --noEmit` (npm run typecheck, run by npm test).
import { cpSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
rmSync(new URL('dist', root), { recursive: true, force: true });
await build({
  entryPoints: [new URL('src/cli.ts', root).pathname, new URL('src/fast.ts', root).pathname],
  outdir: new URL('dist', root).pathname,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // jsonc-parser's "main" is a UMD build with dynamic requires; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  target: 'node20',
  sourcemap: false,
  logLevel: 'warning',
  external: [
    'pacote', '@npmcli/arborist', '@modelcontextprotocol/client', '@modelcontextprotocol/server', '@modelcontextprotocol/core', 'prompts',
    'tar', 'yaml', 'smol-toml', '@npmcli/agent', '@napi-rs/keyring', 'ora', '@pnpm/tabtab', 'ajv', 'ajv-formats',
    '@sigstore/bundle', '@sigstore/protobuf-specs', '@sigstore/tuf', '@sigstore/verify',
  ],
  // Bundled CommonJS (commander, semver) may call require() for node built-ins.
  banner: { js: "import { createRequire as __mcpmCreateRequire } from 'node:module'; const require = __mcpmCreateRequire(import.meta.url);" },
});
// Data files the code reads beside itself: the embedded index (npm run index:refresh) and the server.json schema
// (read by publish and by registry serve's publish endpoint).
for (const file of ['embedded-index.jsonl', 'embedded-search.jsonl.gz']) cpSync(new URL(`src/registry/${file}`, root), new URL(`dist/${file}`, root));
cpSync(new URL('src/registry/server.schema.json', root), new URL('dist/server.schema.json', root));
