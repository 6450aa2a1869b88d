import { defineCommand } from './spec.js';
import { checkProfile, type Context } from '../context.js';
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
  const profile = checkProfile(name);
  const { updateSettings } = await import('../settings.js');
  await updateSettings(ctx.paths.configFile, (settings) => {
    settings.profile = profile;
  });
  return { profile };
}

export const group = { name: 'profile', description: 'separate secrets and inputs for the same servers (work, personal)' };

export const commands = [
  defineCommand({
    name: 'profile list',
    description: 'profiles, which is current, and the servers using each',
    run: async (ctx) => ({ result: await profiles(ctx) }),
    render: (result) => result.map((p) => `${p.current ? '*' : ' '} ${p.name}${p.servers.length ? `  (${p.servers.join(', ')})` : ''}`).join('\n'),
  }),
  defineCommand({
    name: 'profile use',
    description: 'make a profile current for later installs',
    arguments: [['<name>', 'the profile']],
    run: async (ctx, { args }) => ({ result: await useProfile(ctx, args.name) }),
    render: (result) => `Profile ${result.profile} is now current`,
  }),
];
