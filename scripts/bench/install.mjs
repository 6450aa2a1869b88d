// Install and uninstall cost: `mcpm install` of a server whose package is in mcpm's warm cache, against
// `npm install` of the same package into an empty folder with npm's warm cache; and `mcpm uninstall`.
// Also the peak memory of mcpm commands (see maxrss.mjs).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const rssHook = fileURLToPath(new URL('./maxrss.mjs', import.meta.url));

function timed(command, args, options) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { ...options, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stdout}${result.stderr}`);
  return ms;
}

/** Returns rows { what, samples } for the caller's table. */
export function benchInstall({ bin, runs, env }) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mcpm-bench-install-'));
  const mcpmEnv = { ...env, HOME: home, MCPM_HOME: path.join(home, '.mcpm') };
  const mcpm = (...args) => [process.execPath, [bin, ...args, '--registry', 'embedded', '--client', 'claude-desktop']];
  // Warm mcpm's cache once (network), then measure installs served from it.
  const [cmd, first] = mcpm('install', 'memory', '--json');
  const installed = spawnSync(cmd, first, { env: mcpmEnv, encoding: 'utf8' });
  if (installed.status !== 0) throw new Error(`warm-up install failed: ${installed.stdout}${installed.stderr}`);
  const { identifier, version } = JSON.parse(installed.stdout).result.package;
  timed(process.execPath, [bin, 'uninstall', 'memory'], { env: mcpmEnv });

  const npmCache = path.join(home, 'npm-cache');
  const npmEnv = { ...env, HOME: home, npm_config_cache: npmCache, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const npmInstall = () => {
    const dir = mkdtempSync(path.join(home, 'npm-'));
    writeFileSync(path.join(dir, 'package.json'), '{"private":true}');
    try {
      return timed('npm', ['install', '--ignore-scripts', '--no-package-lock', `${identifier}@${version}`], { cwd: dir, env: npmEnv });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  npmInstall(); // warm npm's cache

  const rssLog = path.join(home, 'rss.log');
  const samples = { install: [], npm: [], uninstall: [], rss: [] };
  for (let i = 0; i < runs; i++) {
    samples.install.push(timed(...mcpm('install', 'memory'), { env: { ...mcpmEnv, NODE_OPTIONS: `--import=${rssHook}`, BENCH_RSS_LOG: rssLog } }));
    samples.uninstall.push(timed(process.execPath, [bin, 'uninstall', 'memory'], { env: mcpmEnv }));
    samples.npm.push(npmInstall());
  }
  samples.rss = readFileSync(rssLog, 'utf8').trim().split('\n').map((kib) => Number(kib) / 1024);
  rmSync(home, { recursive: true, force: true });
  return [
    { what: `mcpm install ${identifier} from a warm cache (store emptied by uninstall)`, samples: samples.install },
    { what: `npm install ${identifier} into an empty folder, warm npm cache, no scripts`, samples: samples.npm },
    { what: 'mcpm uninstall', samples: samples.uninstall },
    { what: 'peak memory of mcpm install (MiB)', samples: samples.rss, unit: 'MiB' },
  ];
}

/** Peak memory (MiB) of one command run with the maxrss hook. */
export function peakMemory(command, args, env) {
  const log = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcpm-rss-')), 'rss.log');
  spawnSync(command, args, { env: { ...env, NODE_OPTIONS: `--import=${rssHook}`, BENCH_RSS_LOG: log } });
  const kib = Number(readFileSync(log, 'utf8').trim().split('\n').pop());
  rmSync(path.dirname(log), { recursive: true, force: true });
  return kib / 1024;
}
