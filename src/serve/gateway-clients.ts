import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import type { EditRecord } from '../clients/format-editor.js';
import { parseData, record } from '../json.js';

/** The key of the one entry a client holds when it goes through the gateway. */
export const GATEWAY_KEY = 'mcpm';

/** A client that goes through `mcpm serve`: its file, the servers whose entries the gateway replaced there. */
export interface GatewayClient {
  file: string;
  servers: string[];
  profile: string;
  /** What writing the `mcpm` entry inserted, so removing it restores the file exactly. */
  record?: EditRecord;
  enabledAt: string;
}

/** Read by `list` and `clients` too: plain JSON, nothing else loaded (commands/gateway.ts writes it). */
export function gatewayClientsFile(ctx: Context): string {
  return path.join(ctx.paths.state, 'gateway-clients.json');
}

export function readGatewayClients(ctx: Context): Record<string, GatewayClient> {
  try {
    const value = parseData(readFileSync(gatewayClientsFile(ctx), 'utf8')) as { clients?: Record<string, GatewayClient> };
    return value?.clients && typeof value.clients === 'object' ? value.clients : record();
  } catch {
    return record();
  }
}
