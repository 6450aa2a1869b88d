import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpmError } from '../errors.js';

/**
 * The redirect target of an OAuth authorization: an HTTP listener on 127.0.0.1 (RFC 8252, "loopback interface
 * redirection"). It has to listen before the flow, since its port is the redirect URI that registration sends,
 * but it refuses every request until the flow has chosen its `state`: while discovery and registration are still
 * running no answer can be ours, and another local process must not get a code of its choosing exchanged. After
 * that it accepts one answer on /callback carrying exactly that `state`; others are refused and the wait goes on.
 */
export interface Loopback {
  /** http://127.0.0.1:<port>/callback */
  readonly url: string;
  /** The `state` sent with the authorization request (and the issuer expected to answer); set before the browser is sent there. */
  expectState(state: string, issuer?: string): void;
  /**
   * The authorization code and the `iss` that came with it (RFC 9207), once the browser brings them back. The
   * browser's page waits for `finish`, so it says whether the sign-in really completed (the code may still be refused).
   */
  waitForCallback(timeoutMs: number): Promise<{ code: string; iss?: string; finish(error?: string): void }>;
  close(): Promise<void>;
}

type Outcome = { code: string; iss?: string; res: http.ServerResponse } | { error: McpmError };

/** Listens on `preferredPort` when it is free (the port registered with the server), else on any free port. */
export async function openLoopback(preferredPort?: number): Promise<Loopback> {
  let expected: { state: string; issuer?: string } | undefined;
  let settle: (outcome: Outcome) => void = () => undefined;
  let settled = false;
  const outcome = new Promise<Outcome>((resolve) => {
    settle = (value) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
  });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/callback') return page(res, 404, 'Not found.');
    if (settled) return page(res, 409, 'This sign-in is already finished; you can close this tab.');
    if (expected === undefined || url.searchParams.get('state') !== expected.state) return page(res, 400, 'This answer does not belong to a sign-in mcpm started; ignored.');
    const iss = url.searchParams.get('iss') ?? undefined;
    const error = url.searchParams.get('error');
    const code = url.searchParams.get('code');
    if (error || !code) {
      // RFC 9207: an error answer from another issuer may be an attacker's; its text is not shown.
      const foreign = iss !== undefined && expected.issuer !== undefined && iss !== expected.issuer;
      const description = foreign ? null : url.searchParams.get('error_description');
      const reason = foreign ? 'an answer from another authorization server' : error ?? 'no authorization code';
      page(res, 400, `Authorization failed: ${reason}${description ? ` (${description})` : ''}. You can close this tab.`);
      settle({
        error: new McpmError('EAUTH', `The authorization server refused: ${reason}${description ? ` (${oneLine(description)})` : ''}`, {
          hint: 'Try again; if it keeps failing, the server may not accept this client.',
        }),
      });
      return;
    }
    settle({ code, res, ...(iss !== undefined ? { iss } : {}) });
  });
  const port = await listen(server, preferredPort).catch(() => listen(server, 0));
  return {
    url: `http://127.0.0.1:${port}/callback`,
    expectState: (state, issuer) => {
      expected = { state, ...(issuer !== undefined ? { issuer } : {}) };
    },
    waitForCallback: async (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<Outcome>((resolve) => {
        timer = setTimeout(() => resolve({
          error: new McpmError('EAUTH', `No answer from the browser within ${Math.round(timeoutMs / 1000)} s`, {
            hint: 'Open the printed URL, sign in and allow access, then try again.',
          }),
        }), timeoutMs);
      });
      const result = await Promise.race([outcome, timeout]).finally(() => clearTimeout(timer));
      if ('error' in result) throw result.error;
      const { res, ...callback } = result;
      return {
        ...callback,
        finish: (error) => {
          if (!res.headersSent) page(res, error ? 400 : 200, error ? `mcpm could not finish the sign-in: ${oneLine(error)}. You can close this tab.` : 'mcpm is authorized. You can close this tab.');
        },
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function listen(server: http.Server, port: number | undefined): Promise<number> {
  if (port === undefined) return Promise.reject(new Error('no preferred port'));
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function page(res: http.ServerResponse, status: number, message: string): void {
  const body = `<!doctype html><meta charset="utf-8"><title>mcpm</title><p>${escapeHtml(message)}</p>\n`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
  res.end(body);
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const oneLine = (text: string) => text.replace(/\s+/g, ' ').slice(0, 300);
