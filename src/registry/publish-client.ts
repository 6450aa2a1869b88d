import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { checkTokenEnv, effectiveRegistries, type RegistryRef } from './config.js';

/**
 * The client side of a registry's write endpoints (`mcpm publish`, `mcpm status set`): which registry, which token,
 * and what each HTTP answer means for the user. The token comes from an environment variable only (never the
 * command line, where `ps` and shell history would show it) and is sent to that registry's origin only.
 */
export const DEFAULT_PUBLISH_TOKEN_ENV = 'MCPM_PUBLISH_TOKEN';

/** The one http(s) registry that --registry (or MCPM_REGISTRY) names: publishing never picks one by default. */
export function publishTarget(ctx: Context, verb: string): RegistryRef {
  const { from, registries } = effectiveRegistries(ctx);
  const remote = registries.filter((ref) => /^https?:\/\//i.test(ref.url) && ref.kind === 'api');
  if ((from !== 'flag' && from !== 'env') || registries.length !== 1 || remote.length !== 1) {
    throw new McpmError('EUSAGE', `Say which registry to ${verb}: --registry <url or name> (one registry speaking the v0.1 API)`, {
      hint: `For example \`mcpm ${verb === 'publish to' ? 'publish' : 'status set ...'} --registry https://registry.acme.internal\`, or the name of one in \`mcpm registry list\`.`,
    });
  }
  return remote[0]!;
}

export function publishToken(ctx: Context, variable: string | undefined): string {
  const name = checkTokenEnv(variable ?? DEFAULT_PUBLISH_TOKEN_ENV);
  const token = ctx.env[name];
  if (!token) {
    throw new McpmError('EUSAGE', `${name} is not set`, {
      hint: `Put the registry's publish token in ${name}${variable ? '' : ' (or name another variable with --token-env)'}; mcpm never takes a token on the command line.`,
    });
  }
  return token;
}

/** A JSON request with the bearer token; redirects are not followed (the token must not travel elsewhere). */
export async function writeRequest(ctx: Context, ref: RegistryRef, method: 'POST' | 'PATCH', pathname: string, body: unknown, token: string): Promise<{ status: number; body: any }> {
  const url = `${ref.url.replace(/\/+$/, '')}${pathname}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ctx.timeoutMs);
  try {
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, application/problem+json' },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: controller.signal,
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed };
  } catch (error) {
    if (controller.signal.aborted) throw new McpmError('ENETWORK', `Registry ${ref.name} (${ref.url}) did not answer within ${ctx.timeoutMs} ms`, { hint: 'Check your network, or raise --timeout.' });
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new McpmError('ENETWORK', `Registry ${ref.name} (${ref.url}) is unreachable (${cause})`, { hint: 'Check the URL and your network.', cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/** The registry's own words from an error body: problem+json `detail`, the OpenAPI's `error`, or `title`. */
function said(body: any): string {
  const text = [body?.detail, body?.error, body?.title, body?.message].find((value) => typeof value === 'string' && value !== '');
  const errors = Array.isArray(body?.errors)
    ? body.errors.slice(0, 3).map((e: any) => (typeof e === 'string' ? e : [e?.path ?? e?.location, e?.message].filter((p) => typeof p === 'string' && p !== '').join(' '))).filter(Boolean)
    : [];
  const all = [text, ...errors].filter(Boolean).join('; ');
  return all ? `: ${all.slice(0, 300)}` : '';
}

/** What an error answer means, as an McpmError with what to do next. `what`: "publish io.github.acme/x@1.0.0". */
export function answerError(ref: RegistryRef, status: number, body: unknown, what: string, tokenEnv: string): McpmError {
  const where = `${ref.name} (${ref.url})`;
  if (status === 401 || status === 403) {
    return new McpmError('EAUTH', `Registry ${where} refused to ${what} (HTTP ${status})${said(body)}`, {
      hint: status === 401 ? `Check the token in ${tokenEnv}: the registry did not accept it.` : `The token in ${tokenEnv} is valid but may not ${what.split(' ')[0]} under this namespace; ask the registry's operator.`,
    });
  }
  if (status === 409) {
    return new McpmError('ECONFLICT', `Registry ${where} already has that version: cannot ${what}${said(body)}`, { hint: 'Published versions never change: bump the version in server.json (and its packages) and publish again.' });
  }
  if (status === 422 || status === 400) {
    return new McpmError('EINVALID', `Registry ${where} refused to ${what} as invalid (HTTP ${status})${said(body)}`, { hint: 'Fix what it names; `mcpm publish --dry-run` checks the schema locally.' });
  }
  if (status === 404 || status === 405 || status === 501) {
    return new McpmError('EUNSUPPORTED', `Registry ${where} does not support this (HTTP ${status})${said(body)}`, {
      hint: status === 404 && what.startsWith('publish') ? 'Check the URL: is it the base URL of a registry that accepts publishing?' : 'This registry is read-only, or does not offer this endpoint; publish where its operator says.',
    });
  }
  if (status >= 300 && status < 400) {
    return new McpmError('EREGISTRY', `Registry ${where} redirected the request (HTTP ${status}); the token is not sent elsewhere`, { hint: 'Give the URL it redirects to with --registry, if you trust it with the token.' });
  }
  return new McpmError('EREGISTRY', `Registry ${where} failed to ${what} (HTTP ${status})${said(body)}`, { hint: 'Try again later; the registry may be having trouble.' });
}
