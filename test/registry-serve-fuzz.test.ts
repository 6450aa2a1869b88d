// @module-tag deep
// `mcpm registry serve` reads request lines written by anyone who can reach it: raw, seeded junk request targets,
// methods and headers sent over plain sockets (fetch would refuse to send most of them). Every one gets an HTTP
// answer below 500 (or Node's own 400 for a line it cannot parse), and the server keeps serving after each batch.
// FUZZ_SEED and FUZZ_CASES replay or widen a run.
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rng } from './helpers/gen-config.js';
import { serverEntry } from './helpers/mcp-registry.js';
import { startServe, type ServedRegistry } from './helpers/serve-registry.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const CASES = Number(process.env.FUZZ_CASES ?? 300);
let served: ServedRegistry;
let port: number;

beforeAll(async () => {
  const dir = await makeTmpDir('mcpm-serve-fuzz-');
  writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ servers: [serverEntry('io.github.acme/weather', '1.0.0', { identifier: 'weather', version: '1.0.0' })] }));
  served = await startServe(path.join(dir, 'index.json'), { home: dir });
  port = Number(new URL(served.url).port);
});
afterAll(async () => {
  await served?.stop();
  await cleanupTmpDirs();
});

/** Sends raw bytes, resolves with the status of the first answer (0 when the connection closed without one). */
function raw(request: string | Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${JSON.stringify(String(request).slice(0, 200))}`));
    }, 10_000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
      const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (match) {
        clearTimeout(timer);
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(0);
    });
    socket.write(request);
  });
}

const NASTY = ['//[', '//[::1', '//[x]/v0.1/servers', 'http://[', '*', '%', '%%', '/v0.1/servers/%E0%A4%A/versions', '/v0.1/servers?cursor=%ff%fe', '/v0.1/servers?limit=1e999', '/v0.1/servers?limit=-0', '/v0.1/servers?updated_since=%00', '/v0.1/servers/%2F%2F/versions/latest', '/v0.1/servers/a%2Fb/versions/%2e%2e', '//@/', '/\\\\x', `/${'a'.repeat(9000)}`];
const CHARS = ['/', '/', 'v0.1', 'servers', 'versions', 'latest', '%', '%2F', '%zz', '[', ']', '@', ':', '?', '#', '&', '=', '\\', '..', '.', ' ', '\t', '\u0000', '\u00ff', 'é', '\u2028', 'x', '1'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'get', 'G ET', ''];

describe('registry serve: request parsing under junk', () => {
  it('answers GET //[ with a 400 problem and keeps serving', async () => {
    expect(await raw('GET //[ HTTP/1.1\r\nHost: x\r\n\r\n')).toBe(400);
    const response = await fetch(`${served.url}/v0.1/servers`);
    expect(response.status).toBe(200);
  });

  it(`answers ${CASES} seeded junk requests (seed ${SEED}) below 500, and still serves after each batch`, async () => {
    const random = rng(SEED);
    const targets = [...NASTY];
    while (targets.length < CASES) targets.push(Array.from({ length: 1 + random.int(12) }, () => random.pick(CHARS)).join(''));
    for (let i = 0; i < targets.length; i += 20) {
      const batch = targets.slice(i, i + 20).map((target, j) => {
        const method = random.pick(METHODS);
        const headers = random.int(4) === 0 ? `Authorization: ${random.pick(['Bearer', 'Bearer \u00ff', '', 'x'.repeat(100)])}\r\n` : '';
        const body = method === 'POST' || method === 'PATCH' ? random.pick(['{', '[]', 'null', '{"status":1}', '\u0000']) : '';
        const length = body ? `Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n` : '';
        return raw(Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}${length}\r\n${body}`, 'latin1')).then((status) => ({ status, target, j }));
      });
      for (const { status, target } of await Promise.all(batch)) {
        expect(status === 0 || (status >= 200 && status < 500), `${status} for ${JSON.stringify(target)}`).toBe(true);
      }
      expect((await fetch(`${served.url}/v0.1/servers`)).status).toBe(200);
    }
    expect(served.stderr()).not.toMatch(/\n\s+at |EINTERNAL|TypeError/);
  });
});
