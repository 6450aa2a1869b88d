import { McpmError } from '../errors.js';
import { parseDuration } from '../duration.js';

/**
 * The settings of this part, as `mcpm config` declares keys: `min-release-age` (a preference) and the
 * `policy.<rule>` keys, kept under the `policy` section of config.json (`mcpm config set policy.deny 'x/*'`).
 */
interface SupplyKey {
  description: string;
  env?: string;
  fallback: unknown;
  parse(value: string): unknown;
}

const age = (key: string) => (value: string): number => {
  const ms = parseDuration(value, 'ms');
  if (ms === undefined) throw new McpmError('EUSAGE', `Invalid ${key} "${value}"`, { hint: 'Give a duration: 7d, 36h, 90m (0 turns it off).' });
  return ms;
};
/** A true/false setting (also `mcpm config`'s own: guard, dev-files). */
export const flag = (key: string) => (value: string): boolean => {
  if (value !== 'true' && value !== 'false') throw new McpmError('EUSAGE', `Invalid ${key} "${value}"`, { hint: 'Give true or false.' });
  return value === 'true';
};
const list = (value: string): string[] => value.split(',').map((item) => item.trim()).filter(Boolean);

export const SUPPLY_KEYS: Record<string, SupplyKey> = {
  'min-release-age': { description: 'skip versions published less than this long ago (7d, 36h), for servers and their npm dependencies', fallback: 0, parse: age('min-release-age') },
  'policy.allowed-registries': { description: 'policy: install only servers these registries list (names or URLs, comma-separated)', fallback: [], parse: list },
  'policy.require-signatures': { description: 'policy: refuse packages without verified registry signatures', fallback: false, parse: flag('policy.require-signatures') },
  'policy.require-provenance': { description: 'policy: refuse packages without a verified provenance attestation naming their repository', fallback: false, parse: flag('policy.require-provenance') },
  'policy.min-release-age': { description: 'policy: refuse versions younger than this (7d)', fallback: 0, parse: age('policy.min-release-age') },
  'policy.deny': { description: 'policy: server names or package names never installed (comma-separated; * matches anything)', fallback: [], parse: list },
  'policy.block-on-drift': { description: 'policy: refuse servers whose tools changed since they were pinned', fallback: false, parse: flag('policy.block-on-drift') },
  'policy.block-on-findings': { description: 'policy: refuse servers whose descriptions have findings', fallback: false, parse: flag('policy.block-on-findings') },
};

/** Where a key lives in config.json: `policy.x` in the policy section, anything else at the top. */
export function settingPath(key: string): [string] | ['policy', string] {
  return key.startsWith('policy.') ? ['policy', key.slice('policy.'.length)] : [key];
}
