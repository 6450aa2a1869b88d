// The content store's figures, side by side in one run (issue 17):
//   - reinstall of memory whose files are in the store (after `mcpm uninstall`, the version folder gone) vs pnpm 12's
//     `pnpm add` of the same package with a warm pnpm store, in a fresh project: both only link (and, for the
//     runtime's share, pnpm 10's, the last pnpm in JavaScript)
//   - install with the store emptied (uninstall + prune) and npm's cache warm vs `npm install` with a warm cache
//   - cold install (every cache empty, the registry over the network) vs `npm install` with an empty cache
//   - peak memory of those installs
//   - disk: five servers of the embedded index, each upgraded from its previous version (kept for rollback)
//   - `mcpm check` of 20 entries
// Needs the public npm registry. BENCH_ONLY=store runs these rows alone.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const rssHook = fileURLToPath(new URL('./maxrss.mjs', import.meta.url));
// The embedded index ships gzipped: the snapshot, and the search index whose header names the well-known servers.
const embeddedFile = (name) => fileURLToPath(new URL(`../../src/registry/${name}`, import.meta.url));
const gunzipJson = (name) => gunzipSync(readFileSync(embeddedFile(name))).toString('utf8');
const PNPM = 'pnpm@12.4.2';
// pnpm 12 is a native executable (no node start); pnpm 10 is the last pnpm written in JavaScript, on node as mcpm is.
// Its row says what linking costs on the same runtime; the goal stays pnpm 12's.
const PNPM_JS = 'pnpm@10.34.9';
const FIVE = ['memory', 'everything', 'sequential-thinking', 'filesystem', 'context7'];

function run(command, args, options) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { ...options, encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stdout}${result.stderr}`);
  return { ms, stdout: result.stdout };
}

/** Returns rows { what, samples, unit?, goal? } for the caller's table. */
export function benchStore({ bin, runs, linkRuns = runs, coldRuns, env }) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mcpm-bench-store-'));
  const mcpmEnv = { ...env, HOME: home, MCPM_HOME: path.join(home, '.mcpm') };
  const mcpm = (args, extraEnv = {}) => run(process.execPath, [bin, ...args], { env: { ...mcpmEnv, ...extraEnv } });
  const install = (name, extra = []) => ['install', name, '--registry', 'embedded', '--client', 'claude-desktop', ...extra];
  const rssLog = path.join(home, 'rss.log');
  const withRss = (log) => ({ NODE_OPTIONS: `--import=${rssHook}`, BENCH_RSS_LOG: log });

  // Warm every cache once (network).
  const first = JSON.parse(mcpm([...install('memory'), '--json']).stdout).result.package;
  const spec = `${first.identifier}@${first.version}`;
  const npmEnv = (cache) => ({ ...env, HOME: home, npm_config_cache: cache, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' });
  const npmInstall = (cache) => {
    const dir = mkdtempSync(path.join(home, 'npm-'));
    writeFileSync(path.join(dir, 'package.json'), '{"private":true}');
    try {
      return run('npm', ['install', '--ignore-scripts', '--no-package-lock', spec], { cwd: dir, env: npmEnv(cache) }).ms;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const npmCache = path.join(home, 'npm-cache');
  npmInstall(npmCache);
  run('npm', ['install', '--prefix', path.join(home, 'pnpm-tool'), '--no-audit', '--no-fund', PNPM], { env: npmEnv(npmCache) });
  run('npm', ['install', '--prefix', path.join(home, 'pnpm-js-tool'), '--no-audit', '--no-fund', PNPM_JS], { env: npmEnv(npmCache) });
  const pnpmBin = path.join(home, 'pnpm-tool', 'node_modules', '.bin', 'pnpm');
  const pnpmJsBin = path.join(home, 'pnpm-js-tool', 'node_modules', '.bin', 'pnpm');
  const addWith = (bin, store, extra = []) => {
    const dir = mkdtempSync(path.join(home, 'pnpm-'));
    writeFileSync(path.join(dir, 'package.json'), '{"private":true}');
    try {
      return run(bin, ['add', spec, '--store-dir', path.join(home, store), '--ignore-scripts', ...extra], { cwd: dir, env: { ...env, HOME: home, CI: '1' } }).ms;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const pnpmAdd = () => addWith(pnpmBin, 'pnpm-store');
  // --offline: from its store and metadata cache, as mcpm's reinstall (pnpm 10 otherwise asks the registry first).
  const pnpmJsAdd = () => addWith(pnpmJsBin, 'pnpm-js-store', ['--offline']);
  pnpmAdd(); // warm pnpm's store and metadata cache
  addWith(pnpmJsBin, 'pnpm-js-store');

  const samples = { linked: [], pnpm: [], pnpmJs: [], emptied: [], npm: [], uninstall: [], prune: [], rssLinked: [], rssEmptied: [], cold: [], npmCold: [] };
  // Linking takes about half a second, and pnpm 12's own time varies by a fifth between runs: mcpm and the two pnpm
  // alternate more often than the installs that download. The timed runs carry no instrumentation (the peak
  // memory hook costs a node start some 15 ms); the memory is read from a run of its own.
  for (let i = 0; i < linkRuns; i++) {
    samples.uninstall.push(mcpm(['uninstall', 'memory']).ms);
    samples.linked.push(mcpm(install('memory')).ms);
    samples.pnpm.push(pnpmAdd());
    samples.pnpmJs.push(pnpmJsAdd());
    if (i < runs) {
      mcpm(['uninstall', 'memory']);
      mcpm(install('memory'), withRss(`${rssLog}.linked`));
    }
  }
  for (let i = 0; i < runs; i++) {
    mcpm(['uninstall', 'memory']);
    samples.prune.push(mcpm(['prune']).ms);
    samples.emptied.push(mcpm(install('memory'), withRss(`${rssLog}.emptied`)).ms);
    samples.npm.push(npmInstall(npmCache));
  }
  const rss = (file) => readFileSync(file, 'utf8').trim().split('\n').map((kib) => Number(kib) / 1024);
  samples.rssLinked = rss(`${rssLog}.linked`);
  samples.rssEmptied = rss(`${rssLog}.emptied`);

  for (let i = 0; i < coldRuns; i++) {
    const cold = path.join(home, `cold-${i}`);
    samples.cold.push(run(process.execPath, [bin, ...install('memory')], { env: { ...env, HOME: cold, MCPM_HOME: path.join(cold, '.mcpm') } }).ms);
    samples.npmCold.push(npmInstall(path.join(cold, 'npm-cache')));
    rmSync(cold, { recursive: true, force: true });
  }

  const disk = fiveServers(mcpm, home, env);
  const check = checkTwenty(mcpm, home);
  rmSync(home, { recursive: true, force: true });
  return [
    { what: `mcpm install memory, its files in the store (after uninstall: version folder absent)`, samples: samples.linked, goal: { under: 300, versus: 'pnpm' } },
    { what: `pnpm add ${spec} (pnpm 12, warm store, fresh project)`, samples: samples.pnpm, key: 'pnpm' },
    { what: `pnpm add ${spec} --offline (pnpm 10, the last pnpm in JavaScript; warm store, fresh project)`, samples: samples.pnpmJs },
    { what: 'mcpm install memory, store emptied (uninstall + prune), npm cache warm', samples: samples.emptied, goal: { versus: 'npm-warm' } },
    { what: `npm install ${spec}, warm npm cache, no scripts`, samples: samples.npm, key: 'npm-warm' },
    { what: 'mcpm install memory, cold (empty caches, registry over the network)', samples: samples.cold, goal: { versus: 'npm-cold' } },
    { what: `npm install ${spec}, cold (empty cache)`, samples: samples.npmCold, key: 'npm-cold' },
    { what: 'mcpm uninstall', samples: samples.uninstall },
    { what: 'mcpm prune (one version, its files)', samples: samples.prune },
    { what: 'peak memory of mcpm install, files in the store (MiB)', samples: samples.rssLinked, unit: 'MiB' },
    { what: 'peak memory of mcpm install, store emptied (MiB)', samples: samples.rssEmptied, unit: 'MiB', goal: { maxMiB: 176 } },
    { what: `disk: the store with ${FIVE.join(', ')}, each with its previous version kept for rollback`, result: `${disk.mb.toFixed(1)} MB (${disk.unshared.toFixed(1)} MB without sharing, as one folder per version would take; pnpm, the same ten versions in ten projects: ${disk.pnpm.toFixed(1)} MB)`, goal: disk.mb <= 80 ? '<= 80 MB: met' : '<= 80 MB: NOT met' },
    { what: 'mcpm check of 20 entries (memory; a few at a time)', samples: check },
  ];
}

/** The five servers at their previous versions, then upgraded (the previous kept for rollback); the store's size. */
function fiveServers(mcpm, home, env) {
  mcpm(['uninstall', 'memory']);
  mcpm(['prune']);
  const index = { servers: readFileSync(embeddedFile('embedded-index.jsonl'), 'utf8').trim().split('\n').slice(1).map((line) => JSON.parse(line)) };
  // The snapshot has other servers named memory or filesystem: the ones `mcpm install <name>` picks are the well-known.
  const wellKnown = new Set(JSON.parse(gunzipJson('embedded-search.jsonl.gz').split('\n')[0]).wellKnown);
  const entries = index.servers.filter((e) => wellKnown.has(e.server.name) && FIVE.some((n) => e.server.name.endsWith(`/${n}`) || e.server.name.endsWith(`/server-${n}`)));
  const previous = entries.map((entry) => {
    const pkg = entry.server.packages[0];
    const versions = JSON.parse(run('npm', ['view', pkg.identifier, 'versions', '--json'], { env: { ...env, HOME: home } }).stdout);
    const before = versions[versions.indexOf(pkg.version) - 1];
    return { ...entry, server: { ...entry.server, version: before, packages: [{ ...pkg, version: before }] } };
  });
  const file = path.join(home, 'previous-index.json');
  writeFileSync(file, JSON.stringify({ servers: previous }));
  const extra = (name) => (name === 'filesystem' ? ['--arg', `allowed_directory=${home}`] : []);
  for (const name of FIVE) mcpm(['install', name, '--registry', file, '--client', 'claude-desktop', ...extra(name)]);
  // --yes: each was installed from the previous-versions file; moving it to the embedded index is what this does.
  for (const name of FIVE) mcpm(['install', name, '--registry', 'embedded', '--client', 'claude-desktop', '--yes', ...extra(name)]);
  const store = path.join(home, '.mcpm', 'store');
  const kib = (args, paths) => Number(run('du', ['-c', ...args, ...paths], {}).stdout.trim().split('\n').pop().split(/\s/)[0]);
  // The same ten versions with pnpm: one project each, one pnpm store.
  const pnpmBin = path.join(home, 'pnpm-tool', 'node_modules', '.bin', 'pnpm');
  const projects = [];
  for (const [i, entry] of entries.entries()) {
    for (const pkg of [previous[i].server.packages[0], entry.server.packages[0]]) {
      const dir = path.join(home, `pnpm-disk-${projects.length}`);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'package.json'), '{"private":true}');
      run(pnpmBin, ['add', `${pkg.identifier}@${pkg.version}`, '--store-dir', path.join(home, 'pnpm-disk-store'), '--ignore-scripts'], { cwd: dir, env: { ...env, HOME: home, CI: '1' } });
      projects.push(dir);
    }
  }
  const pnpmKib = kib(['-sk'], [path.join(home, 'pnpm-disk-store'), ...projects]);
  return { mb: (kib(['-sk'], [store]) * 1024) / 1e6, unshared: (kib(['-skl'], [store]) * 1024) / 1e6, pnpm: (pnpmKib * 1024) / 1e6 };
}

/** 20 entries in Claude Desktop's file, each starting memory's bin, checked by `mcpm check`. */
function checkTwenty(mcpm, home) {
  const state = JSON.parse(readFileSync(path.join(home, '.mcpm', 'state', 'installed.json'), 'utf8'));
  const memory = Object.values(state.servers).find((s) => s.name.endsWith('/server-memory'));
  const config = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
  const file = JSON.parse(readFileSync(config, 'utf8'));
  for (let i = 0; i < 20; i++) {
    const name = `io.github.bench/check-${i}`;
    file.mcpServers[`check-${i}`] = { command: process.execPath, args: [memory.bin], env: { MEMORY_FILE_PATH: path.join(home, `memory-${i}.jsonl`) } };
    state.servers[name] = { ...memory, name, entries: [{ client: 'claude-desktop', file: config, key: `check-${i}` }], previousVersions: [] };
  }
  mkdirSync(path.dirname(config), { recursive: true });
  writeFileSync(config, JSON.stringify(file, null, 2));
  writeFileSync(path.join(home, '.mcpm', 'state', 'installed.json'), JSON.stringify(state));
  const names = Array.from({ length: 20 }, (_, i) => `check-${i}`);
  const samples = [];
  for (let i = 0; i < 3; i++) samples.push(mcpm(['check', ...names]).ms);
  return samples;
}
