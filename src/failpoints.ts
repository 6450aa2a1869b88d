/**
 * Named fault points, as databases have: a test sets MCPM_FAILPOINT=<name> and mcpm kills itself with SIGKILL
 * (or, with MCPM_FAILPOINT=<name>=SIGINT, interrupts itself as Ctrl-C would)
 * when it reaches that point, so a kill -9 can be placed exactly at the critical moment (between two writes,
 * after a rename) instead of hoped for. Outside tests the variable is unset and this is one comparison.
 *
 * Points: install: after-manifest, after-fetch (files in the content store), during-link (half a version folder
 * linked, holding the store lock), before-store-rename, after-store-rename, after-secrets,
 * before-config-write, config-write-locked (holding the file's lock, its backup made, just before the write),
 * after-config-write (each client file; `<point>:<client>` names one), before-state-write,
 * after-state-write. uninstall: uninstall-after-config-write (each file), uninstall-after-state-write,
 * uninstall-after-cleanup (secrets and store removed, journal not yet cleared). enable/disable:
 * toggle-after-config-write (each client file).
 */
export function failpoint(name: string, detail?: string): void {
  const armed = process.env.MCPM_FAILPOINT;
  if (!armed) return;
  // `<point>=SIGINT` (or SIGTERM) sends that signal instead, as Ctrl-C would at that moment.
  const [point, signal] = armed.split('=') as [string, NodeJS.Signals | undefined];
  if (point === name || (detail !== undefined && point === `${name}:${detail}`)) process.kill(process.pid, signal ?? 'SIGKILL');
}

/**
 * A named pause, for tests of what another process does meanwhile: with MCPM_PAUSEPOINT=<name>:<folder>, mcpm
 * writes <folder>/reached at that point and waits until <folder>/go exists. Points: after-store (the store step of
 * an install done, its version not yet recorded anywhere).
 */
export async function pausepoint(name: string): Promise<void> {
  const armed = process.env.MCPM_PAUSEPOINT;
  if (!armed || !armed.startsWith(`${name}:`)) return;
  const { existsSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = armed.slice(name.length + 1);
  writeFileSync(join(dir, 'reached'), String(process.pid));
  while (!existsSync(join(dir, 'go'))) await new Promise((resolve) => setTimeout(resolve, 20));
}
