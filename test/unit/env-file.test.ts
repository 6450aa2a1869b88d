// The secrets file in the three formats launchers read. node's format is checked against node itself; docker's
// and uv's against what their parsers do (docker: the rest of the line, literally; dotenvy: single quotes are
// literal, `'\''` is a quote).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envFileText, formatEnvFileLine, parseEnvFile } from '../../src/plan/env-file.js';
import { makeTmpDir } from '../helpers/tmp.js';

const tricky = `it's "quoted" \`ticked\` $HOME \\n # not a comment`;

describe('secrets file formats', () => {
  it('node: what node --env-file reads back is the value', async () => {
    const dir = await makeTmpDir('mcpm-envfile');
    const file = path.join(dir, 'x.env');
    const value = 'p@ss word $HOME "x" #1';
    writeFileSync(file, envFileText('io.github.acme/x', 'node', [formatEnvFileLine('SECRET', value, 'node')!], {}));
    const seen = execFileSync(process.execPath, [`--env-file=${file}`, '-e', 'process.stdout.write(process.env.SECRET)'], { encoding: 'utf8' });
    expect(seen).toBe(value);
  });

  it('docker: NAME=value, literally; names with dashes are allowed; a newline cannot be held', () => {
    expect(formatEnvFileLine('X-API-Key', tricky, 'docker')).toBe(`X-API-Key=${tricky}`);
    expect(formatEnvFileLine('A', 'two\nlines', 'docker')).toBeUndefined();
    expect(formatEnvFileLine('has space', 'v', 'docker')).toBeUndefined();
  });

  it('dotenv (uv): single-quoted, a quote written as \'\\\'\'', () => {
    expect(formatEnvFileLine('TOKEN', "it's", 'dotenv')).toBe("TOKEN='it'\\''s'");
    expect(formatEnvFileLine('X-API-Key', 'v', 'dotenv')).toBeUndefined();
  });

  it('reads back every format, and secret argument values kept as comment lines', () => {
    for (const format of ['node', 'docker', 'dotenv'] as const) {
      const value = format === 'node' ? 'plain $value' : tricky;
      const text = envFileText('io.github.acme/x', format, [formatEnvFileLine('TOKEN', value, format)!], { password: 'hunter2', dirs: ['/a', '/b'] });
      expect(text.split('\n')[0]).toBe(`# Secrets for io.github.acme/x, written by mcpm (format: ${format}). Mode 0600.`);
      expect(parseEnvFile(text)).toEqual({ env: { TOKEN: value }, args: { password: 'hunter2', dirs: ['/a', '/b'] }, format });
    }
  });

  it('a carriage return or NUL cannot be held in any format (node would alter it): refused, never changed', () => {
    for (const format of ['node', 'docker', 'dotenv'] as const) {
      expect(formatEnvFileLine('TOKEN', 'abc\rdef', format)).toBeUndefined();
      expect(formatEnvFileLine('TOKEN', 'abc\0def', format)).toBeUndefined();
    }
  });

  it('reads files written before formats existed (node format, no header)', () => {
    expect(parseEnvFile("# Secrets for x, written by mcpm. Mode 0600.\nTOKEN='abc'\nMULTI=`a\nb`\n").env).toEqual({ TOKEN: 'abc', MULTI: 'a\nb' });
  });
});
