// The exact command line each package type's entry starts, from registry entries shaped like real ones (copied
// from the official registry), and the choice between a server's packages. Pure functions, no process.
import { describe, expect, it } from 'vitest';
import { McpmError } from '../../src/errors.js';
import { inputRequests } from '../../src/plan/inputs.js';
import { nugetLaunch, npmLaunch, ociLaunch, pickScript, pypiLaunch, type LaunchInputs } from '../../src/plan/launch.js';
import { imageString, parseImage } from '../../src/plan/oci.js';
import { describeUnsafe } from '../../src/plan/runtime-options.js';
import { bundlePlatform, chooseSource } from '../../src/plan/source.js';
import type { Package, ServerJson } from '../../src/registry/types.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const inputs = (over: Partial<LaunchInputs> = {}): LaunchInputs => ({ values: {}, env: {}, secretEnv: {}, isSecret: () => false, ...over });

describe('pypi: uvx from the store\'s uv cache, offline, pinned', () => {
  const uv = { uvx: '/opt/uv/bin/uvx', cacheDir: '/store/io.github.acme/weather/0.5.0/uv-cache', scripts: ['weather-mcp-server'] };

  it('runs the package\'s console script with package arguments; secrets through uv\'s --env-file', () => {
    const pkg: Package = {
      registryType: 'pypi',
      identifier: 'weather-mcp-server',
      version: '0.5.0',
      packageArguments: [{ type: 'named', name: '--units', default: 'celsius', choices: ['celsius', 'fahrenheit'] }, { type: 'positional', valueHint: 'city' }],
    };
    const launch = pypiLaunch(pkg, inputs({ values: { city: 'Oslo' }, env: { WEATHER_REGION: 'eu' }, secretEnv: { WEATHER_API_KEY: 'k' }, secretsFile: '/secrets/weather.env' }), uv);
    expect([launch.command, ...launch.args]).toEqual([
      '/opt/uv/bin/uvx', '--cache-dir', uv.cacheDir, '--offline', '--env-file', '/secrets/weather.env',
      '--from', 'weather-mcp-server==0.5.0', 'weather-mcp-server', '--units', 'celsius', 'Oslo',
    ]);
    expect(launch.env).toEqual({ WEATHER_REGION: 'eu' });
    expect(JSON.stringify(launch)).not.toContain('"k"');
  });

  it('runtime arguments before the first positional are uvx options; a positional naming a script is the command', () => {
    // io.github.IvanRublev/keyphrases-mcp 0.0.4: the command and its flag spelled as runtime arguments.
    const pkg: Package = {
      registryType: 'pypi',
      identifier: 'keyphrases-mcp',
      version: '0.0.4',
      runtimeHint: 'uvx',
      runtimeArguments: [
        { type: 'named', name: '--python', value: '3.12' },
        { value: 'keyphrases-mcp-server', type: 'positional' },
        { description: 'Directory containing documents', isRequired: true, format: 'filepath', type: 'named', name: '--allowed-dir', valueHint: 'documents_directory' },
      ],
    };
    expect(inputRequests(pkg).map((r) => r.name)).toEqual(['allowed-dir']);
    const launch = pypiLaunch(pkg, inputs({ values: { 'allowed-dir': '/home/me/docs' } }), { ...uv, scripts: ['keyphrases-mcp-server'] });
    // The registry's uvx options first (each one argv item), mcpm's own after them, so the pin and --offline win.
    expect(launch.args).toEqual(['--python=3.12', '--cache-dir', uv.cacheDir, '--offline', '--from', 'keyphrases-mcp==0.0.4', 'keyphrases-mcp-server', '--allowed-dir', '/home/me/docs']);
    expect(launch.unsafeOptions).toEqual([]);
  });

  it('a first positional that is not a script follows the package\'s own command (io.github.ggozad/haiku-rag)', () => {
    const pkg: Package = { registryType: 'pypi', identifier: 'haiku-rag', version: '0.13.1', runtimeHint: 'uvx', runtimeArguments: [{ value: 'serve', type: 'positional' }, { type: 'named', name: '--mcp' }] };
    const launch = pypiLaunch(pkg, inputs(), { ...uv, scripts: ['haiku-rag'] });
    expect(launch.args.slice(3)).toEqual(['--from', 'haiku-rag==0.13.1', 'haiku-rag', 'serve', '--mcp']);
  });

  it('drops an entry\'s own --from: mcpm passes the pinned one (io.github.yarnabrina/mcp-learning)', () => {
    const pkg: Package = { registryType: 'pypi', identifier: 'mcp-learning', version: '0.2.0', runtimeArguments: [{ value: 'mcp-learning', type: 'named', name: '--from' }, { value: 'mcp-server', type: 'positional' }] };
    expect(pypiLaunch(pkg, inputs(), { ...uv, scripts: ['mcp-server'] }).args.slice(3)).toEqual(['--from', 'mcp-learning==0.2.0', 'mcp-server']);
  });

  it('runtimeHint python: the runtime arguments go to the environment\'s python (io.github.mickymultani/crypto-bytes)', () => {
    const pkg: Package = { registryType: 'pypi', identifier: 'crypto_bytes_mcp_server', version: '0.1.1', runtimeHint: 'python', runtimeArguments: [{ value: '-m', type: 'positional' }, { value: 'crypto_bytes_mcp_server', type: 'positional' }] };
    const launch = pypiLaunch(pkg, inputs(), { ...uv, scripts: [] });
    expect(launch.args.slice(3)).toEqual(['--from', 'crypto_bytes_mcp_server==0.1.1', 'python', '-m', 'crypto_bytes_mcp_server']);
  });

  it('chooses the script named like the package (any case, - _ .), else the only one, else says it cannot', () => {
    expect(pickScript(['mac-letterhead', 'other'], 'Mac_Letterhead')).toBe('mac-letterhead');
    expect(pickScript(['serve-it'], 'pkg')).toBe('serve-it');
    expect(pickScript([], 'pkg')).toBe('pkg');
    expect(() => pickScript(['a', 'b'], 'pkg')).toThrow('pkg has several commands (a, b) and none is named like the package');
  });

  it('refuses a package name or version that could be read as an option', () => {
    const bad = (identifier: string, version: string) => () => pypiLaunch({ registryType: 'pypi', identifier, version }, inputs(), uv);
    expect(bad('--index-url=http://evil', '1.0')).toThrow(McpmError);
    expect(bad('good', '1.0 --with evil')).toThrow(/Refusing the PyPI version/);
  });
});

describe('oci: docker run -i --rm of the pinned image, values by name only', () => {
  it('passes non-secret values with -e NAME (the value in env) and secrets in docker\'s --env-file', () => {
    const pkg: Package = {
      registryType: 'oci',
      identifier: 'ghcr.io/acme/weather-mcp:1.2.3',
      environmentVariables: [{ name: 'LOG_LEVEL', default: 'info' }, { name: 'WEATHER_API_KEY', isSecret: true }],
      packageArguments: [{ type: 'named', name: '--region', valueHint: 'region' }],
    };
    const launch = ociLaunch(pkg, inputs({ env: { LOG_LEVEL: 'debug' }, secretEnv: { WEATHER_API_KEY: 'k' }, secretsFile: '/secrets/weather.env', values: { region: 'eu' } }), {
      engine: '/usr/bin/docker',
      image: `ghcr.io/acme/weather-mcp:1.2.3@${DIGEST}`,
    });
    expect([launch.command, ...launch.args]).toEqual([
      '/usr/bin/docker', 'run', '-i', '--rm', '--env-file', '/secrets/weather.env', '-e', 'LOG_LEVEL', `ghcr.io/acme/weather-mcp:1.2.3@${DIGEST}`, '--region', 'eu',
    ]);
    expect(launch.env).toEqual({ LOG_LEVEL: 'debug' });
  });

  it('reads entries that spell the whole docker run line (io.github.github/github-mcp-server 0.16.0)', () => {
    const pkg: Package = {
      registryType: 'oci',
      identifier: 'ghcr.io/github/github-mcp-server:0.16.0',
      runtimeArguments: [
        { description: 'The runtime command to execute', value: 'run', type: 'positional' },
        { description: 'Run container in interactive mode', type: 'named', name: '-i' },
        { description: 'Automatically remove the container when it exits', type: 'named', name: '--rm' },
        { description: 'Set an environment variable in the runtime', type: 'named', name: '-e' },
        { description: 'Environment variable name', value: 'GITHUB_PERSONAL_ACCESS_TOKEN', type: 'positional', valueHint: 'env_var_name' },
        { description: 'The container image to run', value: 'ghcr.io/github/github-mcp-server', type: 'positional', valueHint: 'image_name' },
      ],
      environmentVariables: [{ description: 'Your GitHub personal access token', isRequired: true, format: 'string', isSecret: true, name: 'GITHUB_PERSONAL_ACCESS_TOKEN' }],
    };
    expect(inputRequests(pkg)).toEqual([expect.objectContaining({ kind: 'env', name: 'GITHUB_PERSONAL_ACCESS_TOKEN', isSecret: true, isRequired: true })]);
    const launch = ociLaunch(pkg, inputs({ secretEnv: { GITHUB_PERSONAL_ACCESS_TOKEN: 'ghp_x' }, secretsFile: '/s/github.env' }), { engine: '/usr/bin/podman', image: `ghcr.io/github/github-mcp-server:0.16.0@${DIGEST}` });
    expect(launch.args).toEqual(['run', '-i', '--rm', '--env-file', '/s/github.env', `ghcr.io/github/github-mcp-server:0.16.0@${DIGEST}`]);
  });

  it('drops run, -i, --rm and the image before pairing flags, so `-i` + image is not `-i <image>` (cybersim-pro, prometheus-mcp-server)', () => {
    const cybersim: Package = {
      registryType: 'oci',
      identifier: 'docker.io/hamcodes/cybersim-pro-mcp:v1.0.1',
      runtimeArguments: [{ value: 'run', type: 'positional' }, { type: 'named', name: '--rm' }, { type: 'named', name: '-i' }, { value: 'hamcodes/cybersim-pro-mcp:v1.0.1', type: 'positional' }],
    };
    expect(ociLaunch(cybersim, inputs(), { engine: 'docker', image: 'docker.io/hamcodes/cybersim-pro-mcp:v1.0.1' }).args).toEqual(['run', '-i', '--rm', 'docker.io/hamcodes/cybersim-pro-mcp:v1.0.1']);
    const prometheus: Package = {
      registryType: 'oci',
      identifier: 'ghcr.io/tjhop/prometheus-mcp-server:0.7.1',
      runtimeArguments: [{ value: 'run', type: 'positional' }, { type: 'named', name: '-i' }, { type: 'named', name: '--rm' }, { value: 'ghcr.io/tjhop/prometheus-mcp-server', type: 'positional', valueHint: 'image_name' }],
      packageArguments: [{ isRequired: true, default: 'http://127.0.0.1:9090', type: 'named', name: '--prometheus.url' }],
    };
    expect(ociLaunch(prometheus, inputs(), { engine: 'docker', image: 'ghcr.io/tjhop/prometheus-mcp-server:0.7.1' }).args).toEqual(['run', '-i', '--rm', 'ghcr.io/tjhop/prometheus-mcp-server:0.7.1', '--prometheus.url', 'http://127.0.0.1:9090']);
  });

  it('turns `-e NAME={variable}` into an environment variable, so its (secret) value never reaches argv', () => {
    // io.github.SamYuan1990/i18n-agent-action: -e api_key={api_key} with a secret variable, -v with a path.
    const pkg: Package = {
      registryType: 'oci',
      identifier: 'ghcr.io/samyuan1990/i18n-agent-action:mcp',
      runtimeArguments: [
        { value: 'api_key={api_key}', variables: { api_key: { isRequired: true, isSecret: true } }, type: 'named', name: '-e' },
        { value: '{models_path}:/app/models', variables: { models_path: { isRequired: true, format: 'filepath' } }, type: 'named', name: '-v' },
      ],
    };
    expect(inputRequests(pkg).map((r) => [r.name, r.isSecret])).toEqual([['api_key', true], ['models_path', false]]);
    const launch = ociLaunch(pkg, inputs({ values: { api_key: 's3cret', models_path: '/m' }, secretEnv: { api_key: 's3cret' }, secretsFile: '/s/i18n.env' }), { engine: 'docker', image: 'ghcr.io/samyuan1990/i18n-agent-action:mcp' });
    expect(launch.args).toEqual(['run', '-i', '--rm', '--env-file', '/s/i18n.env', '--volume=/m:/app/models', 'ghcr.io/samyuan1990/i18n-agent-action:mcp']);
    expect(launch.args.join(' ')).not.toContain('s3cret');
    // A host folder mounted by registry data needs the user's consent.
    expect(launch.unsafeOptions?.map(describeUnsafe)).toEqual(['-v /m:/app/models: gives the container files of this machine']);
  });

  it('parses image references and refuses what could be read as an option', () => {
    expect(parseImage('docker.io/mcp/filesystem', '1.0.2')).toEqual({ name: 'docker.io/mcp/filesystem', tag: '1.0.2' });
    expect(parseImage('localhost:5000/team/app:v2')).toEqual({ name: 'localhost:5000/team/app', tag: 'v2' });
    expect(parseImage(`ghcr.io/a/b@${DIGEST}`, '9.9.9')).toEqual({ name: 'ghcr.io/a/b', digest: DIGEST });
    expect(imageString({ name: 'ghcr.io/a/b', tag: '1', digest: DIGEST })).toBe(`ghcr.io/a/b:1@${DIGEST}`);
    expect(() => parseImage('--privileged')).toThrow(/Refusing the image reference/);
    expect(() => parseImage('ghcr.io/a/b@sha256:short')).toThrow(McpmError);
  });
});

describe('nuget: dnx Package@version --yes', () => {
  it('puts package arguments after -- and, with no env file to read, secrets in env (reported)', () => {
    // com.joelverhagen.mcp/Knapcode.SampleMcpServer 0.10.0-beta.10, as published, plus a secret.
    const pkg: Package = {
      registryType: 'nuget',
      registryBaseUrl: 'https://api.nuget.org',
      identifier: 'Knapcode.SampleMcpServer',
      version: '0.10.0-beta.10',
      packageArguments: [{ value: 'mcp', type: 'positional' }, { value: 'start', type: 'positional' }],
    };
    const launch = nugetLaunch(pkg, inputs({ env: { WEATHER_CHOICES: 'sunny' }, secretEnv: { API_TOKEN: 't' } }), { dnx: '/usr/share/dotnet/dnx' });
    expect([launch.command, ...launch.args]).toEqual(['/usr/share/dotnet/dnx', 'Knapcode.SampleMcpServer@0.10.0-beta.10', '--yes', '--', 'mcp', 'start']);
    expect(launch.env).toEqual({ WEATHER_CHOICES: 'sunny', API_TOKEN: 't' });
    expect(launch.secretEnvInEntry).toEqual(['API_TOKEN']);
  });

  it('names a feed other than nuget.org with --source, and leaves out -- when there are no package arguments', () => {
    const launch = nugetLaunch({ registryType: 'nuget', identifier: 'TimeMcpServer', version: '1.0.8', registryBaseUrl: 'https://nuget.example.com/v3/index.json' }, inputs(), { dnx: 'dnx' });
    expect(launch.args).toEqual(['TimeMcpServer@1.0.8', '--yes', '--source', 'https://nuget.example.com/v3/index.json']);
  });
});

describe('npm: node on the store\'s bin', () => {
  it('reads secrets with node\'s --env-file and appends package arguments', () => {
    const launch = npmLaunch({ registryType: 'npm', packageArguments: [{ type: 'positional', valueHint: 'dir', isRepeated: true }] }, inputs({ values: { dir: ['/a', '/b'] }, secretsFile: '/s/x.env', secretEnv: { T: 't' } }), { node: '/usr/bin/node', bin: '/store/x/index.js' });
    expect([launch.command, ...launch.args]).toEqual(['/usr/bin/node', '--env-file-if-exists=/s/x.env', '/store/x/index.js', '/a', '/b']);
  });
});

describe('choosing what to install', () => {
  const server = (packages: Package[], remotes: ServerJson['remotes'] = []): ServerJson => ({ name: 'io.github.acme/x', version: '1.0.0', packages, remotes });
  const pypi: Package = { registryType: 'pypi', identifier: 'x', version: '1.0.0', transport: { type: 'stdio' } };
  const oci: Package = { registryType: 'oci', identifier: 'ghcr.io/acme/x:1.0.0', transport: { type: 'stdio' } };
  const npm: Package = { registryType: 'npm', identifier: 'x', version: '1.0.0', transport: { type: 'stdio' } };
  const remote = { type: 'streamable-http', url: 'https://x.example.com/mcp' };
  const noUv = new McpmError('EUNSUPPORTED', 'uv is not installed', { hint: 'Install uv.' });
  const base = { unavailable: () => undefined, platform: 'linux', arch: 'x64' };

  it('npm first, then the other types in the order listed, then remotes', () => {
    expect(chooseSource(server([pypi, oci, npm], [remote]), base).source.kind).toBe('npm');
    expect(chooseSource(server([oci, pypi], [remote]), base).source.kind).toBe('oci');
    expect(chooseSource(server([], [remote]), base).source.kind).toBe('remote');
  });

  it('skips a type whose runtime is missing, falling back to the next package or a remote, and says why', () => {
    const choice = chooseSource(server([pypi, oci]), { ...base, unavailable: (p) => (p.registryType === 'pypi' ? noUv : undefined) });
    expect(choice.source.kind).toBe('oci');
    expect(choice.skipped).toEqual([{ type: 'pypi', reason: noUv }]);
    expect(chooseSource(server([pypi], [remote]), { ...base, unavailable: () => noUv }).source.kind).toBe('remote');
    expect(() => chooseSource(server([pypi]), { ...base, unavailable: () => noUv })).toThrow(noUv);
  });

  it('--package-type chooses explicitly; a reinstall prefers the type installed before', () => {
    expect(chooseSource(server([npm, oci], [remote]), { ...base, requested: 'oci' }).source.kind).toBe('oci');
    expect(chooseSource(server([npm, oci], [remote]), { ...base, requested: 'remote' }).source.kind).toBe('remote');
    expect(() => chooseSource(server([npm]), { ...base, requested: 'nuget' })).toThrow('io.github.acme/x@1.0.0 has no nuget stdio package for this machine');
    expect(() => chooseSource(server([npm]), { ...base, requested: 'rpm' })).toThrow('Unknown package type "rpm"');
    expect(chooseSource(server([npm, oci]), { ...base, previous: 'oci' }).source.kind).toBe('oci');
  });

  it('a bundle built for another platform is not a candidate (runtimeHint linux-amd64, darwin-arm64...)', () => {
    const bundle = (hint: string): Package => ({ registryType: 'mcpb', identifier: `https://example.com/x-${hint}.mcpb`, runtimeHint: hint, transport: { type: 'stdio' } });
    expect(bundlePlatform('linux-amd64')).toEqual({ platform: 'linux', arch: 'x64' });
    expect(bundlePlatform('binary')).toBeUndefined();
    const choice = chooseSource(server([bundle('darwin-arm64'), bundle('linux-amd64')]), base);
    expect(choice.source.kind === 'mcpb' && choice.source.pkg.runtimeHint).toBe('linux-amd64');
  });
});
