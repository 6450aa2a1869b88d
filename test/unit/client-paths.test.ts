// Every client's file on macOS, Linux and Windows, from the hand-written golden table (test/golden/clients.json,
// written from the clients' own documentation), by giving the platform and environment to the path code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { locateClient, markerHolds, type Probe } from '../../src/clients/locate.js';
import { resolveTemplate } from '../../src/clients/paths.js';
import { CLIENTS, findClient, unsupportedReason } from '../../src/clients/table.js';

const golden = JSON.parse(readFileSync(new URL('../golden/clients.json', import.meta.url), 'utf8'));
const machines = golden.scenario.machines as Record<string, { platform: NodeJS.Platform; env: Record<string, string>; existingDirs: string[] }>;

/** Where mcpm deliberately differs from the golden table, and why (documented in the README). */
const PROJECT_FILE_EXCEPTIONS: Record<string, string> = {
  continue: 'Continue reads per-server block files (.continue/mcpServers/<name>.yaml); mcpm does not write project files for it yet',
};

describe('client files per OS (golden)', () => {
  it('knows exactly the clients the golden table lists', () => {
    expect(CLIENTS.map((c) => c.id).sort()).toEqual(Object.keys(golden.clients).sort());
  });

  for (const [id, expected] of Object.entries<any>(golden.clients)) {
    const client = findClient(id)!;
    for (const [machineName, file] of Object.entries<string>(expected.files)) {
      it(`${id} on ${machineName}`, () => {
        const machine = machines[machineName]!;
        const home = machine.platform === 'win32' ? machine.env.USERPROFILE! : machine.env.HOME!;
        const where = { platform: machine.platform, home, env: machine.env, cwd: home };
        const location = locateClient(client, where, 'user', (p) => machine.existingDirs.includes(p));
        expect(location?.file).toBe(file);
      });
    }
    it(`${id}: the source is recorded, in the row and in the golden table`, () => {
      expect(client.source).toMatch(/^https:\/\//);
      expect(expected.sources).toContain(client.source);
    });
    it(`${id}: format and project file`, () => {
      expect(client.format.replace(/-(map|list)$/, '')).toBe(expected.format);
      if (!(id in PROJECT_FILE_EXCEPTIONS)) expect(client.projectFile ?? null).toBe(expected.projectFile);
    });
  }

  it('detects a client by its folder, and the MSIX Claude Desktop by its package folder', () => {
    const where = { platform: 'win32' as const, home: 'C:\\Users\\ada', env: machines.win32Msix!.env, cwd: 'C:\\work' };
    const msix = locateClient(findClient('claude-desktop')!, where, 'user', (p) => machines.win32Msix!.existingDirs.includes(p));
    expect(msix?.detected).toBe(true);
    const none = locateClient(findClient('claude-desktop')!, where, 'user', () => false);
    expect(none?.detected).toBe(false);
    const project = locateClient(findClient('vscode')!, where, 'project', () => false);
    expect(project?.file).toBe('C:\\work\\.vscode\\mcp.json');
  });

  it('knows at least 30 clients', () => {
    expect(CLIENTS.length).toBeGreaterThanOrEqual(30);
  });

  it('refuses exactly the clients the golden table marks unsupported, on those OSes', () => {
    for (const [id, expected] of Object.entries<any>(golden.clients)) {
      const client = findClient(id)!;
      for (const os of ['linux', 'darwin', 'win32'] as const) {
        const reason = typeof expected.unsupported === 'string' ? expected.unsupported : expected.unsupported?.[os];
        expect(unsupportedReason(client, os), `${id} on ${os}`).toBe(reason);
      }
    }
  });
});

/** A machine described by the paths that exist on it (files and folders; every ancestor of one exists too). */
function machine(platform: NodeJS.Platform, existing: string[], entries: Record<string, string[]> = {}) {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const all = new Set<string>();
  for (const file of existing) for (let at = file; at !== p.dirname(at); at = p.dirname(at)) all.add(at);
  const probe: Probe = { exists: (x) => all.has(x), list: (dir) => entries[dir] ?? [] };
  return probe;
}

describe('detection does not lie', () => {
  for (const [name, m] of Object.entries(machines)) {
    it(`no marker on ${name} is a file mcpm may write or a folder it would create for one`, () => {
      const p = m.platform === 'win32' ? path.win32 : path.posix;
      const home = m.platform === 'win32' ? m.env.USERPROFILE! : m.env.HOME!;
      const where = { platform: m.platform, home, env: m.env, cwd: home };
      // Every file mcpm may write here, the project files too (run from the home folder), and the folders above them.
      const written = new Set<string>();
      for (const client of CLIENTS) {
        for (const scope of ['user', 'project'] as const) {
          const file = locateClient(client, where, scope, () => false)?.file;
          if (file) for (let at = file; at !== p.dirname(at) && at !== p.dirname(home); at = p.dirname(at)) written.add(at);
        }
        for (const candidate of client.files[m.platform === 'win32' ? 'win32' : m.platform === 'darwin' ? 'darwin' : 'linux']) {
          // A candidate chosen only when its marker holds (the Store build's package folder) is written into
          // folders that exist already.
          if (typeof candidate !== 'string') continue;
          const file = resolveTemplate(candidate, where);
          if (file) for (let at = file; at !== p.dirname(at) && at !== p.dirname(home); at = p.dirname(at)) written.add(at);
        }
      }
      for (const client of CLIENTS) {
        for (const marker of client.detect[m.platform === 'win32' ? 'win32' : m.platform === 'darwin' ? 'darwin' : 'linux'] ?? []) {
          if (typeof marker !== 'string') continue;
          const resolved = resolveTemplate(marker, where)!;
          expect(written.has(resolved), `${client.id}: ${resolved}`).toBe(false);
        }
      }
    });
  }

  const linux = { platform: 'linux' as const, home: '/home/ada', env: { HOME: '/home/ada', PATH: '/usr/bin:/home/ada/.local/bin' }, cwd: '/home/ada' };

  it('the folder of a file mcpm wrote does not make its client detected; the client\'s own folder or program does', () => {
    const cursor = findClient('cursor')!;
    expect(locateClient(cursor, linux, 'user', machine('linux', ['/home/ada/.cursor']))?.detected).toBe(false);
    expect(locateClient(cursor, linux, 'user', machine('linux', ['/home/ada/.cursor/mcp.json']))?.detected).toBe(true);
    expect(locateClient(cursor, linux, 'user', machine('linux', ['/home/ada/.cursor/extensions']))?.detected).toBe(true);
    expect(locateClient(cursor, linux, 'user', machine('linux', ['/home/ada/.local/bin/cursor']))?.detected).toBe(true);
    // A program elsewhere than on PATH does not count.
    expect(locateClient(cursor, linux, 'user', machine('linux', ['/opt/cursor/cursor']))?.detected).toBe(false);
  });

  it('finds a program on Windows through PATHEXT', () => {
    const env = { USERPROFILE: 'C:\\Users\\ada', PATH: 'C:\\tools;C:\\bin', PATHEXT: '.EXE;.CMD' };
    const where = { platform: 'win32' as const, home: 'C:\\Users\\ada', env, cwd: 'C:\\work' };
    expect(markerHolds({ program: 'codex' }, where, machine('win32', ['C:\\bin\\codex.cmd']))).toBe(true);
    expect(markerHolds({ program: 'codex' }, where, machine('win32', ['C:\\bin\\codex.ps1']))).toBe(false);
  });

  it('the Cline extension: its own file up to 3.x, the shared file from 4.0, detected by its extension folder only', () => {
    const client = findClient('cline-vscode')!;
    const old = '/home/ada/.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json';
    const shared = '/home/ada/.cline/data/settings/cline_mcp_settings.json';
    const extensions = '/home/ada/.vscode/extensions';
    const v3 = machine('linux', [shared, `${extensions}/saoudrizwan.claude-dev-3.38.1`], { [extensions]: ['saoudrizwan.claude-dev-3.38.1'] });
    expect(locateClient(client, linux, 'user', v3)).toMatchObject({ file: old, detected: true });
    const v4 = machine('linux', [`${extensions}/saoudrizwan.claude-dev-4.1.13`], { [extensions]: ['saoudrizwan.claude-dev-4.1.13', 'ms-python.python-2026.1.0'] });
    expect(locateClient(client, linux, 'user', v4)).toMatchObject({ file: shared, detected: true });
    const none = machine('linux', ['/home/ada/.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings']);
    expect(locateClient(client, linux, 'user', none)).toMatchObject({ file: old, detected: false });
  });
});

describe('the golden table records how the real clients proved each row', () => {
  it('names, per client run by npm run test:clients, the same package version as the suite pins', async () => {
    const { REAL_CLIENTS } = await import('../clients-real/clients.js');
    for (const real of REAL_CLIENTS) {
      const recorded = golden.clients[real.id];
      if (recorded.proven === null) {
        expect(recorded.notProven, real.id).toMatch(/\w/);
        continue;
      }
      expect(recorded.proven, real.id).toMatchObject({ version: `${real.pkg}@${real.version}`, command: expect.stringContaining(real.bin) });
    }
  });
});
