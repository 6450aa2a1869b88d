// How `mcpm check` (and every pin) learns a stdio server's protocol version, as seen from the server's side: a node
// server is asked once, on its own process, whatever era it speaks, and one that exits on a request before
// initialize (some hand-written servers do) is started a second time and reached with initialize. Servers here are
// a few lines of node each, logging every start.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../src/commands/check.js';
import { createContext } from '../src/context.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';

let dir: string;
beforeAll(async () => {
  dir = await makeTmpDir('mcpm-probe-');
});
afterAll(cleanupTmpDirs);

/** A 2025-era server: initialize, tools/list; anything else before initialize is answered with an error or, with `exitOnUnknown`, ends it. */
function server(name: string, exitOnUnknown: boolean): { script: string; starts: () => number } {
  const log = path.join(dir, `${name}.starts`);
  writeFileSync(log, '');
  const script = path.join(dir, `${name}.js`);
  writeFileSync(script, `
const fs = require('fs');
fs.appendFileSync(${JSON.stringify(log)}, 'start\\n');
let buffer = '';
const send = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  let at;
  while ((at = buffer.indexOf('\\n')) >= 0) {
    const line = buffer.slice(0, at); buffer = buffer.slice(at + 1);
    if (!line.trim()) continue;
    const m = JSON.parse(line);
    if (m.method === 'initialize') send({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: ${JSON.stringify(name)}, version: '1.0.0' } } });
    else if (m.method === 'tools/list') send({ jsonrpc: '2.0', id: m.id, result: { tools: [{ name: 'echo', inputSchema: { type: 'object' } }] } });
    else if (m.id !== undefined) { if (${exitOnUnknown}) process.exit(1); send({ jsonrpc: '2.0', id: m.id, error: { code: -32601, message: 'Method not found' } }); }
  }
});
process.stdin.on('end', () => process.exit(0));
`);
  return { script, starts: () => readFileSync(log, 'utf8').split('\n').filter(Boolean).length };
}

describe('the protocol version of a node server is learnt on its own process', () => {
  it('a 2025 server that answers the discover probe with an error is started once', async () => {
    const polite = server('polite', false);
    const result = await probe(createContext({}), { command: process.execPath, args: [polite.script], env: {} }, 15_000);
    expect(result).toMatchObject({ ok: true, protocol: '2025-06-18', tools: ['echo'] });
    expect(polite.starts()).toBe(1);
  });

  it('a server that exits on the probe is started again and reached with initialize', async () => {
    const abrupt = server('abrupt', true);
    const result = await probe(createContext({}), { command: process.execPath, args: [abrupt.script], env: {} }, 15_000);
    expect(result).toMatchObject({ ok: true, protocol: '2025-06-18', tools: ['echo'] });
    expect(abrupt.starts()).toBe(2);
  });
});
