// mergeEntry: what survives when mcpm rewrites its own entry. Pure.
import { describe, expect, it } from 'vitest';
import { adoptedLaunch, mergeEntry } from '../../src/plan/merge-entry.js';

const written = { command: '/usr/bin/node', args: ['/store/1.0.0/bin.js'], env: { URL: 'a' } };
const ours = { command: '/usr/bin/node', args: ['/store/1.1.0/bin.js'], env: { URL: 'b' } };

describe('mergeEntry', () => {
  it('replaces the launch, keeps every other field in the file\'s order, and the keys added to env', () => {
    const existing = { disabled: true, command: '/usr/bin/node', args: ['/store/1.0.0/bin.js'], cwd: '/x', env: { URL: 'a', MINE: '1' }, autoApprove: ['t'] };
    const merged = mergeEntry(existing, ours, written);
    expect(merged.value).toEqual({ disabled: true, command: '/usr/bin/node', args: ['/store/1.1.0/bin.js'], cwd: '/x', env: { MINE: '1', URL: 'b' }, autoApprove: ['t'] });
    expect(Object.keys(merged.value)).toEqual(['disabled', 'command', 'args', 'cwd', 'env', 'autoApprove']);
    expect(merged.userChanged).toEqual([]);
  });

  it('an env key mcpm wrote before and no longer writes goes; one the user added stays, even when mcpm writes no env now', () => {
    const existing = { ...written, env: { URL: 'a', MINE: '1' } };
    expect(mergeEntry(existing, { command: 'n', args: [] }, written).value).toEqual({ command: 'n', args: [], env: { MINE: '1' } });
    expect(mergeEntry({ ...written, env: { URL: 'a' } }, { command: 'n', args: [] }, written).value).toEqual({ command: 'n', args: [] });
  });

  it('starting values (enabled, timeout) are the user\'s once the entry exists', () => {
    expect(mergeEntry({ cmd: 'x', enabled: false, timeout: 45 }, { cmd: 'y', enabled: true, timeout: 300 }, { cmd: 'x', enabled: true, timeout: 300 }).value).toEqual({ cmd: 'y', enabled: false, timeout: 45 });
  });

  it('a field mcpm owns that the user changed is reported (and still replaced)', () => {
    const merged = mergeEntry({ ...written, command: '/opt/node' }, ours, written);
    expect(merged.userChanged).toEqual(['command']);
    expect(merged.value.command).toBe('/usr/bin/node');
  });

  it('an adopted entry: its launch is mcpm\'s, its settings stay', () => {
    const existing = { command: 'npx', args: ['-y', 'x'], env: { TOKEN: 't', URL: 'u' }, cwd: '/w', disabled: false };
    expect(mergeEntry(existing, { command: 'node', args: ['bin'], env: { URL: 'u' } }, adoptedLaunch(existing)).value).toEqual({ command: 'node', args: ['bin'], env: { URL: 'u' }, cwd: '/w', disabled: false });
  });

  it('a key named after an input mcpm delivers is mcpm\'s even when added by hand: a pasted secret does not survive', () => {
    // The token is delivered from the secrets file, so mcpm's entry has no POSTS_API_TOKEN; the hand-pasted one goes.
    const existing = { ...written, env: { URL: 'a', POSTS_API_TOKEN: 'pasted', MINE: '1' } };
    expect(mergeEntry(existing, { command: 'n', args: [], env: { URL: 'a' } }, written, [], ['URL', 'POSTS_API_TOKEN']).value.env).toEqual({ MINE: '1', URL: 'a' });
  });
});
