// @module-tag deep
// Hostile input. Registry entries crafted to escape (names, versions and package identifiers with `../`, absolute
// paths, NUL bytes, shell metacharacters, 10k-character strings, specs that npm would read as a local folder, a git
// repository or a URL), packages whose dependencies are not registry packages, and tarballs with paths outside
// `package/`, symlinks and hard links out of the store, devices, pax overrides and a 200 MB file. What must hold:
// nothing is written outside mcpm's folders and the client file (snapshot of everything around HOME, /etc/passwd
// untouched), no shell ever runs registry data (marker files never appear), and refusals are one clear line.
import { existsSync, lstatSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMcpm, type RunResult } from './helpers/cli.js';
import { startMcpRegistry, serverEntry, type McpRegistry, type RegistryEntry } from './helpers/mcp-registry.js';
import { startNpmRegistry, type NpmRegistry } from './helpers/npm-registry.js';
import { packRaw, type TarEntry } from './helpers/raw-tar.js';
import { diffSnapshots, linksLeaving, snapshotTree, type Snapshot } from './helpers/snapshot.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { packGithubPosts } from './helpers/world.js';

let root: string;
let home: string;
let sentinel: string;
let configFile: string;
let npm: NpmRegistry;
let registry: McpRegistry;
let before: Snapshot;
const ORIGINAL = '{\n  "mcpServers": {}\n}\n';
const PASSWD = '/etc/passwd';
const passwd = () => {
  const stat = statSync(PASSWD);
  return `${stat.mode} ${stat.mtimeMs} ${stat.nlink} ${createHash('sha1').update(readFileSync(PASSWD)).digest('hex')}`;
};
let passwdBefore: string;
const TMP_MARKER = '/tmp/pwned';
let tmpMarkerBefore: boolean;

const marker = () => path.join(root, 'pwned');
const EVIL = 'io.github.evil';
const long = 'a'.repeat(10_000);

/** The hostile entries: [label, entry, how the user names it, expected error code]. */
function hostileEntries(npmUrl: string): Array<{ label: string; entry: RegistryEntry; spec: string; code: string }> {
  const pkg = (identifier: string, version = '1.0.0', registryBaseUrl: string = npmUrl) => ({ identifier, version, registryBaseUrl });
  const cases: Array<{ label: string; name: string; version?: string; pkg?: ReturnType<typeof pkg>; spec?: string; code: string }> = [
    // Server names and versions: refused before they become store paths.
    { label: 'a name with ../', name: `${EVIL}/../../escape`, code: 'EINVALIDNAME' },
    { label: 'an absolute name', name: '/abs/evil', code: 'EINVALIDNAME' },
    { label: 'a name with $(...)', name: `${EVIL}/$(touch ${marker()})`, code: 'EINVALIDNAME' },
    { label: 'a name with ;rm -rf', name: `${EVIL}/x;rm -rf ${sentinel}`, code: 'EINVALIDNAME' },
    { label: 'a 10k-character name', name: `${EVIL}/${long}`, code: 'EINVALIDNAME' },
    { label: 'a version with ../', name: `${EVIL}/dotdot-version`, version: '../../x', code: 'EINVALIDNAME' },
    { label: 'an absolute version', name: `${EVIL}/abs-version`, version: '/abs', code: 'EINVALIDNAME' },
    { label: 'a version with a NUL byte', name: `${EVIL}/nul-version`, version: '1.0.0\u0000/../../x', code: 'EINVALIDNAME' },
    { label: 'a 10k-character version', name: `${EVIL}/long-version`, version: `1.0.0-${long}`, code: 'EINVALIDNAME' },
    // Package identifiers: npm would read these as a folder, a git repository or a URL, never as a registry name.
    { label: 'an identifier that is a relative path to a real package', name: `${EVIL}/ident-relative`, pkg: pkg('../sentinel/pkg'), code: 'EINVALIDNAME' },
    { label: 'an identifier that is an absolute path', name: `${EVIL}/ident-abs`, pkg: pkg(`${sentinel}/pkg`), code: 'EINVALIDNAME' },
    { label: 'an identifier with $(...)', name: `${EVIL}/ident-subshell`, pkg: pkg(`$(touch ${marker()})`), code: 'EINVALIDNAME' },
    { label: 'an identifier with ;rm -rf', name: `${EVIL}/ident-semicolon`, pkg: pkg(`x;rm -rf ${sentinel}`), code: 'EINVALIDNAME' },
    { label: 'an identifier that is a git shortcut', name: `${EVIL}/ident-github`, pkg: pkg('github:evil/repo'), code: 'EINVALIDNAME' },
    { label: 'an identifier that is a URL', name: `${EVIL}/ident-url`, pkg: pkg(`${npmUrl}github-posts/-/github-posts-1.0.0.tgz`), code: 'EINVALIDNAME' },
    { label: 'an identifier with a NUL byte', name: `${EVIL}/ident-nul`, pkg: pkg('github-posts\u0000../../x'), code: 'EINVALIDNAME' },
    { label: 'a 10k-character identifier', name: `${EVIL}/ident-long`, pkg: pkg(long), code: 'EINVALIDNAME' },
    // Package versions that are specs of another kind.
    { label: 'a package version file:<real package>', name: `${EVIL}/pv-file`, pkg: pkg('github-posts', `file:${sentinel}/pkg`), code: 'EINVALIDNAME' },
    { label: 'a package version that is a relative path', name: `${EVIL}/pv-relative`, pkg: pkg('github-posts', '../sentinel/pkg'), code: 'EINVALIDNAME' },
    { label: 'a package version git+file:', name: `${EVIL}/pv-git`, pkg: pkg('github-posts', `git+file://${sentinel}/repo.git`), code: 'EINVALIDNAME' },
    { label: 'a package version that is a URL', name: `${EVIL}/pv-url`, pkg: pkg('github-posts', `${npmUrl}github-posts/-/github-posts-1.0.0.tgz`), code: 'EINVALIDNAME' },
    { label: 'a package version that is an npm: alias', name: `${EVIL}/pv-alias`, pkg: pkg('github-posts', 'npm:posts-format@1.0.0'), code: 'EINVALIDNAME' },
    { label: 'a registryBaseUrl that is a file: URL', name: `${EVIL}/base-file`, pkg: pkg('github-posts', '1.0.0', `file://${sentinel}/`), code: 'EINVALIDNAME' },
  ];
  return cases.map((c) => ({
    label: c.label,
    spec: c.spec ?? c.name,
    code: c.code,
    entry: serverEntry(c.name, c.version ?? '1.0.0', c.pkg ?? pkg('github-posts')),
  }));
}

function expectRefusal(run: RunResult, code: string, label: string) {
  expect(run.code, `${label}: ${run.stderr}${run.stdout}`).toBe(1);
  expect(run.json?.error?.code, `${label}: ${run.stdout}`).toBe(code);
  expect(run.json.error.message).not.toContain('\n');
  expect(run.json.error.message.length, label).toBeLessThan(400);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

function expectNothingOutside(label: string) {
  const now = snapshotTree(root, skipAllowed);
  expect(diffSnapshots(before, now), label).toEqual([]);
  expect(passwd(), label).toBe(passwdBefore);
  expect(existsSync(marker()), label).toBe(false);
  expect(existsSync(TMP_MARKER), label).toBe(tmpMarkerBefore);
}

/** What mcpm may write: its own folder, and the client file with its backup, lock and temporary files beside it. */
function skipAllowed(relative: string): boolean {
  const mine = path.join('home', '.mcpm');
  const clientDir = path.relative(root, path.dirname(configFile));
  return relative === mine || relative.startsWith(mine + path.sep) || (relative.startsWith(clientDir + path.sep) && path.basename(relative).startsWith(path.basename(configFile)));
}

function storeVersions(): string[] {
  const store = path.join(home, '.mcpm', 'store');
  if (!existsSync(store)) return [];
  return readdirSync(store).filter((n) => !n.startsWith('.')).flatMap((ns) => readdirSync(path.join(store, ns)).flatMap((name) => readdirSync(path.join(store, ns, name)).map((v) => `${ns}/${name}/${v}`)));
}

const mcpm = (args: string[], timeoutMs = 60_000) => runMcpm([...args, '--registry', registry.url, '--json'], { home, timeoutMs });

/** Runs refusals a few at a time: each writes nothing, so they may share the HOME. */
async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

let cases: ReturnType<typeof hostileEntries>;
// Look-alikes of the reference memory server (in the index embedded in mcpm): a capital I for the l, a Cyrillic e.
const LOOKALIKE_ASCII = 'io.github.modeIcontextprotocol/server-memory';
const LOOKALIKE_CYRILLIC = 'io.github.modelcontextprotocol/server-m\u0435mory';

beforeAll(async () => {
  root = await makeTmpDir('mcpm-hostile-');
  home = path.join(root, 'home');
  sentinel = path.join(root, 'sentinel');
  // A real package in the sentinel folder: a spec npm reads as a folder would install (and chmod) it.
  mkdirSync(path.join(sentinel, 'pkg'), { recursive: true });
  writeFileSync(path.join(sentinel, 'pkg', 'package.json'), JSON.stringify({ name: 'github-posts', version: '1.0.0', bin: { 'github-posts': 'index.js' } }));
  writeFileSync(path.join(sentinel, 'pkg', 'index.js'), 'process.exit(0)\n', { mode: 0o644 });
  writeFileSync(path.join(sentinel, 'hard.txt'), 'sentinel\n');
  configFile = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
  mkdirSync(path.dirname(configFile), { recursive: true });
  writeFileSync(configFile, ORIGINAL);

  const escapeEntries: TarEntry[] = [
    { path: 'package/index.js', body: '#!/usr/bin/env node\nprocess.exit(0)\n', mode: 0o755 },
    { path: 'package/../../escape-dotdot.txt', body: 'escaped' },
    { path: `package/${'../'.repeat(12)}${sentinel.slice(1)}/deep-dotdot.txt`, body: 'escaped' },
    { path: `${sentinel}/abs-escape.txt`, body: 'escaped' },
    { path: 'package/link-passwd', type: 'symlink', linkpath: PASSWD },
    { path: 'package/link-out', type: 'symlink', linkpath: sentinel },
    { path: 'package/link-out/through-link.txt', body: 'escaped' },
    { path: 'package/link-up', type: 'symlink', linkpath: '../../../../../../..' },
    { path: 'package/link-up/escape-link-up.txt', body: 'escaped' },
    { path: 'package/hard-passwd', type: 'hardlink', linkpath: PASSWD },
    { path: 'package/hard-out', type: 'hardlink', linkpath: `package/../../../../../../../..${sentinel}/hard.txt` },
    { path: 'package/pax-ok.txt', body: 'escaped', pax: { path: `../../../../../../../..${sentinel}/pax-escape.txt` } },
    { path: 'package/pax-link', type: 'symlink', linkpath: 'harmless', pax: { linkpath: PASSWD } },
    { path: 'package/fifo', type: 'fifo' },
    { path: 'package/device', type: 'chardev' },
    { path: 'package/node_modules/.bin/github-posts', body: 'evil', mode: 0o755 },
  ];
  const manifest = (name: string, extra: Record<string, unknown> = {}) => ({ name, version: '1.0.0', mcpName: `${EVIL}/${name}`, bin: { [name]: 'index.js' }, ...extra });
  const index: TarEntry = { path: 'package/index.js', body: '#!/usr/bin/env node\nprocess.exit(0)\n', mode: 0o755 };
  const packages = [
    ...(await packGithubPosts(['1.0.0'])),
    packRaw(manifest('evil-tar'), escapeEntries),
    packRaw(manifest('huge-file'), [index, { path: 'package/huge.bin', zeros: 200 * 1024 * 1024 }]),
    packRaw(manifest('bin-up', { bin: { 'bin-up': `../../../../../../../..${PASSWD}` } }), [index]),
    packRaw(manifest('bin-abs', { bin: { 'bin-abs': PASSWD } }), [index]),
  ];
  // Packages whose dependencies are not registry packages (git, a local folder, a URL) or have a name that walks up.
  const depManifest = (name: string, dependencies: Record<string, string>) => manifest(name, { dependencies });
  let npmUrl = '';
  const depsOf: Record<string, Record<string, string>> = {
    'dep-folder': { 'local-dep': `file:${sentinel}/pkg` },
    'dep-git': { 'git-dep': `git+file://${sentinel}/repo.git` },
    'dep-url': { 'url-dep': 'URL' },
    'dep-dotdot': { '../../../escape-dep': '1.0.0' },
  };
  for (const [name, deps] of Object.entries(depsOf)) packages.push(packRaw(depManifest(name, deps), [index]));
  npm = await startNpmRegistry(packages);
  npmUrl = npm.url;
  // The URL dependency points at a real tarball on the same registry, so it would install if allowed.
  const urlPkg = packages.find((p) => p.name === 'dep-url')!;
  (urlPkg.manifest.dependencies as Record<string, string>)['url-dep'] = `${npmUrl}github-posts/-/github-posts-1.0.0.tgz`;

  cases = hostileEntries(npmUrl);
  const packageEntries = ['evil-tar', 'huge-file', 'bin-up', 'bin-abs', ...Object.keys(depsOf)].map((name) => serverEntry(`${EVIL}/${name}`, '1.0.0', { identifier: name, version: '1.0.0', registryBaseUrl: npmUrl }));
  const lookalikes = [LOOKALIKE_ASCII, LOOKALIKE_CYRILLIC].map((name) => serverEntry(name, '1.0.0', { identifier: 'github-posts', version: '1.0.0', registryBaseUrl: npmUrl }));
  registry = await startMcpRegistry([...cases.map((c) => c.entry), ...packageEntries, ...lookalikes]);
  before = snapshotTree(root, skipAllowed);
  passwdBefore = passwd();
  tmpMarkerBefore = existsSync(TMP_MARKER);
});
afterAll(async () => {
  await Promise.all([npm?.close(), registry?.close()]);
  await cleanupTmpDirs();
});

describe('registry entries crafted to escape are refused before anything is written', () => {
  it('names, versions, identifiers, package versions and registry URLs (23 entries)', async () => {
    const runs = await inBatches(cases, 4, (c) => mcpm(['install', c.spec, '--client', 'claude-desktop']));
    runs.forEach((run, i) => expectRefusal(run, cases[i]!.code, cases[i]!.label));
    expect(readFileSync(configFile, 'utf8')).toBe(ORIGINAL);
    expect(storeVersions()).toEqual([]);
    expectNothingOutside('after the refusals');
  });

  it('search and info show hostile entries as data, one line each, without crashing', async () => {
    const search = await mcpm(['search', 'evil']);
    expect(search.json?.ok, search.stderr).toBe(true);
    expect(search.json.result.length).toBeGreaterThan(20);
    const text = await runMcpm(['search', 'evil', '--registry', registry.url], { home });
    expect(text.code).toBe(0);
    // No NUL or other control character from the registry reaches the terminal.
    expect(text.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    const info = await mcpm(['info', `${EVIL}/ident-subshell`]);
    expect(info.json?.ok, info.stderr).toBe(true);
    expectNothingOutside('after search and info');
  });
});

describe('look-alikes of a well-known server\'s name', () => {
  it('are warned about at install; one with non-Latin letters is also refused', async () => {
    const ascii = await mcpm(['install', LOOKALIKE_ASCII, '--client', 'claude-desktop', '--dry-run']);
    expect(ascii.json?.ok, ascii.stdout).toBe(true);
    expect(ascii.stderr).toContain(`warning ${LOOKALIKE_ASCII} looks like io.github.modelcontextprotocol/server-memory but is a different server`);
    const cyrillic = await mcpm(['install', LOOKALIKE_CYRILLIC, '--client', 'claude-desktop']);
    expectRefusal(cyrillic, 'EINVALIDNAME', 'cyrillic');
    expect(cyrillic.stderr).toMatch(/looks like io\.github\.modelcontextprotocol\/server-memory but is a different server \(it mixes Latin and Cyrillic letters\)/);
    expect(readFileSync(configFile, 'utf8')).toBe(ORIGINAL);
    expectNothingOutside('look-alikes');
  });
});

describe('packages whose dependencies are not registry packages are refused', () => {
  for (const [name, kind] of [['dep-folder', 'directory'], ['dep-git', 'git'], ['dep-url', 'remote']] as const) {
    it(`${name}: a ${kind} dependency`, async () => {
      const run = await mcpm(['install', `${EVIL}/${name}`, '--client', 'claude-desktop']);
      expectRefusal(run, 'EPACKAGE', name);
      expect(run.json.error.message).toContain(kind);
      expect(readFileSync(configFile, 'utf8')).toBe(ORIGINAL);
      expect(storeVersions()).toEqual([]);
      expectNothingOutside(name);
    });
  }

  it('a dependency whose name walks up (../../../escape-dep)', async () => {
    const run = await mcpm(['install', `${EVIL}/dep-dotdot`, '--client', 'claude-desktop']);
    expect(run.code, run.stdout).toBe(1);
    expect(run.json.error.code).toMatch(/^E(PACKAGE|INVALIDNAME)$/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(configFile, 'utf8')).toBe(ORIGINAL);
    expectNothingOutside('dep-dotdot');
  });
});

describe('hostile tarballs', () => {
  it('paths outside package/, absolute paths, symlinks and hard links out, pax overrides, devices: all stay in the store', async () => {
    const run = await mcpm(['install', `${EVIL}/evil-tar`, '--client', 'claude-desktop']);
    expect(run.json?.ok, run.stderr + run.stdout).toBe(true);
    const store = path.join(home, '.mcpm', 'store');
    expect(linksLeaving(store, store)).toEqual([]);
    const pkgDir = path.join(run.json.result.storePath, 'node_modules', 'evil-tar');
    // No link, device or fifo from the archive exists; where a later entry wrote through a dropped symlink's path,
    // that is a plain folder inside the package.
    for (const name of ['link-passwd', 'hard-passwd', 'hard-out', 'fifo', 'device', 'pax-link']) {
      expect(existsSync(path.join(pkgDir, name)), name).toBe(false);
    }
    for (const name of ['link-out', 'link-up']) {
      const stat = lstatSync(path.join(pkgDir, name), { throwIfNoEntry: false });
      expect(stat === undefined || stat.isDirectory(), name).toBe(true);
    }
    expectNothingOutside('evil-tar installed');
    const removed = await mcpm(['uninstall', 'evil-tar']);
    expect(removed.json?.ok, removed.stderr).toBe(true);
    expect(readFileSync(configFile, 'utf8')).toBe(ORIGINAL);
    expectNothingOutside('evil-tar uninstalled');
  });

  it('a bin that points out of the package is refused, and nothing outside is made executable', async () => {
    for (const name of ['bin-up', 'bin-abs']) {
      const run = await mcpm(['install', `${EVIL}/${name}`, '--client', 'claude-desktop']);
      expectRefusal(run, 'EPACKAGE', name);
      expect(readFileSync(configFile, 'utf8')).toBe(ORIGINAL);
    }
    expect(storeVersions()).toEqual([]);
    expectNothingOutside('bins');
  });

  it('a 200 MB file (a 1 MB download) lands in the store only, and goes with uninstall', async () => {
    const started = Date.now();
    const run = await mcpm(['install', `${EVIL}/huge-file`, '--client', 'claude-desktop'], 120_000);
    expect(run.json?.ok, run.stderr + run.stdout).toBe(true);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(statSync(path.join(run.json.result.storePath, 'node_modules', 'huge-file', 'huge.bin')).size).toBe(200 * 1024 * 1024);
    expectNothingOutside('huge-file installed');
    const removed = await mcpm(['uninstall', 'huge-file']);
    expect(removed.json?.ok, removed.stderr).toBe(true);
    expect(storeVersions()).toEqual([]);
    expectNothingOutside('huge-file uninstalled');
  });
});
