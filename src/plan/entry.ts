import type { StdioShape } from '../clients/table.js';

/** How to start an installed server: an absolute command, its argv, and the environment values it needs. */
export interface LaunchSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** Pure: a launch spec in the shape a client's file wants. */
export function renderStdioEntry(shape: StdioShape, launch: LaunchSpec): Record<string, unknown> {
  switch (shape) {
    case 'standard': {
      const entry: Record<string, unknown> = { command: launch.command, args: launch.args };
      if (Object.keys(launch.env).length > 0) entry.env = launch.env;
      return entry;
    }
  }
}
