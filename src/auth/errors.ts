import { AuthorizationServerMismatchError, InsecureTokenEndpointError, IssuerMismatchError, RegistrationRejectedError } from '@modelcontextprotocol/client';
import { McpmError, describeSystemError } from '../errors.js';

/**
 * What an authorization that failed inside the SDK means for the user, in mcpm's terms: EAUTH with what to do,
 * or ENETWORK when the authorization server could not be reached. Text from the authorization server is shortened
 * to one line; on an `iss` mismatch none of the callback's text is shown (RFC 9207: it may be an attacker's).
 */
export function authError(error: unknown, serverName: string): McpmError {
  if (error instanceof McpmError) return error;
  const again = `Run \`mcpm login ${serverName}\` to try again; \`mcpm logout ${serverName}\` first starts from scratch.`;
  if (error instanceof IssuerMismatchError) {
    const where = error.kind === 'metadata' ? 'its metadata names another issuer than the one it was discovered at' : `the answer came from ${error.received === undefined ? 'an unnamed issuer' : JSON.stringify(oneLine(String(error.received)))}, not ${JSON.stringify(error.expected)}`;
    return new McpmError('EAUTH', `The authorization of ${serverName} was refused: ${where} (RFC 9207 / RFC 8414); no code was exchanged`, {
      hint: `Someone may be mixing up authorization servers. ${again}`,
      cause: error,
    });
  }
  if (error instanceof AuthorizationServerMismatchError) {
    return new McpmError('EAUTH', `The authorization server of ${serverName} changed during sign-in (${error.recordedIssuer} then ${error.currentIssuer})`, { hint: again, cause: error });
  }
  if (error instanceof InsecureTokenEndpointError) {
    return new McpmError('EAUTH', `The authorization server of ${serverName} has a token endpoint without https; mcpm sends no credentials there`, { hint: 'Tell the server\'s operators.', cause: error });
  }
  if (error instanceof RegistrationRejectedError || /does not support dynamic client registration/i.test((error as Error)?.message ?? '')) {
    return new McpmError('EAUTH', `The authorization server of ${serverName} would not register mcpm (${oneLine((error as Error).message)})`, {
      hint: `Register mcpm with it yourself (redirect URI http://127.0.0.1/callback, any port) and run \`mcpm login ${serverName} --client-id <id>\`, or set \`mcpm config set oauth.client-metadata-url <url>\` if it accepts client metadata documents.`,
      cause: error,
    });
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const network = error instanceof TypeError || (error as Error)?.name === 'TimeoutError';
  const reason = oneLine(describeSystemError(cause ?? error));
  return network
    ? new McpmError('ENETWORK', `Cannot reach the authorization server of ${serverName} (${reason})`, { hint: 'Check your network and try again.', cause: error })
    : new McpmError('EAUTH', `Authorization with ${serverName} failed: ${reason}`, { hint: again, cause: error });
}

export function insufficientScope(serverName: string, scope: string | undefined): McpmError {
  return new McpmError('EAUTH', `${serverName} still refuses: it needs more access (${scope ? `scope ${oneLine(scope)}` : 'insufficient_scope'}) than the authorization granted`, {
    hint: `The account you signed in with may not have that access; run \`mcpm login ${serverName}\` to sign in again, perhaps as another user.`,
  });
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').slice(0, 300);
