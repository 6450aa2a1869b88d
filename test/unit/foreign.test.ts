import { describe, expect, it } from 'vitest';
import { npmPackageOf, readForeignEntry } from '../../src/plan/foreign.js';

describe('reading hand-written entries', () => {
  it('reads every client shape back into a command line', () => {
    expect(readForeignEntry({ command: 'npx', args: ['-y', 'a'], env: { K: 'v' } })).toEqual({ command: 'npx', args: ['-y', 'a'], env: { K: 'v' } });
    expect(readForeignEntry({ cmd: 'npx', args: ['b'], envs: { K: 'v' } })).toEqual({ command: 'npx', args: ['b'], env: { K: 'v' } });
    expect(readForeignEntry({ type: 'local', command: ['npx', '-y', 'c'], environment: { K: 'v' } })).toEqual({ command: 'npx', args: ['-y', 'c'], env: { K: 'v' } });
    expect(readForeignEntry({ serverUrl: 'https://x' })).toEqual({ args: [], env: {}, url: 'https://x' });
  });

  const cases: Array<[string, string[], ReturnType<typeof npmPackageOf>]> = [
    ['npx', ['-y', '@modelcontextprotocol/server-memory'], { name: '@modelcontextprotocol/server-memory', rest: [] }],
    ['npx', ['-y', 'github-posts@1.0.0', '--flag'], { name: 'github-posts', version: '1.0.0', rest: ['--flag'] }],
    ['npx', ['github-posts@latest'], { name: 'github-posts', rest: [] }],
    ['C:\\Program Files\\nodejs\\npx.cmd', ['-y', 'x'], { name: 'x', rest: [] }],
    ['cmd', ['/c', 'npx', '-y', '@scope/pkg@2.1.0', '--verbose', '/data'], { name: '@scope/pkg', version: '2.1.0', rest: ['--verbose', '/data'] }],
    ['pnpm', ['dlx', 'pkg'], { name: 'pkg', rest: [] }],
    ['npx', ['-p', 'pkg@3', 'pkg-bin', '--port', '1'], { name: 'pkg', version: '3', rest: ['--port', '1'] }],
    ['/usr/bin/node', ['/home/a/lib/node_modules/@scope/srv/dist/index.js', '--x'], { name: '@scope/srv', rest: ['--x'] }],
    ['uvx', ['mcp-server-fetch'], undefined],
    ['docker', ['run', '-i', 'img'], undefined],
    ['npx', ['-y', '$(rm -rf ~)'], undefined],
  ];
  for (const [command, args, expected] of cases) {
    it(`${command} ${args.join(' ')}`, () => {
      expect(npmPackageOf({ command, args, env: {} })).toEqual(expected);
    });
  }
});
