// Every package type, end to end, as a user runs it: install from a local MCP registry into Claude Desktop's file
// in a temporary HOME, check the exact command line the entry holds, then start the server from that entry with
// the official MCP SDK client (HOME and a PATH without the tools, like a GUI client) and call a tool that needs
// the secret token. uv, docker and dnx are stand-ins first on PATH (helpers/runtime-stubs.ts) that log their argv;
// the MCP bundle is a real .mcpb built here, served over HTTP, verified and unpacked by mcpm.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findClient } from '../src/clients/table.js';
import { locateClient } from '../src/clients/locate.js';
import { runMcpm } from './helpers/cli.js';
import { listenLocal, type LocalServer } from './helpers/http.js';
import { connectToEntry } from './helpers/mcp-client.js';
import { OFFICIAL_META, SERVER_SCHEMA, startMcpRegistry, type McpRegistry } from './helpers/mcp-registry.js';
import { extractPackages } from './helpers/pack.js';
import { startPostsApi, type PostsApi } from './helpers/posts-api.js';
import { installRuntimeStubs, STUB_DIGEST, type RuntimeStubs } from './helpers/runtime-stubs.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { FIXTURES, TOKEN, packGithubPosts } from './helpers/world.js';
import { folderEntries, makeZip } from './helpers/zip.js';

const env = [
  { name: 'POSTS_API_URL', isRequired: true, description: 'Base URL of the posts API' },
  { name: 'POSTS_API_TOKEN', isRequired: true, isSecret: true, description: 'API token' },
];

function entry(name: string, packages: unknown[], remotes: unknown[] = []) {
  return {
    server: { $schema: SERVER_SCHEMA, name, description: 'A test server', version: '1.2.0', packages, remotes },
    _meta: { [OFFICIAL_META]: { status: 'active', publishedAt: '2025-11-01T00:00:00Z', updatedAt: '2025-11-01T00:00:00Z', isLatest: true } },
  };
}

/** A real MCP bundle around the github-posts fixture: its files under server/, its dependency bundled. */
async function buildBundle(extra: Array<{ name: string; data: string }> = []): Promise<Buffer> {
  const manifest = {
    manifest_version: '0.3',
    name: 'posts-bundle',
    version: '1.2.0',
    description: 'github-posts as a bundle',
    author: { name: 'acme' },
    server: {
      type: 'node',
      entry_point: 'server/index.js',
      mcp_config: { command: 'node', args: ['${__dirname}/server/index.js'], env: { POSTS_API_URL: '${user_config.posts_url}' } },
    },
    user_config: { posts_url: { type: 'string', title: 'Posts API URL', required: true } },
  };
  return makeZip([
    { name: 'manifest.json', data: JSON.stringify(manifest, null, 2) },
    ...(await folderEntries(`${FIXTURES}github-posts`, 'server/')),
    ...(await folderEntries(`${FIXTURES}posts-format`, 'server/node_modules/posts-format/')),
    ...extra,
  ]);
}

// The stand-ins are /bin/sh scripts, and the MCP SDK spawns an entry's command without a shell.
const WINDOWS = process.platform === 'win32';
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let api: PostsApi;
let registry: McpRegistry;
let bundles: LocalServer;
let bundleRequests: string[];
let stubs: RuntimeStubs;
let noTools: string;

beforeAll(async () => {
  if (WINDOWS) return;
  api = await startPostsApi(TOKEN);
  const files: Record<string, Buffer> = {
    '/posts-bundle-1.2.0.mcpb': await buildBundle(),
    '/evil.mcpb': makeZip([{ name: 'manifest.json', data: '{"server":{"type":"node"}}' }, { name: '../escaped.js', data: 'boom' }]),
  };
  bundleRequests = [];
  bundles = await listenLocal((req, res) => {
    bundleRequests.push(req.url ?? '');
    const body = files[req.url ?? ''];
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/octet-stream' }).end(body ?? '');
  });
  const good = files['/posts-bundle-1.2.0.mcpb']!;
  const mcpb = (name: string, file: string, fileSha256?: string) =>
    entry(name, [{ registryType: 'mcpb', identifier: `${bundles.url}${file}`, ...(fileSha256 ? { fileSha256 } : {}), transport: { type: 'stdio' }, environmentVariables: [env[1]] }]);
  registry = await startMcpRegistry([
    entry('io.github.acme/posts-py', [{
      registryType: 'pypi',
      identifier: 'posts-mcp',
      version: '1.2.0',
      transport: { type: 'stdio' },
      environmentVariables: env,
      packageArguments: [
        { type: 'named', name: '--limit', format: 'number', default: '10' },
        { type: 'positional', valueHint: 'tag', isRepeated: true },
        { type: 'named', name: '--proxy-password', isSecret: true },
      ],
    }]),
    entry('io.github.acme/posts-oci', [{
      registryType: 'oci',
      identifier: 'ghcr.io/acme/posts-mcp:1.2.0',
      transport: { type: 'stdio' },
      environmentVariables: env,
      // Spelled the way many real entries do: the whole `docker run` line.
      runtimeArguments: [
        { type: 'positional', value: 'run' },
        { type: 'named', name: '-i' },
        { type: 'named', name: '--rm' },
        { type: 'named', name: '-e' },
        { type: 'positional', value: 'POSTS_API_TOKEN' },
        { type: 'named', name: '--mount', value: 'type=bind,src={data_dir},dst=/data', variables: { data_dir: { isRequired: true, format: 'filepath' } } },
        { type: 'positional', value: 'ghcr.io/acme/posts-mcp' },
      ],
    }]),
    entry('io.github.acme/posts-oci-root', [{
      registryType: 'oci',
      identifier: 'ghcr.io/acme/posts-mcp:1.2.0',
      transport: { type: 'stdio' },
      environmentVariables: env,
      runtimeArguments: [{ type: 'named', name: '--privileged' }, { type: 'named', name: '-v', value: '/:/host' }, { type: 'named', name: '--network', value: 'host' }],
    }]),
    entry('io.github.acme/posts-oci-swap', [{
      registryType: 'oci',
      identifier: 'ghcr.io/acme/posts-mcp:1.2.0',
      transport: { type: 'stdio' },
      environmentVariables: env,
      // A positional image before the pinned one: docker would run alpine:latest, floating.
      runtimeArguments: [{ type: 'positional', value: 'run' }, { type: 'named', name: '-i' }, { type: 'positional', value: 'alpine:latest' }],
    }]),
    entry('io.github.acme/posts-nuget', [{
      registryType: 'nuget',
      identifier: 'Acme.PostsMcp',
      version: '1.2.0',
      runtimeHint: 'dnx',
      transport: { type: 'stdio' },
      environmentVariables: env,
      packageArguments: [{ type: 'positional', value: 'mcp' }, { type: 'positional', value: 'start' }],
    }]),
    mcpb('io.github.acme/posts-bundle', '/posts-bundle-1.2.0.mcpb', sha256(good)),
    mcpb('io.github.acme/tampered-bundle', '/posts-bundle-1.2.0.mcpb', sha256(Buffer.from('something else'))),
    mcpb('io.github.acme/unverified-bundle', '/posts-bundle-1.2.0.mcpb'),
    mcpb('io.github.acme/evil-bundle', '/evil.mcpb', sha256(files['/evil.mcpb']!)),
    entry('io.github.acme/tenant-remote', [], [{
      type: 'streamable-http',
      url: 'https://mcp.example.com/{tenant_id}/mcp',
      variables: { tenant_id: { isRequired: true, description: 'Your tenant' } },
      headers: [{ name: 'X-Api-Key', isRequired: true, isSecret: true }],
    }]),
  ]);
  // The server the stand-ins start: github-posts installed with its dependency, outside any HOME.
  const root = await makeTmpDir('mcpm-stub-server');
  await extractPackages(await packGithubPosts(['1.2.0']), root);
  stubs = installRuntimeStubs(path.join(root, 'bin'), { serverRoot: root });
  noTools = path.join(root, 'no-tools');
  mkdirSync(noTools);
});
afterAll(async () => {
  await Promise.all([api?.close(), registry?.close(), bundles?.close()]);
  await cleanupTmpDirs();
});

const claudeFile = (home: string) => locateClient(findClient('claude-desktop')!, { platform: process.platform, home, env: { HOME: home }, cwd: home })!.file;
const store = (home: string, ...parts: string[]) => path.join(home, '.mcpm', 'store', ...parts);
const secrets = (home: string, name: string) => path.join(home, '.mcpm', 'secrets', 'io.github.acme', `${name}.env`);

function mcpm(home: string, args: string[], options: { tools?: boolean } = {}) {
  return runMcpm([...args, '--registry', registry.url, '--json'], {
    home,
    env: { POSTS_API_TOKEN: TOKEN, PATH: options.tools === false ? noTools : `${stubs.dir}${path.delimiter}${process.env.PATH ?? ''}` },
    timeoutMs: 60_000,
  });
}

const install = (home: string, name: string, extra: string[] = [], options: { tools?: boolean } = {}) =>
  mcpm(home, ['install', name, '--client', 'claude-desktop', '--env', `POSTS_API_URL=${api.url}`, '--env', 'POSTS_API_TOKEN', ...extra], options);

function claudeEntry(home: string, key: string) {
  return JSON.parse(readFileSync(claudeFile(home), 'utf8')).mcpServers[key];
}

/** Starts the entry as a GUI client would and lists three posts through it (needs the token to reach the server). */
async function callPosts(home: string, entry: { command: string; args: string[]; env?: Record<string, string> }) {
  const server = await connectToEntry(entry, { home });
  try {
    const result: any = await server.client.callTool({ name: 'get_posts', arguments: { limit: 3 } });
    expect(result.isError ?? false, result.content?.[0]?.text).toBe(false);
    return JSON.parse(result.content[0].text);
  } finally {
    await server.close();
  }
}

describe.skipIf(WINDOWS)('pypi: a pinned uvx launch, pre-fetched at install', () => {
  let home: string;
  beforeAll(async () => {
    home = await makeTmpDir('mcpm-pypi-');
  });

  it('pre-fetches posts-mcp==1.2.0 into the store\'s uv cache and writes an offline uvx entry', async () => {
    const before = stubs.calls().length;
    const run = await install(home, 'posts-py', ['--arg', 'tag=news', '--arg', 'tag=tech']);
    expect(run.json, run.stderr).toMatchObject({ ok: true, result: { name: 'io.github.acme/posts-py', package: { registryType: 'pypi', identifier: 'posts-mcp', version: '1.2.0' } } });
    const cache = store(home, 'io.github.acme', 'posts-py', '1.2.0', 'uv-cache');
    const prefetch = stubs.calls().slice(before);
    expect(prefetch).toEqual([
      { tool: 'uvx', argv: ['--version'] },
      { tool: 'uvx', argv: ['--cache-dir', cache, '--with', 'posts-mcp==1.2.0', 'python', '-c', expect.stringContaining('console_scripts'), 'posts-mcp'] },
    ]);

    const entry = claudeEntry(home, 'posts-py');
    expect(entry).toEqual({
      command: stubs.path('uvx'),
      args: ['--cache-dir', cache, '--offline', '--env-file', secrets(home, 'posts-py'), '--from', 'posts-mcp==1.2.0', 'posts-mcp', '--limit', '10', 'news', 'tech'],
      env: { POSTS_API_URL: api.url },
    });
    expect(readFileSync(claudeFile(home), 'utf8')).not.toContain(TOKEN);
    expect(readFileSync(secrets(home, 'posts-py'), 'utf8')).toContain(`POSTS_API_TOKEN='${TOKEN}'`);
    expect(statSync(secrets(home, 'posts-py')).mode & 0o777).toBe(0o600);
  });

  it('the entry starts the server, and uv\'s env file carries the token to it', async () => {
    expect(await callPosts(home, claudeEntry(home, 'posts-py'))).toHaveLength(3);
  });

  it('reinstalling keeps the repeated argument and the secret without asking again', async () => {
    const run = await mcpm(home, ['install', 'posts-py']);
    expect(run.json, run.stderr).toMatchObject({ ok: true });
    expect(claudeEntry(home, 'posts-py').args.slice(-3)).toEqual(['10', 'news', 'tech']);
  });

  it('a reinstall fetches again only when the store\'s uv cache is gone', async () => {
    const before = stubs.calls().length;
    await mcpm(home, ['install', 'posts-py']);
    expect(stubs.calls().slice(before)).toEqual([]);
    rmSync(store(home, 'io.github.acme', 'posts-py', '1.2.0', 'uv-cache'), { recursive: true, force: true });
    const run = await mcpm(home, ['install', 'posts-py']);
    expect(run.json, run.stderr).toMatchObject({ ok: true });
    expect(stubs.calls().slice(before).map((c) => c.argv.slice(0, 1).concat(c.argv.slice(2, 4)))).toEqual([['--version'], ['--cache-dir', '--with', 'posts-mcp==1.2.0']]);
  });

  it('refuses a value of the wrong format, and a second value for a single-valued argument', { tags: ['deep'] }, async () => {
    const other = await makeTmpDir('mcpm-pypi-bad-');
    const notNumber = await install(other, 'posts-py', ['--arg', 'limit=ten']);
    expect(notNumber.json.error).toMatchObject({ code: 'EINPUT', message: 'limit must be a number (got "ten")' });
    const twice = await install(other, 'posts-py', ['--arg', 'limit=1', '--arg', 'limit=2']);
    expect(twice.json.error).toMatchObject({ code: 'EINPUT', message: '--arg limit was given 2 times, but limit takes one value' });
    expect(existsSync(claudeFile(other))).toBe(false);
  });

  it('with a uv too old for --env-file, says so before fetching anything', { tags: ['deep'] }, async () => {
    const other = await makeTmpDir('mcpm-olduv-');
    const run = await runMcpm(['install', 'posts-py', '--client', 'claude-desktop', '--env', `POSTS_API_URL=${api.url}`, '--env', 'POSTS_API_TOKEN', '--registry', registry.url, '--json'], {
      home: other,
      env: { POSTS_API_TOKEN: TOKEN, PATH: stubs.dir, STUB_UV_VERSION: 'uv 0.5.9 (0652800cb 2024-12-13)' },
    });
    expect(run.json.error).toMatchObject({ code: 'EUNSUPPORTED', message: 'uv 0.5.9 is too old: entries need uvx --env-file (uv 0.6.10 or later)' });
    expect(existsSync(claudeFile(other))).toBe(false);
    expect(existsSync(store(other, 'io.github.acme', 'posts-py'))).toBe(false);
  });

  it('a secret the server takes as an argument: in argv with a warning, kept in the secrets file, not the state', async () => {
    const other = await makeTmpDir('mcpm-pypi-secretarg-');
    const run = await install(other, 'posts-py', ['--arg', 'proxy-password=pw-777']);
    expect(run.json, run.stderr).toMatchObject({ ok: true });
    expect(run.stderr).toContain(`The server takes proxy-password as command-line arguments: written in plaintext to ${claudeFile(other)}`);
    expect(claudeEntry(other, 'posts-py').args.slice(-2)).toEqual(['--proxy-password', 'pw-777']);
    expect(readFileSync(path.join(other, '.mcpm', 'state', 'installed.json'), 'utf8')).not.toContain('pw-777');
    expect(readFileSync(secrets(other, 'posts-py'), 'utf8')).toContain('#mcpm-arg proxy-password="pw-777"');
  });

  it('without uv, says so and how to get it, and writes nothing', async () => {
    const other = await makeTmpDir('mcpm-nouv-');
    const run = await install(other, 'posts-py', [], { tools: false });
    expect(run.code).toBe(1);
    expect(run.json.error).toMatchObject({ code: 'EUNSUPPORTED', message: expect.stringContaining('uv is not installed') });
    expect(run.json.error.hint).toContain('https://docs.astral.sh/uv/getting-started/installation/');
    expect(existsSync(claudeFile(other))).toBe(false);
    expect(existsSync(path.join(other, '.mcpm', 'store'))).toBe(false);
  });
});

describe.skipIf(WINDOWS)('oci: a pinned docker run, pulled at install, values by name only', () => {
  let home: string;
  let dataDir: string;
  beforeAll(async () => {
    home = await makeTmpDir('mcpm-oci-');
    dataDir = path.join(home, 'posts-data');
  });

  it('a host folder mounted by the registry entry needs consent: refused without --allow-runtime-args, nothing pulled', async () => {
    const before = stubs.calls().length;
    const run = await install(home, 'posts-oci', ['--arg', 'data_dir=posts-data']);
    expect(run.json.error).toMatchObject({ code: 'EUNSAFE', message: expect.stringContaining(`--mount type=bind,src=${dataDir},dst=/data: gives the container files of this machine`), hint: expect.stringContaining('--allow-runtime-args') });
    expect(stubs.calls().slice(before)).toEqual([]);
    expect(existsSync(claudeFile(home))).toBe(false);
  });

  it('pulls the tag, pins the digest, and writes docker run -i --rm with the env file and -e NAME', async () => {
    const before = stubs.calls().length;
    const run = await install(home, 'posts-oci', ['--arg', 'data_dir=posts-data', '--allow-runtime-args']);
    expect(run.json, run.stderr).toMatchObject({ ok: true, result: { package: { registryType: 'oci', image: `ghcr.io/acme/posts-mcp:1.2.0@${STUB_DIGEST}` } } });
    expect(run.stderr).toContain(`--allow-runtime-args: passing the registry entry's --mount type=bind,src=${dataDir},dst=/data to ${stubs.path('docker')}`);
    expect(stubs.calls().slice(before)).toEqual([
      { tool: 'docker', argv: ['pull', 'ghcr.io/acme/posts-mcp:1.2.0'] },
      { tool: 'docker', argv: ['image', 'inspect', '--format', '{{json .RepoDigests}}', 'ghcr.io/acme/posts-mcp:1.2.0'] },
    ]);
    expect(claudeEntry(home, 'posts-oci')).toEqual({
      command: stubs.path('docker'),
      args: [
        'run', '-i', '--rm', '--env-file', secrets(home, 'posts-oci'), '-e', 'POSTS_API_URL',
        `--mount=type=bind,src=${dataDir},dst=/data`, `ghcr.io/acme/posts-mcp:1.2.0@${STUB_DIGEST}`,
      ],
      env: { POSTS_API_URL: api.url },
    });
    // docker reads its env file literally: no quotes around the value.
    expect(readFileSync(secrets(home, 'posts-oci'), 'utf8')).toContain(`\nPOSTS_API_TOKEN=${TOKEN}\n`);
    expect(readFileSync(claudeFile(home), 'utf8')).not.toContain(TOKEN);
  });

  it('the container gets only what docker passes it, and that is enough', async () => {
    expect(await callPosts(home, claudeEntry(home, 'posts-oci'))).toHaveLength(3);
  });

  it('--privileged, the host\'s root and host networking from registry data: each named, installed only when accepted', { tags: ['deep'] }, async () => {
    const other = await makeTmpDir('mcpm-oci-root-');
    const refused = await install(other, 'posts-oci-root');
    expect(refused.json.error.code).toBe('EUNSAFE');
    for (const shown of ['--privileged: gives the container full access', '-v /:/host: gives the container files', '--network host: connects the container']) expect(refused.json.error.message).toContain(shown);
    const accepted = await install(other, 'posts-oci-root', ['--allow-runtime-args']);
    expect(accepted.json?.ok, accepted.stderr).toBe(true);
    const args = claudeEntry(other, 'posts-oci-root').args as string[];
    expect(args.slice(-4)).toEqual(['--privileged', '--volume=/:/host', '--network=host', `ghcr.io/acme/posts-mcp:1.2.0@${STUB_DIGEST}`]);
  });

  it('an image before the pinned one is refused outright, --allow-runtime-args or not', { tags: ['deep'] }, async () => {
    const other = await makeTmpDir('mcpm-oci-swap-');
    for (const extra of [[], ['--allow-runtime-args']]) {
      const run = await install(other, 'posts-oci-swap', extra);
      expect(run.json.error).toMatchObject({ code: 'EUNSAFE', message: expect.stringContaining('"alpine:latest": it could take the place of the pinned image') });
    }
    expect(existsSync(claudeFile(other))).toBe(false);
  });

  it('a required {variable} without a value is a missing input, named with --arg', async () => {
    const run = await install(await makeTmpDir('mcpm-oci-missing-'), 'posts-oci');
    expect(run.json.error).toMatchObject({ code: 'EINPUT', message: 'Missing required input: data_dir', hint: expect.stringContaining('--arg data_dir=VALUE') });
  });

  it('mcpm info lists the {variable} of a runtime argument as an input', async () => {
    const run = await mcpm(home, ['info', 'posts-oci']);
    expect(run.json.result.packages[0].inputs).toEqual([
      { kind: 'env', name: 'POSTS_API_URL', required: true, secret: false, description: 'Base URL of the posts API' },
      { kind: 'env', name: 'POSTS_API_TOKEN', required: true, secret: true, description: 'API token' },
      { kind: 'arg', name: 'data_dir', required: true, secret: false },
    ]);
  });

  it('uses podman when it is the engine there is', async () => {
    const other = await makeTmpDir('mcpm-podman-');
    const podman = installRuntimeStubs(path.join(other, 'bin'), { serverRoot: path.dirname(stubs.dir), tools: ['podman'] });
    const run = await runMcpm(['install', 'posts-oci', '--client', 'claude-desktop', '--env', `POSTS_API_URL=${api.url}`, '--env', 'POSTS_API_TOKEN', '--arg', 'data_dir=/srv/posts', '--allow-runtime-args', '--registry', registry.url, '--json'], {
      home: other,
      env: { POSTS_API_TOKEN: TOKEN, PATH: podman.dir },
    });
    expect(run.json, run.stderr).toMatchObject({ ok: true });
    expect(podman.calls().map((c) => c.argv[0])).toEqual(['pull', 'image']);
    expect(claudeEntry(other, 'posts-oci').command).toBe(podman.path('podman'));
  });

  it('uninstall removes the entry and the secrets, and says where the image stays', async () => {
    // Without --json, as a person runs it: notes go to stderr.
    const run = await runMcpm(['uninstall', 'posts-oci'], { home, env: { PATH: stubs.dir } });
    expect(run.stdout, run.stderr).toBe(`Removed io.github.acme/posts-oci@1.2.0 from:\n  claude-desktop (user): ${claudeFile(home)}\n`);
    expect(run.stderr).toContain(`The image ghcr.io/acme/posts-mcp:1.2.0@${STUB_DIGEST} stays in docker's image store`);
    // mcpm created Claude Desktop's file for this server, so the file goes with it.
    expect(existsSync(claudeFile(home))).toBe(false);
    expect(existsSync(secrets(home, 'posts-oci'))).toBe(false);
  });
});

describe.skipIf(WINDOWS)('nuget: a pinned dnx launch', () => {
  let home: string;
  beforeAll(async () => {
    home = await makeTmpDir('mcpm-nuget-');
  });

  it('writes dnx Package@version --yes -- arguments, and warns that the secret is in the file', async () => {
    const run = await install(home, 'posts-nuget');
    expect(run.json, run.stderr).toMatchObject({ ok: true, result: { package: { registryType: 'nuget', identifier: 'Acme.PostsMcp', version: '1.2.0' } } });
    expect(claudeEntry(home, 'posts-nuget')).toEqual({
      command: stubs.path('dnx'),
      args: ['Acme.PostsMcp@1.2.0', '--yes', '--', 'mcp', 'start'],
      env: { POSTS_API_URL: api.url, POSTS_API_TOKEN: TOKEN },
    });
    expect(run.stderr).toContain(`This server's launcher reads no env file: POSTS_API_TOKEN written in plaintext to ${claudeFile(home)}`);
    expect(await callPosts(home, claudeEntry(home, 'posts-nuget'))).toHaveLength(3);
  });

  it('without dnx, names the .NET 10 SDK', async () => {
    const run = await install(await makeTmpDir('mcpm-nodnx-'), 'posts-nuget', [], { tools: false });
    expect(run.json.error).toMatchObject({ code: 'EUNSUPPORTED', message: expect.stringContaining('.NET 10 SDK') });
    expect(run.json.error.hint).toContain('https://dotnet.microsoft.com/download');
  });
});

describe.skipIf(WINDOWS)('mcpb: a verified bundle, unpacked into the store, started as its manifest says', () => {
  let home: string;
  beforeAll(async () => {
    home = await makeTmpDir('mcpm-mcpb-');
  });

  it('downloads, verifies and unpacks the bundle, and starts its server with mcpm\'s node', async () => {
    const run = await install(home, 'posts-bundle', ['--arg', `posts_url=${api.url}`]);
    expect(run.json, run.stderr).toMatchObject({ ok: true, result: { package: { registryType: 'mcpb', fileSha256: expect.stringMatching(/^[a-f0-9]{64}$/) } } });
    const dir = store(home, 'io.github.acme', 'posts-bundle', '1.2.0');
    expect(run.json.result.storePath).toBe(dir);
    expect(existsSync(path.join(dir, 'manifest.json'))).toBe(true);
    expect(claudeEntry(home, 'posts-bundle')).toEqual({
      command: process.execPath,
      args: [`--env-file-if-exists=${secrets(home, 'posts-bundle')}`, path.join(dir, 'server', 'index.js')],
      env: { POSTS_API_URL: api.url },
    });
    expect(readFileSync(claudeFile(home), 'utf8')).not.toContain(TOKEN);
    expect(await callPosts(home, claudeEntry(home, 'posts-bundle'))).toHaveLength(3);
  });

  it('uninstall removes the unpacked bundle', async () => {
    const run = await mcpm(home, ['uninstall', 'posts-bundle']);
    expect(run.json, run.stderr).toMatchObject({ ok: true });
    expect(existsSync(store(home, 'io.github.acme', 'posts-bundle'))).toBe(false);
  });

  it('refuses a bundle whose SHA-256 is not the registry\'s, and writes nothing', async () => {
    const other = await makeTmpDir('mcpm-tampered-');
    const run = await install(other, 'tampered-bundle', ['--arg', `posts_url=${api.url}`]);
    expect(run.json.error).toMatchObject({ code: 'EINTEGRITY', message: expect.stringContaining("does not match the registry's fileSha256") });
    expect(existsSync(claudeFile(other))).toBe(false);
    expect(existsSync(path.join(other, '.mcpm', 'store', 'io.github.acme'))).toBe(false);
  });

  it('refuses a bundle without fileSha256 before downloading it', { tags: ['deep'] }, async () => {
    const before = bundleRequests.length;
    const run = await install(await makeTmpDir('mcpm-unverified-'), 'unverified-bundle', ['--arg', `posts_url=${api.url}`]);
    expect(run.json.error).toMatchObject({ code: 'EINTEGRITY', message: expect.stringContaining('gives no fileSha256') });
    expect(bundleRequests.length).toBe(before);
  });

  it('refuses a bundle with an entry that climbs out of its folder', { tags: ['deep'] }, async () => {
    const other = await makeTmpDir('mcpm-evil-');
    const run = await install(other, 'evil-bundle');
    expect(run.json.error).toMatchObject({ code: 'EPACKAGE', message: expect.stringContaining('Refusing the bundle') });
    expect(existsSync(path.join(other, '.mcpm', 'store', 'io.github.acme', 'escaped.js'))).toBe(false);
    expect(existsSync(path.join(other, '.mcpm', 'store', 'io.github.acme', 'evil-bundle'))).toBe(false);
  });
});

describe.skipIf(WINDOWS)('remotes: URL {variables} and headers are inputs like any other', () => {
  it('fills the URL, writes the header with a warning, and keeps the secret out of mcpm\'s state', async () => {
    const home = await makeTmpDir('mcpm-remote-');
    const run = await mcpm(home, ['install', 'tenant-remote', '--client', 'claude-code', '--arg', 'tenant_id=acme', '--arg', 'X-Api-Key=key-123']);
    expect(run.json, run.stderr).toMatchObject({ ok: true });
    const file = locateClient(findClient('claude-code')!, { platform: process.platform, home, env: { HOME: home }, cwd: home })!.file;
    expect(JSON.parse(readFileSync(file, 'utf8')).mcpServers['tenant-remote']).toEqual({ type: 'http', url: 'https://mcp.example.com/acme/mcp', headers: { 'X-Api-Key': 'key-123' } });
    expect(run.stderr).toContain('X-Api-Key written in plaintext');
    expect(readFileSync(path.join(home, '.mcpm', 'state', 'installed.json'), 'utf8')).not.toContain('key-123');
    // A reinstall finds the secret in the secrets file.
    const again = await mcpm(home, ['install', 'tenant-remote']);
    expect(again.json, again.stderr).toMatchObject({ ok: true });
    expect(JSON.parse(readFileSync(file, 'utf8')).mcpServers['tenant-remote'].headers).toEqual({ 'X-Api-Key': 'key-123' });
  });

  it('a URL variable cannot move the server to another host, and a header cannot carry a line break', { tags: ['deep'] }, async () => {
    const home = await makeTmpDir('mcpm-remote-host-');
    const file = locateClient(findClient('claude-code')!, { platform: process.platform, home, env: { HOME: home }, cwd: home })!.file;
    for (const tenant of ['127.0.0.1:9/#', 'evil.example/', 'x@evil.example/']) {
      const run = await mcpm(home, ['install', 'tenant-remote', '--client', 'claude-code', '--arg', `tenant_id=${tenant}`, '--arg', 'X-Api-Key=k']);
      expect(run.json?.ok, run.stderr).toBe(true);
      const url = new URL(JSON.parse(readFileSync(file, 'utf8')).mcpServers['tenant-remote'].url);
      expect(url.origin).toBe('https://mcp.example.com');
      expect(url.pathname).toBe(`/${encodeURIComponent(tenant)}/mcp`);
    }
    const before = readFileSync(file, 'utf8');
    const crlf = await mcpm(home, ['install', 'tenant-remote', '--client', 'claude-code', '--arg', 'X-Api-Key=k\r\nX-Admin: 1']);
    expect(crlf.json.error).toMatchObject({ code: 'EINPUT', message: expect.stringContaining('X-Api-Key holds a line break') });
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});

describe.skipIf(WINDOWS)('--package-type', () => {
  it('refuses a type the server does not offer, naming what it does offer', async () => {
    const run = await install(await makeTmpDir('mcpm-ptype-'), 'posts-py', ['--package-type', 'oci']);
    expect(run.json.error).toMatchObject({ code: 'EUNSUPPORTED', message: 'io.github.acme/posts-py@1.2.0 has no oci stdio package for this machine', hint: expect.stringContaining('It offers: pypi') });
  });

  it('--dry-run shows the chosen package and fetches nothing', async () => {
    const before = stubs.calls().length;
    const run = await install(await makeTmpDir('mcpm-dry-'), 'posts-py', ['--dry-run']);
    expect(run.json.result).toMatchObject({ dryRun: true, package: { registryType: 'pypi', identifier: 'posts-mcp', version: '1.2.0' }, secretEnv: ['POSTS_API_TOKEN'] });
    expect(stubs.calls().length).toBe(before);
  });
});
