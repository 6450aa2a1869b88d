// Stand-ins for uvx, docker, podman and dnx (none is installed on the machines these tests run on). Each is a
// /bin/sh script, executable, that runs a small node program by absolute path, so it works from an entry started
// with a PATH that has no node. The program appends its argv to a log (the tests compare it exactly) and behaves
// like the real tool where mcpm depends on it:
//   uvx --version                      prints a uv version (STUB_UV_VERSION, else a recent one);
//   uvx ... python -c <script> <pkg>   creates --cache-dir and prints the package's console scripts (the
//                                      install's pre-fetch);
//   uvx ... --env-file F ...           loads F as uv does (dotenv, single quotes), then runs the server;
//   docker pull / image inspect        succeed / print the image's RepoDigests;
//   docker run ...                     starts the server with only the environment docker would give the
//                                      container: --env-file F literally, plus each -e NAME from its own env;
//   dnx ...                            runs the server with its own environment.
// "The server" is the github-posts fixture, installed (with its dependency) under `serverRoot`.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export const STUB_DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

export interface StubCall {
  tool: string;
  argv: string[];
}

export interface RuntimeStubs {
  /** Folder to put first on PATH. */
  dir: string;
  path(tool: string): string;
  /** Every call so far, in order. */
  calls(): StubCall[];
}

const PROGRAM = String.raw`
const fs = require('node:fs');
const [tool, ...argv] = process.argv.slice(2);
fs.appendFileSync(process.env.STUB_LOG || LOG, JSON.stringify({ tool, argv }) + '\n');
const serve = (env) => {
  if (env) { for (const key of Object.keys(process.env)) delete process.env[key]; Object.assign(process.env, env); }
  require(SERVER);
};
const after = (flag) => { const i = argv.indexOf(flag); return i === -1 ? undefined : argv[i + 1]; };
if (tool === 'uvx') {
  if (argv[0] === '--version') { process.stdout.write((process.env.STUB_UV_VERSION || 'uv 0.9.5 (0123abcd 2025-10-20)') + '\n'); process.exit(0); }
  if (argv.includes('-c')) {
    fs.mkdirSync(after('--cache-dir'), { recursive: true }); // uv fills its cache there
    process.stdout.write(SCRIPTS + '\n');
    process.exit(0);
  }
  const file = after('--env-file');
  if (file) for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=((?:'[^']*'|\\')*)$/.exec(line);
    if (m) process.env[m[1]] = m[2].replace(/'([^']*)'|\\(')/g, (_, quoted, quote) => quoted ?? quote);
  }
  serve();
} else if (tool === 'docker' || tool === 'podman') {
  if (argv[0] === 'pull') process.exit(0);
  if (argv[0] === 'image' && argv[1] === 'inspect') {
    const ref = argv[argv.length - 1];
    const name = ref.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
    process.stdout.write(JSON.stringify([name + '@' + DIGEST]) + '\n');
    process.exit(0);
  }
  if (argv[0] !== 'run') { process.stderr.write('unexpected ' + argv[0] + '\n'); process.exit(2); }
  const env = {};
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-i' || a === '--rm') continue;
    if (a === '--env-file') { for (const line of fs.readFileSync(argv[++i], 'utf8').split('\n')) { const eq = line.indexOf('='); if (eq > 0 && !line.startsWith('#')) env[line.slice(0, eq)] = line.slice(eq + 1); } continue; }
    if (a === '-e') { const v = argv[++i]; const eq = v.indexOf('='); if (eq > 0) env[v.slice(0, eq)] = v.slice(eq + 1); else if (process.env[v] !== undefined) env[v] = process.env[v]; continue; }
    if (a.startsWith('-')) { i++; continue; }
    break; // the image; what follows is the container's command line
  }
  serve(env);
} else {
  serve();
}
`;

export function installRuntimeStubs(dir: string, options: { serverRoot: string; scripts?: string[]; tools?: string[] }): RuntimeStubs {
  mkdirSync(dir, { recursive: true });
  const log = path.join(dir, "calls.jsonl");
  const program = path.join(dir, "stub.cjs");
  const server = path.join(options.serverRoot, "node_modules", "github-posts", "index.js");
  writeFileSync(
    program,
    `const LOG = ${JSON.stringify(log)}; const SERVER = ${JSON.stringify(server)}; const DIGEST = ${JSON.stringify(STUB_DIGEST)}; const SCRIPTS = ${JSON.stringify(JSON.stringify(options.scripts ?? ["posts-mcp"]))};\n${PROGRAM}`,
  );
  for (const tool of options.tools ?? ["uvx", "docker", "dnx"]) {
    const file = path.join(dir, tool);
    writeFileSync(file, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(program)} ${tool} "$@"\n`);
    chmodSync(file, 0o755);
  }
  return {
    dir,
    path: (tool) => path.join(dir, tool),
    calls: () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as StubCall) : []),
  };
}
