// The peak memory of an mcpm command (see maxrss.mjs). Installs are measured in store.mjs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const rssHook = fileURLToPath(new URL('./maxrss.mjs', import.meta.url));

/** Peak memory (MiB) of one command run with the maxrss hook. */
export function peakMemory(command, args, env) {
  const log = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcpm-rss-')), 'rss.log');
  spawnSync(command, args, { env: { ...env, NODE_OPTIONS: `--import=${rssHook}`, BENCH_RSS_LOG: log } });
  const kib = Number(readFileSync(log, 'utf8').trim().split('\n').pop());
  rmSync(path.dirname(log), { recursive: true, force: true });
  return kib / 1024;
}
