import type { Context } from '../context.js';
import { McpmError, usageError } from '../errors.js';

/**
 * The opt-in keychain backend (MCPM_SECRETS=keychain, or "secrets": "keychain" in config.json): a server's secret
 * values live in the operating system's keychain (macOS Keychain, Windows Credential Manager, Secret Service on
 * Linux) through @napi-rs/keyring, one item per server and profile holding them as JSON. A client cannot read a
 * keychain, so entries of servers with secrets start `mcpm run`, which reads them at spawn time.
 */
export type SecretsBackend = 'file' | 'keychain';

export function secretsBackend(ctx: Context): SecretsBackend {
  const configured = ctx.env.MCPM_SECRETS ?? ctx.settings().secrets ?? 'file';
  if (configured !== 'file' && configured !== 'keychain') {
    throw usageError(`Unknown secrets backend "${configured}"`, 'Use MCPM_SECRETS=file (the default) or MCPM_SECRETS=keychain.');
  }
  return configured;
}

const SERVICE = 'mcpm';

interface KeyringEntry {
  setPassword(value: string): void;
  getPassword(): string | null | undefined;
  deletePassword(): boolean;
}

async function entry(serverName: string, profile: string): Promise<KeyringEntry> {
  let Entry: new (service: string, account: string) => KeyringEntry;
  try {
    ({ Entry } = (await import('@napi-rs/keyring')) as unknown as { Entry: typeof Entry });
  } catch (error) {
    throw unavailable(error);
  }
  return new Entry(SERVICE, `${profile}/${serverName}`);
}

function unavailable(error: unknown): McpmError {
  return new McpmError('EUNSUPPORTED', `The operating system's keychain is not available here (${(error as Error).message ?? String(error)})`, {
    hint: 'Use MCPM_SECRETS=file (the default: 0600 files), or on Linux start a Secret Service (gnome-keyring, KeePassXC) first.',
  });
}

/**
 * Fails early (before anything is downloaded or written) when the keychain cannot be used: a value is written,
 * read back and deleted, since some platforms accept a write they do not keep.
 */
export async function assertKeychain(): Promise<void> {
  const probe = await entry('io.github.mcpm/probe', 'probe');
  const value = `probe-${process.pid}`;
  try {
    probe.setPassword(value);
    const read = probe.getPassword();
    probe.deletePassword();
    if (read !== value) throw new Error('a value written to it could not be read back');
  } catch (error) {
    throw unavailable(error);
  }
}

export async function keychainWrite(serverName: string, profile: string, values: unknown): Promise<void> {
  const item = await entry(serverName, profile);
  const text = JSON.stringify(values);
  try {
    item.setPassword(text);
    if (item.getPassword() !== text) throw new Error('a value written to it could not be read back');
  } catch (error) {
    throw unavailable(error);
  }
}

export async function keychainRead<T>(serverName: string, profile: string): Promise<T | undefined> {
  const item = await entry(serverName, profile);
  let text: string | null | undefined;
  try {
    text = item.getPassword();
  } catch (error) {
    throw unavailable(error);
  }
  return text ? (JSON.parse(text) as T) : undefined;
}

export async function keychainDelete(serverName: string, profile: string): Promise<void> {
  try {
    (await entry(serverName, profile)).deletePassword();
  } catch {
    // Nothing stored, or no keychain: nothing to delete.
  }
}
