// Registry data cannot reconfigure the runtime: docker options that mount the host, share its network or add
// privileges, uvx options that swap the index or undo --offline, dnx feeds: each needs consent, and what could
// replace the pinned image or package is refused outright. And URL variables cannot move a remote server's host.
import { describe, expect, it } from 'vitest';
import { nugetLaunch, ociLaunch, pypiLaunch, type LaunchInputs } from '../../src/plan/launch.js';
import { fillUrl, renderRemote } from '../../src/plan/remote.js';
import { describeUnsafe } from '../../src/plan/runtime-options.js';
import type { Input, Package } from '../../src/registry/types.js';

const inputs = (values: Record<string, string> = {}): LaunchInputs => ({ values, env: {}, secretEnv: {}, isSecret: () => false });
const IMAGE = 'ghcr.io/acme/notes:1.0.0@sha256:' + 'ab'.repeat(32);
const oci = (runtimeArguments: Input[]): Package => ({ registryType: 'oci', identifier: 'ghcr.io/acme/notes', version: '1.0.0', runtimeArguments });
const docker = (args: Input[], values?: Record<string, string>) => ociLaunch(oci(args), inputs(values), { engine: '/usr/bin/docker', image: IMAGE });

describe('docker/podman options from registry data', () => {
  it('the safe set passes without asking, each option one argv item, and the pinned image is what runs', () => {
    const launch = docker([{ type: 'named', name: '--user', value: '1000' }, { type: 'named', name: '--network', value: 'none' }, { type: 'named', name: '--init' }]);
    expect(launch.args).toEqual(['run', '-i', '--rm', '--user=1000', '--network=none', '--init', IMAGE]);
    expect(launch.unsafeOptions).toEqual([]);
  });

  for (const [what, args, shown] of [
    ['the host\'s root mounted', [{ type: 'named', name: '-v', value: '/:/host' }], '-v /:/host: gives the container files of this machine'],
    ['--privileged', [{ type: 'named', name: '--privileged' }], '--privileged: gives the container full access to this machine'],
    ['host networking', [{ type: 'named', name: '--network', value: 'host' }], '--network host: connects the container to a network of this machine (host networking reaches every local service)'],
    ['a port opened', [{ type: 'named', name: '-p', value: '8080:8080' }], '-p 8080:8080: opens a port of this machine to the container'],
    ['an option mcpm does not know', [{ type: 'named', name: '--runtime', value: 'runc' }], '--runtime runc: an option mcpm does not know for docker'],
  ] as Array<[string, Input[], string]>) {
    it(`${what}: needs consent, shown as it is`, () => {
      const launch = docker(args);
      expect(launch.unsafeOptions?.map(describeUnsafe)).toEqual([shown]);
      expect(launch.args[launch.args.length - 1]).toBe(IMAGE);
    });
  }

  it('a positional argument before the image, or an option whose value is missing, is refused outright', () => {
    expect(() => docker([{ type: 'positional', value: 'alpine:latest' }])).toThrow(expect.objectContaining({ code: 'EUNSAFE', message: expect.stringContaining('could take the place of the pinned image') }));
    // --label takes a value: given none, docker would take the pinned image as the label.
    expect(() => docker([{ type: 'named', name: '--label' }])).toThrow(/--label without a value/);
    expect(() => docker([{ type: 'named', name: '--entrypoint', value: '' }, { type: 'positional', value: 'sh' }])).toThrow(/EUNSAFE|could take the place/);
  });

  it('a user\'s value beginning with "-" stays inside its option and never reaches the position of the image', () => {
    const launch = docker([{ type: 'named', name: '-v', value: '{dir}:/data', variables: { dir: { isRequired: true } } }], { dir: '--privileged' });
    expect(launch.args).toEqual(['run', '-i', '--rm', '--volume=--privileged:/data', IMAGE]);
  });
});

describe('uvx and dnx options from registry data', () => {
  const uv = { uvx: '/usr/bin/uvx', cacheDir: '/store/x/uv-cache', scripts: ['notes'] };
  const pypi = (runtimeArguments: Input[]): Package => ({ registryType: 'pypi', identifier: 'notes', version: '1.0.0', runtimeArguments });

  it('--with, an index, --no-offline need consent; an entry\'s --from is dropped; mcpm\'s pin and --offline come last and win', () => {
    const launch = pypiLaunch(pypi([
      { type: 'named', name: '--with', value: 'evil==6.6.6' },
      { type: 'named', name: '--index-url', value: 'https://evil.example/simple' },
      { type: 'named', name: '--no-offline' },
      { type: 'named', name: '--from=evil' },
    ]), inputs(), uv);
    expect(launch.unsafeOptions?.map(describeUnsafe)).toEqual([
      '--with evil==6.6.6: adds other packages to the environment the pinned package runs in',
      '--index-url https://evil.example/simple: fetches packages from another index',
      '--no-offline: undoes the offline, pinned start',
    ]);
    expect(launch.args.slice(-6)).toEqual(['--cache-dir', uv.cacheDir, '--offline', '--from', 'notes==1.0.0', 'notes']);
    expect(launch.args.join(' ')).not.toContain('--from=evil');
  });

  it('dnx: a feed from registry data needs consent', () => {
    const launch = nugetLaunch({ registryType: 'nuget', identifier: 'Acme.Notes', version: '1.0.0', runtimeArguments: [{ type: 'named', name: '--source', value: 'https://evil.example/v3/index.json' }] }, inputs(), { dnx: '/usr/bin/dnx' });
    expect(launch.unsafeOptions?.map(describeUnsafe)).toEqual(['--source https://evil.example/v3/index.json: fetches the tool from another feed']);
    expect(launch.args.slice(0, 2)).toEqual(['Acme.Notes@1.0.0', '--yes']);
  });
});

describe('URL variables cannot move the host', () => {
  const template = 'https://mcp.example.com/{tenant}/mcp';
  for (const value of ['127.0.0.1:8080/#', 'evil.example/', 'x@host/', '../../admin', 'a b?c=d']) {
    it(`a path variable given ${JSON.stringify(value)} is encoded and stays on mcp.example.com`, () => {
      const url = new URL(fillUrl(template, { tenant: value }, { tenant: { isRequired: true } }));
      expect(url.origin).toBe('https://mcp.example.com');
      expect(url.pathname).toBe(`/${encodeURIComponent(value)}/mcp`);
    });
  }

  it('a path variable cannot climb', () => {
    expect(() => fillUrl(template, { tenant: '..' }, {})).toThrow(/would climb the path/);
  });

  it('a host variable takes a single DNS label only', () => {
    const host = 'https://{tenant}.example.com/mcp';
    expect(fillUrl(host, { tenant: 'acme-1' }, {})).toBe('https://acme-1.example.com/mcp');
    for (const value of ['evil.com/x', 'evil.com#', 'a.b', 'x@y', '-x']) expect(() => fillUrl(host, { tenant: value }, {})).toThrow(/one label/);
  });

  it('an optional variable\'s default is used; a required one without a value stays for the caller to report', () => {
    expect(fillUrl('https://x.example/{path}', {}, { path: { default: 'v1' } })).toBe('https://x.example/v1');
    expect(fillUrl('https://x.example/mcp?region={region}', {}, { region: { isRequired: false } })).toBe('https://x.example/mcp?region=');
    expect(fillUrl('https://x.example/{tenant}', {}, { tenant: { isRequired: true } })).toBe('https://x.example/{tenant}');
  });

  it('a header value with a line break is refused (it would add a header of its choosing)', () => {
    const remote = { type: 'streamable-http', url: 'https://x.example/mcp', headers: [{ name: 'X-Tenant', isRequired: true }] };
    expect(() => renderRemote(remote, 'streamable-http', { 'X-Tenant': 'acme\r\nAuthorization: Bearer stolen' })).toThrow(/line break/);
  });
});
