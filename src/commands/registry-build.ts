import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { loadServed } from '../registry/serve-data.js';
import { buildStaticSite, type BuildSummary } from '../registry/static-build.js';

/** `mcpm registry build <index-or-dir> --out <site>`: see static-build.ts for the layout. */
export async function registryBuild(ctx: Context, source: string, out: string | undefined): Promise<BuildSummary> {
  if (!out) throw new McpmError('EUSAGE', 'Say where to write the site: --out <folder>', { hint: 'mcpm registry build ./registry --out ./site' });
  const from = path.resolve(ctx.cwd, source);
  const to = path.resolve(ctx.cwd, out);
  if (to === from || from.startsWith(`${to}${path.sep}`) || to.startsWith(`${from}${path.sep}`)) {
    throw new McpmError('EUSAGE', '--out must be outside the folder it is built from (and not contain it)', { hint: 'The site is replaced whole on every build; give a folder of its own.' });
  }
  const data = await loadServed(from);
  for (const reason of data.skipped) ctx.out.warn(`Skipped ${reason}`);
  ctx.out.progress(`Writing ${data.entries.length} versions of ${data.servers} servers into ${to}...`);
  const summary = await buildStaticSite(data, to);
  for (const reason of summary.skipped) ctx.out.warn(`Skipped ${reason}`);
  return summary;
}
