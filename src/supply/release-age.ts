import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { selectVersion } from '../plan/version.js';
import { resolveVersion, type ResolvedServer } from '../registry/resolve.js';
import type { ServerVersion } from '../registry/types.js';
import { npmOptions } from '../store/npm-checks.js';
import { describeAge, eligibleAt, type Setting } from './policy.js';
import { minReleaseAge } from './policy-load.js';
import { gateResolved } from './gate.js';
import { tooYoung } from './verify.js';

type Chosen = { resolved: ResolvedServer; chosen: ServerVersion };

/**
 * resolveVersion with the release-age cut-off: a version younger than it is skipped when a range (or "latest")
 * chooses, and naming it exactly is ETOOYOUNG saying when it becomes eligible. A version's age is its npm
 * package's `time[version]` when it has one (where the bytes are published), else the registry's publishedAt.
 */
export async function resolveOldEnough(ctx: Context, name: string, range: string | undefined): Promise<Chosen> {
  const first = await resolveVersion(ctx, name, range);
  // A denied name or registry is refused before the npm registry is asked for publish times.
  gateResolved(ctx, first.chosen.server, first.chosen.registry);
  const ages = await releaseAges(ctx, first.resolved.versions);
  if (!ages || !ages.young(first.chosen)) return first;
  const { minAge } = ages;
  const spec = `${first.chosen.server.name}@${first.chosen.server.version}`;
  const published = ages.times.get(first.chosen)!;
  if (range !== undefined && range === first.chosen.server.version) throw tooYoung(spec, published, ages.eligible(first.chosen)!, minAge);
  let chosen: ServerVersion;
  try {
    chosen = selectVersion(first.resolved.name, first.resolved.versions.filter((entry) => !ages.young(entry)), range);
  } catch (error) {
    if (!(error instanceof McpmError) || error.code !== 'ENOVERSION') throw error;
    throw tooYoung(`${spec}, the only version that ${range ? `matches ${range}` : 'could be chosen'},`, published, ages.eligible(first.chosen)!, minAge);
  }
  ctx.out.remind(skipNote(spec, published, minAge, chosen.server.version));
  return { resolved: first.resolved, chosen };
}

/** The versions old enough to be chosen (all of them without a cut-off); `keep` stays whatever its age (the installed one). */
export async function oldEnough(ctx: Context, versions: ServerVersion[], keep?: string): Promise<ServerVersion[]> {
  const ages = await releaseAges(ctx, versions);
  return ages ? versions.filter((entry) => entry.server.version === keep || !ages.young(entry)) : versions;
}

async function releaseAges(ctx: Context, versions: ServerVersion[]) {
  const minAge = minReleaseAge(ctx);
  if (!minAge) return undefined;
  const times = await publishTimes(ctx, versions);
  const now = ctx.now();
  const eligible = (entry: ServerVersion) => {
    const time = times.get(entry);
    return time === undefined ? undefined : eligibleAt(time, minAge.value);
  };
  return { minAge, times, eligible, young: (entry: ServerVersion) => (eligible(entry) ?? 0) > now };
}

function skipNote(spec: string, publishedAt: string, minAge: Setting<number>, instead: string): string {
  return `Skipped ${spec} (published ${publishedAt}, younger than ${describeAge(minAge.value)}: ${minAge.from}); chose ${instead}`;
}

/**
 * Publish times of the versions: one packument per npm package named (most servers name one package in all
 * versions), else the registry's publishedAt. A packument that cannot be read leaves the registry's dates.
 */
async function publishTimes(ctx: Context, versions: ServerVersion[]): Promise<Map<ServerVersion, string>> {
  const times = new Map<ServerVersion, string>();
  const packuments = new Map<string, Promise<Record<string, string> | undefined>>();
  const { default: pacote } = await import('pacote');
  for (const entry of versions) {
    const pkg = entry.server.packages?.find((p) => p.registryType === 'npm' && typeof p.identifier === 'string' && typeof p.version === 'string');
    let npmTime: string | undefined;
    if (pkg) {
      const key = `${pkg.registryBaseUrl ?? ''} ${pkg.identifier}`;
      if (!packuments.has(key)) {
        const options = npmOptions(ctx, { ...(pkg.registryBaseUrl ? { registryBaseUrl: pkg.registryBaseUrl } : {}) });
        packuments.set(key, pacote.packument(pkg.identifier!, { ...options, fullMetadata: true }).then((p) => p.time, () => undefined));
      }
      npmTime = (await packuments.get(key))?.[pkg.version!];
    }
    const time = npmTime ?? entry.meta.publishedAt;
    if (time) times.set(entry, time);
  }
  return times;
}
