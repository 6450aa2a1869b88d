// Temp dirs that clean themselves up. Inside a test (or beforeEach) the dir is
// removed when that test finishes; from beforeAll/describe it is tracked until
// cleanupTmpDirs(), which the caller wires up with afterAll(cleanupTmpDirs).
// MCPM_KEEP_TMP=1 keeps everything for post-mortem debugging.
import { mkdtemp, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { onTestFinished } from "vitest";

const tracked = new Set<string>();

export async function makeTmpDir(prefix = "mcpm-test"): Promise<string> {
  // realpath: on macOS os.tmpdir() is a symlink, and tests compare paths that
  // programs report back (e.g. process.cwd()) with the ones we created.
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), `${prefix}-`)));
  try {
    onTestFinished(() => removeDir(dir));
  } catch {
    // Not inside a running test: the caller owns cleanup via cleanupTmpDirs().
    tracked.add(dir);
  }
  return dir;
}

export async function cleanupTmpDirs(): Promise<void> {
  const dirs = [...tracked];
  tracked.clear();
  await Promise.all(dirs.map(removeDir));
}

async function removeDir(dir: string): Promise<void> {
  if (process.env.MCPM_KEEP_TMP === "1") return;
  // maxRetries: a server process we just killed may still be releasing files.
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
