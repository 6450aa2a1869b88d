import { McpmError } from '../errors.js';

/** Runs a pacote/arborist call and turns the npm errors people meet into McpmErrors. */
export async function npmCall<T>(spec: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof McpmError) throw error;
    const code = (error as { code?: string }).code ?? '';
    const message = (error as Error).message ?? String(error);
    if (code === 'EINTEGRITY') {
      throw new McpmError('EINTEGRITY', `Integrity check failed for ${spec}: the downloaded tarball does not match the registry's checksum`, {
        hint: 'Nothing was installed. The download or the registry may have been tampered with; try again later or report it.',
        detail: message,
      });
    }
    if (/^EALLOW(GIT|REMOTE|FILE|DIRECTORY)$/.test(code)) {
      const kind = code.slice('EALLOW'.length).toLowerCase();
      const what = (error as { package?: string }).package ?? 'a dependency';
      throw new McpmError('EPACKAGE', `${spec} depends on ${what.length > 120 ? `${what.slice(0, 120)}...` : what}, a ${kind} package; mcpm installs only packages from an npm registry`, {
        hint: 'Nothing was installed. Such dependencies fetch code from outside the registry (and git would run); ask the package to depend on published packages.',
        detail: message,
      });
    }
    if (code === 'E404' || code === 'ETARGET') {
      throw new McpmError('EPACKAGE', `The npm registry has no ${spec} (${code})`, {
        hint: 'The registry entry may point at an unpublished package; try another version.',
        detail: message,
      });
    }
    if (code === 'E401' || code === 'E403') {
      throw new McpmError('EPACKAGE', `The npm registry refused ${spec} (${code})`, {
        hint: 'Check the auth token for that registry in your .npmrc.',
        detail: message,
      });
    }
    // Node's TLS verification codes (UNABLE_TO_VERIFY_LEAF_SIGNATURE, SELF_SIGNED_CERT_IN_CHAIN, CERT_HAS_EXPIRED...).
    if (/CERT|_SIGNATURE|^ERR_TLS/.test(code)) {
      throw new McpmError('ENETWORK', `The npm registry's certificate for ${spec} is not trusted (${code})`, {
        hint: "If your network's TLS goes through an authority of its own, name its certificates in .npmrc (cafile=/path/to/ca.pem), as npm reads them.",
        detail: message,
      });
    }
    if (/^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN|ENETUNREACH|FETCH_ERROR)/.test(code) || /network|socket|timed? ?out/i.test(message)) {
      throw new McpmError('ENETWORK', `Could not download ${spec} (${code || 'network error'})`, {
        hint: 'Check your network and npm registry settings (.npmrc), then try again.',
        detail: message,
      });
    }
    throw new McpmError('EPACKAGE', `Installing ${spec} failed (${code || 'error'}): ${message.split('\n')[0]}`, {
      hint: 'Run again with --verbose for details.',
      detail: (error as Error).stack,
    });
  }
}

export function lockMismatch(spec: string): McpmError {
  return new McpmError('EINTEGRITY', `${spec} no longer matches the integrity recorded in the lock file`, {
    hint: 'The published package changed or the registry is not the one the lock was made with; nothing was installed. Update the lock deliberately with `mcpm update`.',
  });
}
