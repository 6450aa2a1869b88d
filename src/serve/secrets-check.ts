import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { looksLikeCredential, looksSecret } from '../plan/credentials.js';
import { inputRequests, type InputRequest } from '../plan/inputs.js';
import { chooseSource } from '../plan/source.js';
import type { ServerJson } from '../registry/types.js';
import { readAllSecrets } from '../state/secrets.js';
import { missingRuntime } from '../store/runtimes.js';

/**
 * Secrets never pass through the model: an agent's `inputs` may not hold one (an input the registry marks secret,
 * one whose name or value looks like a credential), and a secret the server needs must have been set by the user
 * beforehand with `mcpm secrets set`, which works before the install.
 */
export function refuseSecretValues(server: ServerJson, inputs: Record<string, string>): void {
  const secret = new Set((server.packages ?? []).flatMap((p) => inputRequests(p)).filter((r) => r.isSecret).map((r) => r.name));
  const refused = Object.entries(inputs).filter(([name, value]) => secret.has(name) || looksSecret(name) || looksLikeCredential(value)).map(([name]) => name);
  if (refused.length === 0) return;
  throw new McpmError('EINPUT', `mcpm_install never takes secret values, and ${refused.join(', ')} ${refused.length === 1 ? 'is' : 'are'} secret: nothing was installed`, {
    hint: `Do not ask the user for the value in the chat. Ask them to run \`${setCommand(server.name, refused[0]!)}\` in a terminal themselves, then call mcpm_install again without it.`,
  });
}

/** The required secret inputs of the package an install would choose that the user has not set yet. */
export async function missingSecrets(ctx: Context, server: ServerJson): Promise<string[]> {
  let requests: InputRequest[];
  try {
    const { source } = chooseSource(server, { unavailable: (pkg) => missingRuntime(ctx, pkg), platform: ctx.platform, arch: process.arch });
    requests = source.kind === 'remote' ? [] : inputRequests(source.pkg);
  } catch {
    // Nothing installable here: the install itself says why.
    return [];
  }
  const kept = await readAllSecrets(ctx, server.name, ctx.profile);
  return requests.filter((r) => r.isSecret && r.isRequired && !Object.hasOwn(r.kind === 'env' ? kept.env : kept.args, r.name)).map((r) => r.name);
}

export function setCommand(name: string, key: string): string {
  return `mcpm secrets set ${name} ${key}`;
}

export function missingSecretsError(name: string, keys: string[]): McpmError {
  return new McpmError('EINPUT', `${name} needs the secret${keys.length === 1 ? '' : 's'} ${keys.join(', ')}, which the user has not set: nothing was installed`, {
    hint: `Ask the user to run ${keys.map((k) => `\`${setCommand(name, k)}\``).join(' and ')} in a terminal (the value is typed there, never in this chat), then call mcpm_install again.`,
  });
}
