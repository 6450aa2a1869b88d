import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedAgent } from './npm-agent.js';

/**
 * The user's npm settings, read the way npm reads them (global npmrc, user ~/.npmrc, then npm_config_* variables,
 * later wins), reduced to what fetching packages needs: registries, scoped registries, per-registry auth, proxy
 * and TLS settings. They are handed to pacote/arborist as npm would flatten them. Auth keys stay "nerf-darted"
 * (`//host/path/:_authToken`), so npm-registry-fetch sends a token only to the registry it was configured for.
 */
export type NpmOptions = Record<string, unknown>;

const PASSTHROUGH = /^(registry|@[^:]+:registry|\/\/.+:(_authToken|_auth|username|_password|certfile|keyfile|email))$/;

export function readNpmConfig(env: NodeJS.ProcessEnv, home: string): NpmOptions {
  const raw: Record<string, string> = {};
  const prefix = env.npm_config_prefix ?? env.NPM_CONFIG_PREFIX ?? path.dirname(path.dirname(process.execPath));
  const globalFile = env.npm_config_globalconfig ?? env.NPM_CONFIG_GLOBALCONFIG ?? path.join(prefix, 'etc', 'npmrc');
  const userFile = env.npm_config_userconfig ?? env.NPM_CONFIG_USERCONFIG ?? path.join(home, '.npmrc');
  Object.assign(raw, parseIni(readQuietly(globalFile), env), parseIni(readQuietly(userFile), env));
  for (const [name, value] of Object.entries(env)) {
    const match = /^npm_config_(.+)$/i.exec(name);
    if (match && value !== undefined) raw[envKey(match[1]!)] = value;
  }
  return flatten(raw);
}

/** npm_config_https_proxy -> https-proxy; scoped and nerf-darted keys are left as written. */
function envKey(rest: string): string {
  return rest.startsWith('//') || rest.startsWith('@') ? rest : rest.toLowerCase().replaceAll('_', '-');
}

function pemCertificates(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function readQuietly(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The subset of ini that .npmrc files use: key = value lines, ; and # comments, ${VAR} expansion. */
export function parseIni(text: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith(';') || trimmed.startsWith('#') || trimmed.startsWith('[')) continue;
    const eq = trimmed.indexOf('=');
    if (eq === -1) continue;
    const key = trimmed.slice(0, eq).trim();
    let value = trimmed.slice(eq + 1).trim();
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    out[expand(key, env)] = expand(value, env);
  }
  return out;
}

function expand(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(/(\\*)\$\{([^}?]+)(\?)?\}/g, (whole, escapes: string, name: string, optional?: string) => {
    if (escapes.length % 2 === 1) return whole.slice(1);
    const value = env[name];
    return escapes + (value ?? (optional ? '' : whole));
  });
}

function flatten(raw: Record<string, string>): NpmOptions {
  const options: NpmOptions = {};
  for (const [key, value] of Object.entries(raw)) {
    if (PASSTHROUGH.test(key)) options[key] = value;
  }
  const proxy = raw['https-proxy'] ?? raw.proxy;
  if (proxy) options.proxy = proxy;
  const noProxy = raw.noproxy ?? raw['no-proxy'];
  if (noProxy) options.noProxy = noProxy;
  if (raw['strict-ssl'] !== undefined) options.strictSSL = raw['strict-ssl'] !== 'false';
  const cafile = raw.cafile;
  const authorities = () => (cafile ? pemCertificates(readQuietly(cafile)) : raw.ca ? [raw.ca] : []);
  if (cafile || raw.ca) {
    // A client certificate (certfile/keyfile) is given per request, which a shared TLS context would override: with
    // one, the authorities go with each request as npm hands them. Without, the file is read at the first request.
    const clientCertificates = Object.keys(raw).some((key) => /:(certfile|keyfile)$/.test(key));
    if (!clientCertificates) options.agent = sharedAgent(JSON.stringify([cafile, raw.ca, proxy, noProxy]), authorities, options);
    else {
      const ca = authorities();
      if (ca.length > 0) options.ca = ca;
    }
  }
  if (raw['fetch-retries'] !== undefined) options.retry = { retries: Number(raw['fetch-retries']) };
  return options;
}
