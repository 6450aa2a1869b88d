// The fetches mcpm sends credentials with: redirects followed only within the origin (and the method kept), and the
// answers of authorization servers read up to a size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cappedFetch, sameOriginFetch } from '../../src/auth/http.js';
import { listenLocal, type LocalServer } from '../helpers/http.js';

let here: LocalServer;
let there: LocalServer;
const arrived: Array<{ where: string; method: string; path: string; key?: string }> = [];

beforeAll(async () => {
  there = await listenLocal((req, res) => {
    arrived.push({ where: 'there', method: req.method ?? '', path: req.url ?? '', key: req.headers['x-api-key'] as string | undefined });
    res.end('there');
  });
  here = await listenLocal((req, res) => {
    arrived.push({ where: 'here', method: req.method ?? '', path: req.url ?? '', key: req.headers['x-api-key'] as string | undefined });
    if (req.url === '/away') return void res.writeHead(307, { location: `${there.url}/catch` }).end();
    if (req.url === '/moved') return void res.writeHead(308, { location: '/new' }).end();
    if (req.url === '/see-other') return void res.writeHead(303, { location: '/new' }).end();
    if (req.url === '/loop') return void res.writeHead(307, { location: '/loop' }).end();
    if (req.url === '/big') return void res.end('x'.repeat(5000));
    res.end(`here ${req.method}`);
  });
});
afterAll(async () => {
  await Promise.all([here.close(), there.close()]);
});

describe('sameOriginFetch', () => {
  it('never follows a redirect to another origin: the answer is the 307, and nothing reaches the other side', async () => {
    arrived.length = 0;
    const response = await sameOriginFetch(`${here.url}/away`, { method: 'POST', headers: { 'x-api-key': 'k' }, body: '{}' });
    expect(response.status).toBe(307);
    expect(arrived.filter((r) => r.where === 'there')).toEqual([]);
  });

  it('follows one within the origin, keeping the method only where HTTP keeps it', async () => {
    arrived.length = 0;
    expect(await (await sameOriginFetch(`${here.url}/moved`, { method: 'POST', headers: { 'x-api-key': 'k' }, body: '{}' })).text()).toBe('here POST');
    expect(arrived.map((r) => `${r.method} ${r.path} ${r.key}`)).toEqual(['POST /moved k', 'POST /new k']);
    // A 303 would turn a POST into a GET: left to the caller.
    expect((await sameOriginFetch(`${here.url}/see-other`, { method: 'POST', body: '{}' })).status).toBe(303);
    expect(await (await sameOriginFetch(`${here.url}/see-other`)).text()).toBe('here GET');
    expect((await sameOriginFetch(`${here.url}/loop`)).status).toBe(307);
  });
});

describe('cappedFetch', () => {
  it('reads an answer up to the limit, and refuses a larger one with EAUTH', async () => {
    const capped = cappedFetch(sameOriginFetch, 4096, (url) => `The server at ${url.origin}`);
    expect(await (await capped(`${here.url}/small`)).text()).toBe('here GET');
    await expect(capped(`${here.url}/big`)).rejects.toMatchObject({ code: 'EAUTH', message: expect.stringContaining('larger than 4 KiB') });
  });
});
