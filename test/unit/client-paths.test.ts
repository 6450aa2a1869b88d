// Every client's file on macOS, Linux and Windows, from the hand-written golden table (test/golden/clients.json,
// written from the clients' own documentation), by giving the platform and environment to the path code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { locateClient } from '../../src/clients/locate.js';
import { CLIENTS, findClient } from '../../src/clients/table.js';

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
});
