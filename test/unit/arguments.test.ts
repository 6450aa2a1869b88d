// Arguments to argv: positional and named, fixed and asked, defaults, switches, repeated values, {variables},
// and the value checks (choices, number, boolean, filepath). Pure functions, no process.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { argumentRequests, pairFlags, renderArguments } from '../../src/plan/arguments.js';
import { checkValue, inputRequests, packageEnvironment } from '../../src/plan/inputs.js';
import type { Input } from '../../src/registry/types.js';

const render = (args: Input[], values: Record<string, string | string[]> = {}, switches = false, secret: string[] = []) =>
  renderArguments(args, values, { switches, isSecret: (name) => secret.includes(name) });

describe('rendering arguments', () => {
  it('a positional argument is one item, a named one is two (--flag value), never joined with =', () => {
    const args: Input[] = [
      { type: 'positional', value: 'serve' },
      { type: 'named', name: '--mode', value: 'http' },
      { type: 'positional', valueHint: 'target_dir' },
      { type: 'named', name: '--port', format: 'number' },
    ];
    expect(render(args, { target_dir: '/srv/data', port: '8080' }).argv).toEqual(['serve', '--mode', 'http', '/srv/data', '--port', '8080']);
  });

  it('uses the default when no value is given, and leaves out an optional argument with neither', () => {
    const args: Input[] = [
      { type: 'named', name: '--authenticator', default: 'snowflake' },
      { type: 'named', name: '--account' },
      { type: 'positional', valueHint: 'db', default: 'main' },
    ];
    expect(render(args).argv).toEqual(['--authenticator', 'snowflake', 'main']);
    expect(render(args, { account: 'xy123', authenticator: 'oauth', db: 'other' }).argv).toEqual(['--authenticator', 'oauth', '--account', 'xy123', 'other']);
  });

  it('a named boolean argument is a switch: "true" gives the flag alone, "false" nothing', () => {
    const args: Input[] = [{ type: 'named', name: '--read-only', format: 'boolean' }, { type: 'named', name: '-i', value: 'true', format: 'boolean' }];
    expect(render(args, { 'read-only': 'true' }).argv).toEqual(['--read-only', '-i']);
    expect(render(args, { 'read-only': 'false' }).argv).toEqual(['-i']);
  });

  it('a repeated argument takes each value: positional items, or the flag before each value', () => {
    const args: Input[] = [
      { type: 'named', name: '--allow', isRepeated: true },
      { type: 'positional', valueHint: 'dir', isRepeated: true },
    ];
    expect(render(args, { allow: ['a.com', 'b.com'], dir: ['/one', '/two', '/three'] }).argv).toEqual(['--allow', 'a.com', '--allow', 'b.com', '/one', '/two', '/three']);
  });

  it('fills {variables} of a fixed value; a value whose variable has nothing is left out whole', () => {
    const mount: Input = {
      type: 'named',
      name: '--mount',
      value: 'type=bind,src={source_path},dst={target_path}',
      variables: { source_path: { isRequired: true, format: 'filepath' }, target_path: { default: '/project' } },
    };
    expect(render([mount], { source_path: '/home/me/code' }).argv).toEqual(['--mount', 'type=bind,src=/home/me/code,dst=/project']);
    expect(render([mount]).argv).toEqual([]);
    // Undeclared braces are not variables: they stay as written.
    expect(render([{ type: 'positional', value: '{not_declared}' }]).argv).toEqual(['{not_declared}']);
  });

  it('repeats a repeated template once per value; a one-value variable fills every repetition', () => {
    const mount: Input = {
      type: 'named',
      name: '--mount',
      value: 'src={source_path},dst={target_path}',
      isRepeated: true,
      variables: { source_path: {}, target_path: {} },
    };
    expect(render([mount], { source_path: ['/a', '/b'], target_path: '/in' }).argv).toEqual(['--mount', 'src=/a,dst=/in', '--mount', 'src=/b,dst=/in']);
    expect(() => render([mount], { source_path: ['/a', '/b'], target_path: ['/x', '/y', '/z'] })).toThrow('source_path has 2 values but --mount is repeated 3 times');
  });

  it('runtime flags with nothing of their own are switches; the same shape in package arguments is an input', () => {
    const args: Input[] = [{ type: 'positional', value: 'serve' }, { type: 'named', name: '--mcp' }];
    expect(render(args, {}, true).argv).toEqual(['serve', '--mcp']);
    expect(argumentRequests(args, true)).toEqual([]);
    expect(render(args, {}, false).argv).toEqual(['serve']);
    expect(argumentRequests(args, false).map((r) => r.name)).toEqual(['mcp']);
  });

  it('reads `-e` + `NAME` (a bare flag, then a fixed positional) as one named argument', () => {
    const paired = pairFlags([
      { type: 'named', name: '-e', description: 'Set an environment variable' },
      { type: 'positional', value: 'GITHUB_PERSONAL_ACCESS_TOKEN' },
      { type: 'named', name: '--rm' },
      { type: 'positional', valueHint: 'image' },
    ]);
    expect(paired).toEqual([
      { type: 'named', name: '-e', value: 'GITHUB_PERSONAL_ACCESS_TOKEN', description: 'Set an environment variable' },
      { type: 'named', name: '--rm' },
      { type: 'positional', valueHint: 'image' },
    ]);
  });

  it('reports which secret inputs went into argv', () => {
    const args: Input[] = [{ type: 'named', name: '--password', isSecret: true }, { type: 'named', name: '--user' }];
    expect(render(args, { password: 'hunter2', user: 'me' }, false, ['password'])).toEqual({ argv: ['--password', 'hunter2', '--user', 'me'], secrets: ['password'] });
  });
});

describe('what a package asks for', () => {
  it('asks the variables of fixed values; a variable of a required argument is required unless it has a default', () => {
    const requests = argumentRequests([
      { type: 'named', name: '--mount', isRequired: true, value: '{src}:{dst}', variables: { src: { format: 'filepath' }, dst: { default: '/data' } } },
      { type: 'named', name: '-e', value: 'api_key={api_key}', variables: { api_key: { isRequired: true } }, isSecret: true },
    ], true);
    expect(requests).toEqual([
      expect.objectContaining({ kind: 'arg', name: 'src', isRequired: true, format: 'filepath' }),
      expect.objectContaining({ kind: 'arg', name: 'dst', isRequired: false, default: '/data' }),
      expect.objectContaining({ kind: 'arg', name: 'api_key', isRequired: true, isSecret: true }),
    ]);
  });

  it('covers runtime arguments, package arguments and environment variables, each name once', () => {
    // io.github.joelverhagen/Knapcode.SampleMcpServer 0.7.0-beta, as published.
    const requests = inputRequests({
      registryType: 'nuget',
      identifier: 'Knapcode.SampleMcpServer',
      version: '0.7.0-beta',
      packageArguments: [{ value: 'mcp', type: 'positional', valueHint: 'mcp' }, { value: 'start', type: 'positional', valueHint: 'start' }],
      environmentVariables: [{ value: '{weather_choices}', variables: { weather_choices: { description: 'Comma separated list', isRequired: true } }, name: 'WEATHER_CHOICES' }],
    });
    expect(requests).toEqual([expect.objectContaining({ kind: 'arg', name: 'weather_choices', isRequired: true })]);
  });

  it('fills environment values from their variables; a secret variable makes the value secret', () => {
    const env: Input[] = [
      { name: 'WEATHER_CHOICES', value: '{weather_choices}', variables: { weather_choices: {} } },
      { name: 'AUTH', value: 'Bearer {token}', variables: { token: { isSecret: true } } },
      { name: 'FIXED', value: 'yes' },
      { name: 'UNSET', value: '{missing}', variables: { missing: {} } },
    ];
    expect(packageEnvironment(env, { weather_choices: 'sunny,rainy', token: 't0k' }, (name) => name === 'token')).toEqual({
      env: { WEATHER_CHOICES: 'sunny,rainy', FIXED: 'yes' },
      secretEnv: { AUTH: 'Bearer t0k' },
    });
  });
});

describe('checking values', () => {
  const where = { cwd: '/work/project', home: '/home/me' };
  const request = (format?: string, extra = {}) => ({ kind: 'arg' as const, name: 'x', isRequired: false, isSecret: false, format, ...extra });

  it('numbers must be decimal numbers within their bounds', () => {
    expect(checkValue(request('number'), '8080', where)).toBe('8080');
    expect(checkValue(request('number'), '-1.5', where)).toBe('-1.5');
    expect(() => checkValue(request('number'), 'eighty', where)).toThrow('x must be a number (got "eighty")');
    expect(() => checkValue(request('number', { max: 100 }), '101', where)).toThrow('x must be at most 100');
  });

  it('booleans are true or false, written lowercase', () => {
    expect(checkValue(request('boolean'), 'TRUE', where)).toBe('true');
    expect(() => checkValue(request('boolean'), 'yes', where)).toThrow('x must be true or false');
  });

  it('file paths become absolute: ~/ is the home folder, relative paths start where mcpm ran', () => {
    expect(checkValue(request('filepath'), '~/notes', where)).toBe(path.resolve('/home/me/notes'));
    expect(checkValue(request('filepath'), 'docs', where)).toBe(path.resolve('/work/project/docs'));
    expect(checkValue(request('filepath'), '/etc/hosts', where)).toBe(path.resolve('/etc/hosts'));
  });

  it('choices are enforced, and a secret value is never echoed in the error', () => {
    expect(() => checkValue(request(undefined, { choices: ['stdio', 'http'] }), 'sse', where)).toThrow('x must be one of stdio, http (got "sse")');
    expect(() => checkValue(request('number', { isSecret: true }), 'sekrit', where)).toThrow('x must be a number (got a secret value)');
  });
});
