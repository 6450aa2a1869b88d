// MCP bundles: reading manifest.json, turning user_config into inputs, the launch the manifest describes, and
// unpacking zips that try to escape their folder.
import { existsSync, lstatSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleEnvironment, bundleLaunch, readManifest, userConfigRequests, type BundleRuntime } from '../../src/plan/mcpb.js';
import type { LaunchInputs } from '../../src/plan/launch.js';
import { extractZip, readZipEntry } from '../../src/store/zip.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { makeZip } from '../helpers/zip.js';

const manifest = readManifest(JSON.stringify({
  manifest_version: '0.3',
  name: 'files',
  version: '1.0.0',
  server: {
    type: 'node',
    entry_point: 'server/index.js',
    mcp_config: {
      command: 'node',
      args: ['${__dirname}/server/index.js', '--root', '${user_config.allowed_directories}', '--max=${user_config.max_mb}'],
      env: { API_KEY: '${user_config.api_key}', CONFIG: '${__dirname}${/}config.json', OPTIONAL: '${user_config.nickname}' },
    },
  },
  user_config: {
    allowed_directories: { type: 'directory', multiple: true, required: true, default: ['${HOME}/Desktop'] },
    api_key: { type: 'string', sensitive: true, required: true, title: 'API key' },
    max_mb: { type: 'number', default: 10, min: 1, max: 100 },
    nickname: { type: 'string' },
  },
}));
const place = { dir: '/store/io.github.acme/files/1.0.0', platform: 'linux', dirs: { HOME: '/home/me' } };
const runtime: BundleRuntime = { ...place, node: '/usr/bin/node', resolve: (c) => (c === 'node' ? '/usr/bin/node' : `/usr/bin/${c}`), extraArgs: [] };
const inputs = (over: Partial<LaunchInputs> = {}): LaunchInputs => ({ values: {}, env: {}, secretEnv: {}, isSecret: () => false, ...over });

describe('bundle manifests', () => {
  it('user_config becomes inputs: sensitive is secret, multiple is repeated, directory is a path, defaults filled', () => {
    expect(userConfigRequests(manifest, place.dirs)).toEqual([
      { kind: 'arg', name: 'allowed_directories', isRequired: false, isSecret: false, default: '/home/me/Desktop', format: 'filepath', isRepeated: true },
      { kind: 'arg', name: 'api_key', description: 'API key', isRequired: true, isSecret: true },
      { kind: 'arg', name: 'max_mb', isRequired: false, isSecret: false, default: '10', format: 'number', min: 1, max: 100 },
      { kind: 'arg', name: 'nickname', isRequired: false, isSecret: false },
    ]);
  });

  it('a multiple setting left to its default gets every default value', () => {
    const two = readManifest(JSON.stringify({ server: { type: 'node', mcp_config: { command: 'node', args: ['${user_config.dirs}'] } }, user_config: { dirs: { type: 'directory', multiple: true, required: true, default: ['${HOME}/a', '${HOME}/b'] } } }));
    expect(bundleLaunch(two, inputs(), runtime).args).toEqual(['/home/me/a', '/home/me/b']);
  });

  it('fills ${__dirname}, ${/} and ${user_config.X}: a lone multiple value expands to several arguments', () => {
    const values = { allowed_directories: ['/data/a', '/data/b'], api_key: 'k' };
    const env = bundleEnvironment(manifest, values, () => false, place);
    expect(env).toEqual({ env: { CONFIG: '/store/io.github.acme/files/1.0.0/config.json' }, secretEnv: { API_KEY: 'k' } });
    const launch = bundleLaunch(manifest, inputs({ values, env: env.env, secretEnv: env.secretEnv, secretsFile: '/s/files.env' }), runtime);
    expect([launch.command, ...launch.args]).toEqual([
      '/usr/bin/node', '--env-file-if-exists=/s/files.env', '/store/io.github.acme/files/1.0.0/server/index.js', '--root', '/data/a', '/data/b', '--max=10',
    ]);
    expect(launch.env).toEqual({ CONFIG: '/store/io.github.acme/files/1.0.0/config.json' });
  });

  it('a user\'s value is inserted as typed: ${HOME} or ${__dirname} inside it are not expanded', () => {
    const values = { allowed_directories: ['${HOME}/x'], api_key: '${__dirname}', max_mb: '5' };
    const env = bundleEnvironment(manifest, values, () => false, place);
    expect(env.secretEnv).toEqual({ API_KEY: '${__dirname}' });
    const launch = bundleLaunch(manifest, inputs({ values, ...env, secretsFile: '/s/files.env' }), runtime);
    expect(launch.args).toContain('${HOME}/x');
    expect(launch.args.join(' ')).not.toContain('/home/me/x');
  });

  it('a binary bundle\'s command is an absolute path inside the bundle; secrets then go in env (reported)', () => {
    const binary = readManifest(JSON.stringify({ server: { type: 'binary', entry_point: 'bin/server', mcp_config: { command: '${__dirname}/bin/server', args: ['--stdio'], env: { TOKEN: '${user_config.token}' } } }, user_config: { token: { sensitive: true } } }));
    const env = bundleEnvironment(binary, { token: 't' }, () => false, place);
    const launch = bundleLaunch(binary, inputs({ values: { token: 't' }, ...env, secretsFile: '/s/x.env' }), runtime);
    expect([launch.command, ...launch.args]).toEqual(['/store/io.github.acme/files/1.0.0/bin/server', '--stdio']);
    expect(launch.env).toEqual({ TOKEN: 't' });
    expect(launch.secretEnvInEntry).toEqual(['TOKEN']);
    expect(bundleLaunch(binary, inputs(), { ...runtime, platform: 'win32' }).command).toBe(path.resolve(place.dir, '/store/io.github.acme/files/1.0.0/bin/server') + '.exe');
  });

  it('refuses a command that leaves the bundle, and a bare command is looked up (python3)', () => {
    const escape = readManifest(JSON.stringify({ server: { type: 'binary', mcp_config: { command: '${__dirname}/../../../bin/sh' } } }));
    expect(() => bundleLaunch(escape, inputs(), runtime)).toThrow(/is outside the bundle/);
    const python = readManifest(JSON.stringify({ server: { type: 'python', entry_point: 'server/main.py' } }));
    const launch = bundleLaunch(python, inputs(), runtime);
    expect([launch.command, ...launch.args]).toEqual(['/usr/bin/python3', '/store/io.github.acme/files/1.0.0/server/main.py']);
  });

  it('says what is wrong with a manifest that cannot start anything', () => {
    expect(() => readManifest('{')).toThrow("The bundle's manifest.json is not valid JSON");
    expect(() => readManifest('{"name":"x"}')).toThrow('has no "server" object');
    expect(() => readManifest('{"server":{}}')).toThrow("does not say the server's type");
  });
});

describe('unpacking zips', () => {
  async function zipFile(entries: Parameters<typeof makeZip>[0]) {
    const dir = await makeTmpDir('mcpm-zip');
    const file = path.join(dir, 'bundle.mcpb');
    writeFileSync(file, makeZip(entries));
    return { dir, file, dest: path.join(dir, 'out') };
  }

  it('unpacks files and folders and keeps the executable bit', async () => {
    const { file, dest } = await zipFile([
      { name: 'manifest.json', data: '{}' },
      { name: 'server/' },
      { name: 'server/run', data: '#!/bin/sh\n', mode: 0o100755 },
    ]);
    expect((await readZipEntry(file, 'manifest.json'))?.toString()).toBe('{}');
    expect(await readZipEntry(file, 'nope.json')).toBeUndefined();
    await extractZip(file, dest);
    expect(readFileSync(path.join(dest, 'server', 'run'), 'utf8')).toBe('#!/bin/sh\n');
    expect(statSync(path.join(dest, 'server', 'run')).mode & 0o111).not.toBe(0);
    expect(statSync(path.join(dest, 'manifest.json')).mode & 0o111).toBe(0);
  });

  for (const [what, entries] of [
    ['an entry with ../', [{ name: 'ok.txt', data: 'x' }, { name: '../escaped.txt', data: 'x' }]],
    ['an absolute entry', [{ name: '/tmp/escaped.txt', data: 'x' }]],
    ['a symbolic link', [{ name: 'link', data: '/etc/passwd', mode: 0o120777 }]],
    ['an entry written twice', [{ name: 'a.txt', data: '1' }, { name: 'a.txt', data: '2' }]],
  ] as const) {
    it(`refuses ${what}, and nothing lands outside the folder`, async () => {
      const { dir, file, dest } = await zipFile([...entries]);
      await expect(extractZip(file, dest)).rejects.toMatchObject({ code: 'EPACKAGE', message: expect.stringContaining('Refusing the bundle') });
      expect(existsSync(path.join(dir, 'escaped.txt'))).toBe(false);
      if (existsSync(path.join(dest, 'link'))) expect(lstatSync(path.join(dest, 'link')).isSymbolicLink()).toBe(false);
    });
  }

  it('stops at the size limit (a zip bomb)', async () => {
    const { file, dest } = await zipFile([{ name: 'big.bin', data: Buffer.alloc(5 * 1024 * 1024) }]);
    await expect(extractZip(file, dest, { maxEntries: 10, maxBytes: 1024 * 1024 })).rejects.toThrow('it unpacks to more than 1 MiB');
  });
});
