// planInstall: every decision of an install from the facts the I/O layer gathers. Pure: no disk, network or clock,
// so each case is a table row of facts and the plan a user would see with --dry-run.
import { describe, expect, it } from 'vitest';
import type { ClientLocation } from '../../src/clients/locate.js';
import { findClient } from '../../src/clients/table.js';
import { McpmError } from '../../src/errors.js';
import { describePlan } from '../../src/plan/describe.js';
import type { Machine } from '../../src/plan/entry-form.js';
import { chooseInputs, inputsToAsk, NO_INPUTS } from '../../src/plan/input-values.js';
import { planInstall, type InstallFacts } from '../../src/plan/install.js';
import type { PreparedSource } from '../../src/plan/prepared-source.js';
import { sourceRequests } from '../../src/plan/prepared-source.js';
import type { ServerJson } from '../../src/registry/types.js';
import type { InstalledServer } from '../../src/state/installed.js';

const NAME = 'io.github.acme/notes';
const machine: Machine = { nodePath: '/usr/bin/node', mcpmScript: '/opt/mcpm/bin/mcpm.js', mcpmEnv: {}, which: (c) => (c === 'python3' ? '/usr/bin/python3' : undefined) };
const server: ServerJson = { name: NAME, version: '1.2.0' };

function at(client: string, file = `/home/ada/${client}.json`, scope: 'user' | 'project' = 'user'): ClientLocation {
  return { client: findClient(client)!, file, scope, detected: true };
}

const npm: PreparedSource = { kind: 'npm', pkg: { registryType: 'npm', identifier: 'notes-mcp', version: '1.2.0' } };
const npmSecretArg: PreparedSource = {
  kind: 'npm',
  pkg: { registryType: 'npm', identifier: 'notes-mcp', version: '1.2.0', packageArguments: [{ type: 'named', name: '--token', isSecret: true, isRequired: true }] },
};
const remote: PreparedSource = { kind: 'remote', remotes: [{ type: 'streamable-http', url: 'https://notes.example.com/mcp', headers: [{ name: 'X-Api-Key', isSecret: true, isRequired: true }] }] };

function facts(over: Partial<InstallFacts> = {}): InstallFacts {
  return {
    server,
    registry: 'https://registry.example.com',
    source: npm,
    managed: [],
    pending: [],
    files: [{ location: at('claude-desktop') }],
    inputs: NO_INPUTS,
    scope: 'user',
    profile: 'default',
    keychain: false,
    secretsFile: '/data/secrets/io.github.acme/notes.env',
    storeDir: '/data/store/io.github.acme/notes/1.2.0',
    flags: { inlineSecrets: false, adopt: false, allowScripts: false, engineStrict: false, allowRuntimeArgs: false },
    confirmedReplace: [],
    canAsk: false,
    machine,
    ...over,
  };
}

function installed(over: Partial<InstalledServer> = {}): InstalledServer {
  return {
    name: NAME, version: '1.0.0', registry: 'https://registry.example.com', env: {}, args: {}, secretEnv: [], previousVersions: [], installedAt: '2026-01-01T00:00:00Z',
    entries: [{ client: 'claude-desktop', file: '/home/ada/claude-desktop.json', key: 'notes', record: { inserted: true } }],
    ...over,
  };
}

describe('each package type: the store step and the entry', () => {
  const cases: Array<[string, PreparedSource, string, RegExp]> = [
    ['npm', npm, 'npm', /^\/usr\/bin\/node --env-file-if-exists=\/data\/secrets\/io.github.acme\/notes.env \/data\/store\/.*notes-mcp\/<bin>$/],
    ['pypi', { kind: 'pypi', pkg: { registryType: 'pypi', identifier: 'notes-mcp', version: '1.2.0' }, uvx: '/usr/bin/uvx' }, 'pypi', /^\/usr\/bin\/uvx --cache-dir \/data\/store\/.*\/uv-cache --offline --from notes-mcp==1.2.0 notes-mcp$/],
    ['oci', { kind: 'oci', pkg: { registryType: 'oci', identifier: 'ghcr.io/acme/notes', version: '1.2.0' }, engine: '/usr/bin/docker' }, 'oci', /^\/usr\/bin\/docker run -i --rm ghcr.io\/acme\/notes:1.2.0@<digest>$/],
    ['nuget', { kind: 'nuget', pkg: { registryType: 'nuget', identifier: 'Acme.Notes', version: '1.2.0' }, dnx: '/usr/bin/dnx' }, 'nuget', /^\/usr\/bin\/dnx Acme.Notes@1.2.0 --yes$/],
    ['mcpb', {
      kind: 'mcpb', pkg: { registryType: 'mcpb', identifier: 'https://example.com/notes.mcpb', version: '1.2.0', fileSha256: 'a'.repeat(64) }, bundle: '/cache/x.mcpb',
      manifest: { server: { type: 'python', entry_point: 'server/main.py', mcp_config: { command: 'python3', args: ['${__dirname}/server/main.py'] } }, user_config: {} },
      command: '/usr/bin/python3', place: { dir: '/data/store/io.github.acme/notes/1.2.0', platform: 'linux', dirs: {} },
    }, 'mcpb', /^\/usr\/bin\/python3 \/data\/store\/io.github.acme\/notes\/1.2.0\/server\/main.py$/],
  ];
  for (const [type, source, store, command] of cases) {
    it(type, () => {
      const plan = planInstall(facts({ source }));
      expect(plan.store.kind).toBe(store);
      expect(plan.package).toMatchObject({ registryType: type, version: '1.2.0' });
      const [client] = describePlan(plan, machine).clients;
      expect(client!.form).toBe('direct');
      const entry = client!.entry as { command: string; args: string[] };
      expect([entry.command, ...entry.args].join(' ')).toMatch(command);
    });
  }

  it('remote: no store step, the client\'s remote shape, the secret header warned about', () => {
    const plan = planInstall(facts({ source: remote, inputs: { ...NO_INPUTS, secretArgs: { 'X-Api-Key': 'k-123' } }, files: [{ location: at('cursor') }] }));
    expect(plan.store).toEqual({ kind: 'none' });
    expect(plan.targets[0]!.form.form).toBe('remote');
    expect(plan.warnings).toEqual([expect.stringContaining('X-Api-Key written in plaintext')]);
    expect(describePlan(plan, machine).clients[0]!.entry).toEqual({ url: 'https://notes.example.com/mcp', headers: { 'X-Api-Key': '<secret>' } });
  });
});

describe('the entry form, decided in one place', () => {
  it('a client that cannot hold a remote server gets a bridge through `mcpm run`, and says why', () => {
    const plan = planInstall(facts({ source: remote, inputs: { ...NO_INPUTS, secretArgs: { 'X-Api-Key': 'k' } } }));
    expect(plan.targets[0]!.form).toMatchObject({ form: 'bridge', remote: { type: 'streamable-http' } });
    expect(plan.notes[0]).toMatch(/Claude Desktop cannot connect/);
    expect(describePlan(plan, machine).clients[0]!.entry).toEqual({ command: '/usr/bin/node', args: ['/opt/mcpm/bin/mcpm.js', 'run', NAME] });
  });

  it('a secret the server takes as an argument: `mcpm run`, so no client file holds it', () => {
    const plan = planInstall(facts({ source: npmSecretArg, inputs: { ...NO_INPUTS, secretArgs: { token: 't0ken' } } }));
    expect(plan.targets[0]!.form.form).toBe('mcpm-run');
    expect(JSON.stringify(describePlan(plan, machine))).not.toContain('t0ken');
  });

  it('the same with --inline-secrets: direct, with a plaintext warning', () => {
    const plan = planInstall(facts({ source: npmSecretArg, inputs: { ...NO_INPUTS, secretArgs: { token: 't0ken' } }, flags: { ...facts().flags, inlineSecrets: true } }));
    expect(plan.targets[0]!.form.form).toBe('direct');
    expect(plan.warnings).toEqual([expect.stringContaining('--inline-secrets: token')]);
  });

  it('secrets in the keychain: npm goes through `mcpm run`; other types are refused', () => {
    const withSecret = { ...NO_INPUTS, secretEnv: { NOTES_TOKEN: 's' } };
    expect(planInstall(facts({ keychain: true, inputs: withSecret })).targets[0]!.form.form).toBe('mcpm-run');
    const oci: PreparedSource = { kind: 'oci', pkg: { registryType: 'oci', identifier: 'ghcr.io/acme/notes', version: '1.2.0' }, engine: '/usr/bin/docker' };
    expect(() => planInstall(facts({ keychain: true, inputs: withSecret, source: oci }))).toThrow(/keychain backend keeps secrets for npm and remote/);
  });
});

describe('runtime options from registry data', () => {
  const mounting: PreparedSource = {
    kind: 'oci',
    pkg: { registryType: 'oci', identifier: 'ghcr.io/acme/notes', version: '1.2.0', runtimeArguments: [{ type: 'named', name: '-v', value: '/:/host' }] },
    engine: '/usr/bin/docker',
  };
  it('outside the safe set: refused naming each, asked on a terminal, accepted with --allow-runtime-args (and said)', () => {
    expect(() => planInstall(facts({ source: mounting }))).toThrow(expect.objectContaining({ code: 'EUNSAFE', message: expect.stringContaining('-v /:/host: gives the container files of this machine') }));
    expect(planInstall(facts({ source: mounting, canAsk: true })).runtimeConsent).toEqual([{ option: '-v /:/host', why: 'gives the container files of this machine' }]);
    const accepted = planInstall(facts({ source: mounting, flags: { ...facts().flags, allowRuntimeArgs: true } }));
    expect(accepted.warnings).toEqual([expect.stringContaining('--allow-runtime-args: passing the registry entry\'s -v /:/host to /usr/bin/docker')]);
    expect((describePlan(accepted, machine).clients[0]!.entry as { args: string[] }).args).toEqual(['run', '-i', '--rm', '--volume=/:/host', 'ghcr.io/acme/notes:1.2.0@<digest>']);
  });
});

describe('inputs', () => {
  const pkg: PreparedSource = {
    kind: 'npm',
    pkg: { registryType: 'npm', identifier: 'notes-mcp', version: '1.2.0', environmentVariables: [{ name: 'NOTES_DIR', isRequired: true, format: 'filepath' }, { name: 'NOTES_TOKEN', isRequired: true, isSecret: true }] },
  };
  const requests = sourceRequests(pkg);
  const where = { cwd: '/work', home: '/home/ada' };

  it('a reinstall keeps the values given before; given ones win', () => {
    const previous = { ...NO_INPUTS, env: { NOTES_DIR: '/old' }, secretEnv: { NOTES_TOKEN: 'kept' } };
    expect(inputsToAsk(requests, { env: {}, args: {} }, previous)).toEqual([]);
    const chosen = chooseInputs(requests, { env: { NOTES_DIR: 'rel' }, args: {} }, previous, {}, where);
    expect(chosen).toEqual({ env: { NOTES_DIR: '/work/rel' }, secretEnv: { NOTES_TOKEN: 'kept' }, args: {}, secretArgs: {} });
    const plan = planInstall(facts({ source: pkg, inputs: chosen }));
    expect(plan.inputs.secretsFile).toBe('/data/secrets/io.github.acme/notes.env');
    expect(describePlan(plan, machine).inputs.secretEnv).toEqual({ NOTES_TOKEN: '<secret>' });
  });

  it('a missing required input is asked for on a TTY, else an error naming it', () => {
    expect(inputsToAsk(requests, { env: {}, args: {} }, NO_INPUTS).map((r) => r.name)).toEqual(['NOTES_DIR', 'NOTES_TOKEN']);
    expect(() => chooseInputs(requests, { env: {}, args: {} }, NO_INPUTS, {}, where)).toThrow(/Missing required inputs: NOTES_DIR, NOTES_TOKEN/);
    expect(chooseInputs(requests, { env: {}, args: {} }, NO_INPUTS, { NOTES_DIR: '~/n', NOTES_TOKEN: 'typed' }, where).env).toEqual({ NOTES_DIR: '/home/ada/n' });
  });
});

describe('the one rule for replacing an entry', () => {
  const file = '/home/ada/claude-desktop.json';
  const held = (value: unknown = { command: 'npx' }) => [{ location: at('claude-desktop', file), entries: new Map([['notes', value]]) }];

  it('an entry mcpm does not manage: ECONFLICT naming --as; on a TTY a question, then replaced as agreed', () => {
    expect(() => planInstall(facts({ files: held() }))).toThrow(McpmError);
    expect(() => planInstall(facts({ files: held() }))).toThrow(/already has an entry "notes" that mcpm does not manage/);
    const asking = planInstall(facts({ files: held(), canAsk: true }));
    expect(asking.questions).toEqual([{ location: expect.objectContaining({ file }), key: 'notes' }]);
    const agreed = planInstall(facts({ files: held(), confirmedReplace: [file] }));
    expect(agreed.targets[0]!.replaces).toBe('confirmed');
  });

  it('an entry another installed server owns: ECONFLICT naming that server, even on a TTY', () => {
    const managed = [{ server: 'io.github.other/notes', client: 'claude-desktop', file, key: 'notes' }];
    expect(() => planInstall(facts({ files: held(), managed, canAsk: true }))).toThrow(/that mcpm installed for io.github.other\/notes/);
  });

  it('--as picks another key; adopt and a journaled interrupted run may replace', () => {
    expect(planInstall(facts({ files: held(), as: 'notes2' })).targets[0]).toMatchObject({ key: 'notes2' });
    expect(planInstall(facts({ files: held(), flags: { ...facts().flags, adopt: true } })).targets[0]!.replaces).toBe('adopted');
    expect(planInstall(facts({ files: held(), pending: [{ client: 'claude-desktop', file, key: 'notes', record: { r: 1 } }] })).targets[0]).toMatchObject({ replaces: 'resumed', resumedRecord: { r: 1 } });
  });

  it('an upgrade replaces its own entry, keeps its key, and a disabled entry stays disabled', () => {
    const before = installed({ entries: [{ client: 'claude-desktop', file, key: 'my-notes', record: { x: 1 } }, { client: 'cline', file: '/c.json', key: 'my-notes', disabled: true }] });
    const plan = planInstall(facts({ installed: before, files: [...held(), { location: at('cline', '/c.json') }] }));
    expect(plan.key).toBe('my-notes');
    expect(plan.targets.map((t) => [t.key, t.replaces, t.disabled])).toEqual([['my-notes', 'previous-install', undefined], ['my-notes', 'previous-install', 'switch']]);
    expect(plan.previous?.version).toBe('1.0.0');
    expect(describePlan(plan, machine).previousVersion).toBe('1.0.0');
  });

  it('a key a client rejects is rewritten for it; a key no client can use is refused', () => {
    const plan = planInstall(facts({ as: 'my.notes', files: [{ location: at('codex', '/c.toml') }, { location: at('cursor') }] }));
    expect(plan.targets.map((t) => t.key)).toEqual(['my-notes', 'my.notes']);
    expect(() => planInstall(facts({ as: '../x' }))).toThrow(/cannot be an entry key/);
  });
});

describe('project scope', () => {
  it('targets the project files and records the scope', () => {
    const plan = planInstall(facts({ scope: 'project', files: [{ location: at('claude-code', '/work/app/.mcp.json', 'project') }] }));
    expect(plan.scope).toBe('project');
    expect(describePlan(plan, machine).clients[0]).toMatchObject({ client: 'claude-code', scope: 'project', file: '/work/app/.mcp.json', entry: { type: 'stdio' } });
  });
});
