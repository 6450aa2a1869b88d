// Every pypi, oci and nuget package the official registry listed on 2025-12-02 (../shared), planned with
// placeholder values: each gets a command line, or a clear refusal of a malformed identifier; nothing crashes.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { McpmError } from '../../src/errors.js';
import { inputRequests } from '../../src/plan/inputs.js';
import { nugetLaunch, ociLaunch, pypiLaunch } from '../../src/plan/launch.js';
import { imageString, parseImage } from '../../src/plan/oci.js';
import type { Package } from '../../src/registry/types.js';

const DUMP = new URL('../../../shared/registry/official-2025-12-02.json', import.meta.url);

// Where ../shared is absent (a user's clone) the suite is skipped and its title says why.
describe.skipIf(!existsSync(DUMP))(existsSync(DUMP) ? 'the official registry dump' : 'the official registry dump (skipped: ../shared/registry is absent)', () => {
  it('plans a launch for every pypi, oci and nuget package, or refuses a malformed one by name', () => {
    const dump = JSON.parse(readFileSync(DUMP, 'utf8')) as { servers: Array<{ server: { version: string; packages?: Package[] } }> };
    let planned = 0;
    const refused: string[] = [];
    for (const { server } of dump.servers) {
      for (const pkg of server.packages ?? []) {
        if (!['pypi', 'oci', 'nuget'].includes(pkg.registryType ?? '')) continue;
        try {
          const requests = inputRequests(pkg);
          const values = Object.fromEntries(requests.map((r) => [r.name, r.format === 'number' ? '1' : r.format === 'boolean' ? 'true' : 'x']));
          const inputs = { values, env: {}, secretEnv: {}, isSecret: () => false };
          const pinned = { ...pkg, version: pkg.version ?? server.version };
          const launch = pkg.registryType === 'pypi'
            ? pypiLaunch(pinned, inputs, { uvx: '/bin/uvx', cacheDir: '/c', scripts: [] })
            : pkg.registryType === 'oci'
              ? ociLaunch(pkg, inputs, { engine: '/bin/docker', image: imageString(parseImage(pkg.identifier!, pkg.version)) })
              : nugetLaunch(pinned, inputs, { dnx: '/bin/dnx' });
          expect(launch.args.every((a) => typeof a === 'string')).toBe(true);
          planned++;
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(McpmError);
          refused.push(`${(error as McpmError).code} ${pkg.identifier}`);
        }
      }
    }
    expect(planned).toBeGreaterThan(700);
    // docker.io/mcp/sonarqube:sha256:... (a digest spelled as a tag) is the one malformed reference.
    expect(refused).toEqual([expect.stringMatching(/^EINVALIDNAME docker\.io\/mcp\/sonarqube:sha256:/)]);
  });
});
