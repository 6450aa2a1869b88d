import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import { readTextIfExists, withFileLock, writeFileAtomicSafe } from '../state/files.js';
import { readState } from '../state/installed.js';
import { listProfiles } from '../state/secrets.js';

/**
 * Profiles keep separate secrets and inputs for the same servers (a work and a personal account). An entry
 * names its profile's secrets file, so it keeps that profile whatever profile is current later.
 */
export async function profiles(ctx: Context) {
  const servers = Object.values(readState(ctx).servers);
  const names = new Set([...(await listProfiles(ctx)), ctx.profile, ...servers.map((s) => s.profile ?? 'default')]);
  return [...names].sort().map((name) => ({
    name,
    current: name === ctx.profile,
    servers: servers.filter((s) => (s.profile ?? 'default') === name).map((s) => s.name),
  }));
}

/** `mcpm profile use <name>`: the profile installs use from now on (saved in config.json). */
export async function useProfile(ctx: Context, name: string) {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name)) throw usageError(`Invalid profile name "${name}"`, 'Use letters, digits, "-" and "_".');
  const file = ctx.paths.configFile;
  await withFileLock(file, async () => {
    const text = await readTextIfExists(file);
    let settings: Record<string, unknown> = {};
    try {
      settings = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      throw usageError(`${file} is not valid JSON`, 'Fix it by hand; mcpm left it untouched.');
    }
    settings.profile = name;
    await writeFileAtomicSafe(file, `${JSON.stringify(settings, null, 2)}\n`);
  });
  return { profile: name };
}
