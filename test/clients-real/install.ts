// Installs a client's own npm package at a pinned version into a cache outside the repository
// ($MCPM_TEST_CLIENTS_CACHE, default ~/.cache/mcpm-test-clients/<package>@<version>), once; later runs reuse it.
// A package that cannot be installed here is a skip with the reason, not a failure of mcpm.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const CACHE = process.env.MCPM_TEST_CLIENTS_CACHE ?? path.join(os.homedir(), '.cache', 'mcpm-test-clients');

export type Installed = { bin: string; dir: string } | { skip: string };

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output });
    });
  });
}

/** Why an install failed, in words: the usual causes on a machine that reaches only the npm registry. */
function installFailure(spec: string, output: string): string {
  const host = output.match(/(?:ENOTFOUND|EAI_AGAIN|ECONNREFUSED)\s+([\w.-]+)/)?.[1];
  if (host && host !== 'registry.npmjs.org') return `${spec}'s install script downloads its program from ${host}, which this machine cannot reach (only the npm registry)`;
  const missing = output.match(/No matching version found for ([^\s.]+@[\w.-]+)/)?.[1];
  if (missing) return `npm has no ${missing}, which ${spec} needs on this platform`;
  const tail = output.trim().split('\n').slice(-3).join(' / ');
  return `npm install ${spec} failed: ${tail}`;
}

export async function installClient(pkg: string, version: string, bin: string): Promise<Installed> {
  const spec = `${pkg}@${version}`;
  const dir = path.join(CACHE, spec.replace(/^@/, '').replace('/', '+'));
  const binPath = path.join(dir, 'node_modules', '.bin', bin);
  const stamp = path.join(dir, '.installed');
  if (existsSync(binPath) && existsSync(stamp) && (await readFile(stamp, 'utf8')) === spec) return { bin: binPath, dir };
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), '{ "private": true }\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = await run(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error', spec], dir, 600_000);
  if (result.code !== 0 || !existsSync(binPath)) return { skip: installFailure(spec, result.output) };
  await writeFile(stamp, spec);
  return { bin: binPath, dir };
}
