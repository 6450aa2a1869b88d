import type { Context } from '../context.js';
import type { Machine } from '../plan/entry-form.js';
import { dataFolderEnv, mcpmScript } from '../paths.js';
import { findOnPath } from '../store/runtimes.js';

/** The machine facts every entry needs (also what apply renders entries with). */
export function machineOf(ctx: Context): Machine {
  return {
    nodePath: ctx.nodePath,
    mcpmScript: mcpmScript(),
    mcpmEnv: dataFolderEnv(ctx.paths, ctx.env, ctx.platform, ctx.home),
    which: (command) => findOnPath(command, ctx.env, ctx.platform),
  };
}

