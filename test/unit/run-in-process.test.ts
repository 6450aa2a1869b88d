// When `mcpm run` may run a server's bin in its own process rather than start a second node: only for the node that
// runs mcpm, with no node option before the bin, and no variable node reads at start-up set by the entry or its
// secrets file (those need a node of their own).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inThisProcess } from '../../src/commands/run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpm-run-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bin = path.join(dir, 'index.js');
const plainFile = path.join(dir, 'plain.env');
writeFileSync(plainFile, 'API_TOKEN=abc\n#mcpm-arg key="v"\n');
const nodeFile = path.join(dir, 'node.env');
writeFileSync(nodeFile, 'NODE_PATH=/elsewhere\n');
const env = { ...process.env };

describe('mcpm run in its own process', () => {
  it('the same node on an absolute bin, with or without the secrets file', () => {
    expect(inThisProcess(process.execPath, [bin, '--flag'], env)).toEqual({ bin, args: ['--flag'], fileValues: {} });
    expect(inThisProcess(process.execPath, [`--env-file-if-exists=${plainFile}`, bin], env)).toEqual({ bin, args: [], fileValues: { API_TOKEN: 'abc' } });
  });

  it('another node, a node option before the bin, or a relative bin: a child', () => {
    expect(inThisProcess('/opt/other/node', [bin], env)).toBeUndefined();
    expect(inThisProcess(process.execPath, ['--enable-source-maps', bin], env)).toBeUndefined();
    expect(inThisProcess(process.execPath, ['index.js'], env)).toBeUndefined();
  });

  it('a variable node reads as it starts, set by the entry or the secrets file: a child', () => {
    expect(inThisProcess(process.execPath, [bin], { ...env, NODE_OPTIONS: '--max-old-space-size=64' })).toBeUndefined();
    expect(inThisProcess(process.execPath, [`--env-file-if-exists=${nodeFile}`, bin], env)).toBeUndefined();
    // The same value mcpm itself was started with changes nothing.
    expect(inThisProcess(process.execPath, [bin], { ...env, ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}) })).toEqual({ bin, args: [], fileValues: {} });
  });
});
