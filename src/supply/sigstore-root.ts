import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { TrustedRoot } from '@sigstore/protobuf-specs';

/**
 * The sigstore trust root provenance bundles are verified against, chosen in one place:
 * - `MCPM_SIGSTORE_TRUSTED_ROOT=/path/trusted_root.json` (the sigstore trusted-root JSON format): an organisation
 *   running its own sigstore (its Fulcio CA, Rekor log keys), and the tests, which sign with a local CA;
 * - else sigstore's public-good root as @sigstore/tuf ships it in its seed (seeds.json). That copy is read from
 *   disk and never refreshed over the network (mcpm runs where sigstore's TUF CDN may not be reachable): it is
 *   as current as the installed @sigstore/tuf, and authenticated by that package's npm integrity, not by a TUF
 *   update.
 * A root that cannot be loaded is not an error of the package: the caller records "attested, not verified" with
 * the reason.
 */
export const TRUSTED_ROOT_ENV = 'MCPM_SIGSTORE_TRUSTED_ROOT';
const PUBLIC_GOOD_MIRROR = 'https://tuf-repo-cdn.sigstore.dev';

export interface TrustRoot {
  root: TrustedRoot;
  /** For the record and messages: "sigstore public-good (@sigstore/tuf 4.0.2 seed)" or the file's path. */
  name: string;
  /** A root of the user's own: its transparency-log and CT-log thresholds follow what it configures. */
  custom: boolean;
}

export type TrustRootResult = { ok: true; trust: TrustRoot } | { ok: false; note: string };

export async function loadTrustRoot(env: NodeJS.ProcessEnv): Promise<TrustRootResult> {
  let TrustedRoot: typeof import('@sigstore/protobuf-specs').TrustedRoot;
  try {
    ({ TrustedRoot } = await import('@sigstore/protobuf-specs'));
  } catch (error) {
    return { ok: false, note: `sigstore's libraries cannot be loaded (${(error as Error).message})` };
  }
  const file = env[TRUSTED_ROOT_ENV];
  if (file) {
    try {
      const root = TrustedRoot.fromJSON(JSON.parse(await readFile(file, 'utf8')));
      if (root.certificateAuthorities.length === 0 && root.tlogs.length === 0) return { ok: false, note: `the trusted root ${file} (${TRUSTED_ROOT_ENV}) names no certificate authority and no transparency log` };
      return { ok: true, trust: { root, name: file, custom: true } };
    } catch (error) {
      return { ok: false, note: `the trusted root ${file} (${TRUSTED_ROOT_ENV}) cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
    }
  }
  try {
    const require = createRequire(import.meta.url);
    const tufPackage = require.resolve('@sigstore/tuf/package.json');
    const seeds = JSON.parse(await readFile(tufPackage.replace(/package\.json$/, 'seeds.json'), 'utf8')) as Record<string, { targets?: Record<string, string> }>;
    const target = seeds[PUBLIC_GOOD_MIRROR]?.targets?.['trusted_root.json'];
    if (!target) return { ok: false, note: 'the installed @sigstore/tuf ships no public-good trusted root' };
    const version = (JSON.parse(await readFile(tufPackage, 'utf8')) as { version?: string }).version ?? '?';
    return { ok: true, trust: { root: TrustedRoot.fromJSON(JSON.parse(Buffer.from(target, 'base64').toString('utf8'))), name: `sigstore public-good (@sigstore/tuf ${version} seed)`, custom: false } };
  } catch (error) {
    return { ok: false, note: `sigstore's public-good trusted root cannot be loaded (${(error as Error).message})` };
  }
}
