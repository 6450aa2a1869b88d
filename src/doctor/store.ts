import path from 'node:path';
import type { Context } from '../context.js';
import type { Problem } from './problems.js';

/**
 * Every file of the content store is read and checked against its hash (a disk error, a power loss mid-write, a
 * server run as root writing into its folder). `--fix` fetches the packages that had a bad file again and relinks
 * the version folders that used it.
 */
export async function storeProblems(ctx: Context, fix: boolean): Promise<Problem[]> {
  const { verifyStore, repairStore } = await import('../store/verify.js');
  const corrupt = await verifyStore(ctx.paths.store);
  const problems: Problem[] = corrupt.map((c) => ({
    kind: 'store-corrupt',
    file: c.file,
    message: `${c.file} does not match its hash${c.usedBy.length ? `; used by ${c.usedBy.map((d) => path.relative(ctx.paths.store, d)).join(', ')}` : ''}`,
  }));
  if (fix && corrupt.length > 0) {
    await repairStore(ctx, corrupt);
    for (const problem of problems) problem.fixed = 'package fetched again, its files relinked';
  }
  return problems;
}
