// mcpm check and doctor, as a user meets them: each broken thing reported with its own reason, and --fix repairing
// what can be repaired. Also the secrets commands: values never printed, files 0600.
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm } from './helpers/cli.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { TOKEN, startWorld, type World } from './helpers/world.js';

let world: World;
let home: string;
let cursorFile: string;
let claudeFile: string;
let storePath: string;

beforeAll(async () => {
  world = await startWorld({ versions: ['1.0.0'] });
  home = await makeTmpDir('mcpm-health-');
  cursorFile = path.join(home, '.cursor', 'mcp.json');
  claudeFile = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
  const run = await mcpm(['install', 'github-posts', '--client', 'cursor', '--client', 'claude-desktop', '--json', '--env', `POSTS_API_URL=${world.postsUrl}`, '--env', 'POSTS_API_TOKEN']);
  expect(run.json?.ok, run.stderr).toBe(true);
  storePath = run.json.result.storePath;
});
afterAll(async () => {
  await world.close();
  await cleanupTmpDirs();
});

function mcpm(args: string[], input?: string) {
  return runMcpm([...args, '--registry', world.registryUrl], { home, input, env: { POSTS_API_TOKEN: TOKEN }, timeoutMs: 60_000 });
}
const cursorEntry = () => JSON.parse(readFileSync(cursorFile, 'utf8')).mcpServers['github-posts'];
function editCursorEntry(change: (entry: any) => void) {
  const config = JSON.parse(readFileSync(cursorFile, 'utf8'));
  change(config.mcpServers['github-posts']);
  writeFileSync(cursorFile, JSON.stringify(config, null, 2));
}
const byClient = (results: any[], client: string) => results.find((r) => r.client === client);

describe('mcpm check', () => {
  it('starts each entry as written, does the handshake and lists tools', async () => {
    const run = await mcpm(['check', '--json']);
    expect(run.code, run.stderr).toBe(0);
    for (const client of ['cursor', 'claude-desktop']) {
      expect(byClient(run.json.result, client)).toMatchObject({ ok: true, tools: ['get_posts'], resources: 0, prompts: 0, serverInfo: { name: 'github-posts', version: '1.0.0' }, initializeMs: expect.any(Number) });
    }
    expect(run.stdout).not.toContain(TOKEN);
  });

  it('a missing secret', async () => {
    const unset = await mcpm(['secrets', 'unset', 'github-posts', 'POSTS_API_TOKEN', '--json']);
    expect(unset.json?.ok, unset.stderr).toBe(true);
    const run = await mcpm(['check', '--json']);
    expect(run.code).toBe(1);
    expect(byClient(run.json.result, 'cursor')).toMatchObject({ ok: false, failure: { reason: 'missing-secret', message: expect.stringContaining('POSTS_API_TOKEN') } });
    // A value a launcher would not read back intact is refused, and nothing is stored.
    const mangled = await mcpm(['secrets', 'set', 'github-posts', 'POSTS_API_TOKEN', '--json'], `abc\rdef\n`);
    expect(mangled.json?.error).toMatchObject({ code: 'EINPUT', hint: expect.stringContaining('carriage return') });
    expect((await mcpm(['secrets', 'list', '--json'])).json.result[0].keys).toEqual([]);
    // Set it again from stdin: never from arguments, never printed.
    const set = await mcpm(['secrets', 'set', 'github-posts', 'POSTS_API_TOKEN', '--json'], `${TOKEN}\n`);
    expect(set.json?.ok, set.stderr).toBe(true);
    expect(set.stdout + set.stderr).not.toContain(TOKEN);
    const secretsFile = set.json.result.file;
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(secretsFile)).mode & 0o777).toBe(0o700);
    const list = await mcpm(['secrets', 'list', '--json']);
    expect(list.json.result).toEqual([{ name: 'io.github.acme/github-posts', profile: 'default', keys: ['POSTS_API_TOKEN'], file: secretsFile, mode: '0600' }]);
    expect(list.stdout).not.toContain(TOKEN);
    expect((await mcpm(['check', '--json'])).code).toBe(0);
  });

  it('a broken node path: check says command not found, doctor says the node is gone, --fix rewrites the entry', async () => {
    editCursorEntry((entry) => (entry.command = path.join(home, '.nvm', 'versions', 'node', 'v18.0.0', 'bin', 'node')));
    const run = await mcpm(['check', '--json']);
    expect(byClient(run.json.result, 'cursor')).toMatchObject({ ok: false, failure: { reason: 'command-not-found' } });
    expect(byClient(run.json.result, 'claude-desktop')).toMatchObject({ ok: true });
    const report = await mcpm(['doctor', '--json']);
    expect(report.code).toBe(1);
    expect(report.json.result.problems).toEqual([expect.objectContaining({ kind: 'node-missing', client: 'cursor' })]);
    const fixed = await mcpm(['doctor', '--fix', '--json']);
    expect(fixed.json?.result.problems[0].fixed, fixed.stderr).toContain(process.execPath);
    expect(cursorEntry().command).toBe(process.execPath);
    expect((await mcpm(['doctor', '--json'])).json.result).toEqual({ ok: true, problems: [] });
  });

  it('a missing store version: check shows the server exiting with its stderr, doctor --fix installs it again', async () => {
    rmSync(storePath, { recursive: true, force: true });
    const run = await mcpm(['check', '--json']);
    expect(byClient(run.json.result, 'cursor')).toMatchObject({ ok: false, failure: { reason: 'exited', stderr: expect.stringContaining('Cannot find module') } });
    const report = await mcpm(['doctor', '--json']);
    expect(report.json.result.problems.map((p: any) => p.kind)).toContain('store-missing');
    const fixed = await mcpm(['doctor', '--fix', '--json']);
    expect(fixed.json?.result.ok, fixed.stderr).toBe(true);
    expect((await mcpm(['check', '--json'])).code).toBe(0);
  });

  it('a secret in plaintext in an entry: doctor reports it, --fix moves it to the secrets file', async () => {
    editCursorEntry((entry) => (entry.env.POSTS_API_TOKEN = TOKEN));
    const report = await mcpm(['doctor', '--json']);
    expect(report.json.result.problems).toEqual([expect.objectContaining({ kind: 'plaintext-secret', client: 'cursor', message: expect.stringContaining('POSTS_API_TOKEN') })]);
    expect(report.stdout).not.toContain(TOKEN);
    await mcpm(['doctor', '--fix', '--json']);
    expect(readFileSync(cursorFile, 'utf8')).not.toContain(TOKEN);
    expect((await mcpm(['check', '--json'])).code).toBe(0);
  });

  it('an unparseable file: both report it with its position, and --fix leaves it alone', async () => {
    const broken = '{\n  "mcpServers": {\n    "github-posts": {\n  }\n';
    writeFileSync(claudeFile, broken);
    chmodSync(claudeFile, 0o644);
    const run = await mcpm(['check', '--json']);
    expect(byClient(run.json.result, 'claude-desktop')).toMatchObject({ ok: false, failure: { reason: 'unparseable-file', message: expect.stringMatching(/claude_desktop_config\.json:\d+:\d+: cannot parse/) } });
    const report = await mcpm(['doctor', '--fix', '--json']);
    expect(report.code).toBe(1);
    expect(report.json.result.problems.filter((p: any) => p.kind === 'unparseable-file').every((p: any) => !p.fixed)).toBe(true);
    expect(readFileSync(claudeFile, 'utf8')).toBe(broken);
  });
});

describe('a damaged state file', () => {
  it('list says how to repair it; doctor reports it; --fix restores the last good copy, or rebuilds without one', async () => {
    const other = await makeTmpDir('mcpm-state-');
    const run = (args: string[]) => runMcpm([...args, '--registry', world.registryUrl, '--json'], { home: other, env: { POSTS_API_TOKEN: TOKEN }, timeoutMs: 60_000 });
    expect((await run(['install', 'github-posts', '--client', 'cursor', '--env', 'POSTS_API_URL=http://x', '--env', 'POSTS_API_TOKEN'])).json?.ok).toBe(true);
    const stateFile = path.join(other, '.mcpm', 'state', 'installed.json');
    const whole = readFileSync(stateFile, 'utf8');
    writeFileSync(stateFile, whole.slice(0, 80));

    const list = await run(['list']);
    expect(list.json.error).toMatchObject({ code: 'EPARSE', hint: expect.stringContaining('mcpm doctor --fix') });
    expect(list.json.error.hint).not.toContain('.bak');
    const report = await run(['doctor']);
    expect(report.code).toBe(1);
    expect(report.json.result.problems).toEqual([expect.objectContaining({ kind: 'state-unreadable', file: stateFile })]);

    const restored = await run(['doctor', '--fix']);
    expect(restored.json.result.problems[0]).toMatchObject({ kind: 'state-unreadable', fixed: expect.stringContaining('restored the last good copy') });
    expect((await run(['list'])).json.result.map((s: any) => s.name)).toEqual(['io.github.acme/github-posts']);

    // Without the copy: rebuilt from the lock, the store and Cursor's file, and uninstall still finds the entry.
    rmSync(`${stateFile}.bak`);
    writeFileSync(stateFile, '{"formatVersion": 1, "servers": {');
    const rebuilt = await run(['doctor', '--fix']);
    expect(rebuilt.json.result.problems[0]).toMatchObject({ kind: 'state-unreadable', fixed: expect.stringContaining('rebuilt from the lock, the store and the client files (1 server)') });
    expect((await run(['list'])).json.result[0]).toMatchObject({ name: 'io.github.acme/github-posts', version: '1.0.0', clients: [{ client: 'cursor' }] });
    expect((await run(['uninstall', 'github-posts'])).json?.ok).toBe(true);
    expect(JSON.parse(readFileSync(path.join(other, '.cursor', 'mcp.json'), 'utf8')).mcpServers).toEqual({});
  });
});

describe('--inline-secrets', () => {
  it('writes the values into the client file only when asked, with a warning', async () => {
    const inlineHome = await makeTmpDir('mcpm-inline-');
    const run = await runMcpm(
      ['install', 'github-posts', '--client', 'cursor', '--inline-secrets', '--json', '--env', `POSTS_API_URL=${world.postsUrl}`, '--env', 'POSTS_API_TOKEN', '--registry', world.registryUrl],
      { home: inlineHome, env: { POSTS_API_TOKEN: TOKEN }, timeoutMs: 60_000 },
    );
    expect(run.json?.ok, run.stderr).toBe(true);
    expect(run.stderr).toMatch(/warning --inline-secrets: POSTS_API_TOKEN written in plaintext/);
    expect(run.stderr + run.stdout).not.toContain(TOKEN);
    const entry = JSON.parse(readFileSync(path.join(inlineHome, '.cursor', 'mcp.json'), 'utf8')).mcpServers['github-posts'];
    expect(entry.env).toEqual({ POSTS_API_URL: world.postsUrl, POSTS_API_TOKEN: TOKEN });
  });
});

describe('the keychain backend (MCPM_SECRETS=keychain)', () => {
  it('where the keychain cannot be used (no Secret Service here), install says so before writing anything', { tags: ['deep'] }, async () => {
    const keychainHome = await makeTmpDir('mcpm-keychain-');
    const run = await runMcpm(
      ['install', 'github-posts', '--client', 'cursor', '--json', '--env', `POSTS_API_URL=${world.postsUrl}`, '--env', 'POSTS_API_TOKEN', '--registry', world.registryUrl],
      { home: keychainHome, env: { POSTS_API_TOKEN: TOKEN, MCPM_SECRETS: 'keychain', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' }, timeoutMs: 60_000 },
    );
    expect(run.code, run.stderr).toBe(1);
    expect(run.json.error).toMatchObject({ code: 'EUNSUPPORTED', message: expect.stringContaining('keychain is not available'), hint: expect.stringContaining('MCPM_SECRETS=file') });
    expect(existsSync(path.join(keychainHome, '.cursor', 'mcp.json'))).toBe(false);
    expect(existsSync(path.join(keychainHome, '.mcpm', 'store', 'io.github.acme', 'github-posts', '1.0.0'))).toBe(false);
    const unknown = await runMcpm(['list', '--registry', world.registryUrl, '--json'], { home: keychainHome, env: { MCPM_SECRETS: 'vault' } });
    expect(unknown.code).toBe(0);
    const bad = await runMcpm(['install', 'github-posts', '--client', 'cursor', '--registry', world.registryUrl, '--json', '--env', 'POSTS_API_URL=x', '--env', 'POSTS_API_TOKEN=y'], { home: keychainHome, env: { MCPM_SECRETS: 'vault' } });
    expect(bad.json.error).toMatchObject({ code: 'EUSAGE', message: expect.stringContaining('Unknown secrets backend "vault"') });
  });
});
