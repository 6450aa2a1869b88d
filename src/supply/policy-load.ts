import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { parseDuration } from '../duration.js';
import { McpmError } from '../errors.js';
import { parseData } from '../json.js';
import { configuredRegistries, DEFAULT_REGISTRIES, normalizeRegistryUrl } from '../registry/config.js';
import type { Policy, Setting, Violation } from './policy.js';

/**
 * The policy in force: the user's `policy` section of config.json and the organisation's file named by
 * MCPM_POLICY, combined so that the stricter wins (a user cannot loosen what the organisation ships): booleans
 * are on when either turns them on, the longer release age counts, deny lists add up, and two registry
 * allowlists leave only the registries both allow.
 */
export function loadPolicy(ctx: Context): Policy {
  const settings = ctx.settings() as Record<string, unknown>;
  const user = sectionOf(settings.policy);
  const userFrom = (key: string) => `policy.${key} in ${ctx.paths.configFile}`;
  const orgFile = ctx.env.MCPM_POLICY;
  const org = orgFile ? readOrgFile(path.resolve(ctx.cwd, orgFile)) : {};
  const orgFrom = () => `${orgFile} (MCPM_POLICY)`;
  const registryUrl = (spec: string) => {
    const known = [...configuredRegistries(ctx.settings(), ctx.cwd), ...DEFAULT_REGISTRIES].find((r) => r.name === spec);
    return known?.url ?? normalizeRegistryUrl(spec, ctx.cwd);
  };

  const pick = <T>(key: string, read: (value: unknown, where: string) => T | undefined, combine: (a: T, b: T) => T): Setting<T> | undefined => {
    const mine = user[key] !== undefined ? read(user[key], userFrom(key)) : undefined;
    const theirs = org[key] !== undefined ? read(org[key], orgFrom()) : undefined;
    if (mine !== undefined && theirs !== undefined) return { value: combine(theirs, mine), from: `${orgFrom()} and ${userFrom(key)}` };
    if (theirs !== undefined) return { value: theirs, from: orgFrom() };
    return mine !== undefined ? { value: mine, from: userFrom(key) } : undefined;
  };
  const flag = (key: string) => pick(key, readBoolean(key), (a, b) => a || b);
  const policy: Policy = {};
  // Compared as URLs: "official" in one list and its URL in the other are the same registry.
  const canonical = (url: string) => url.replace(/\/+$/, '').toLowerCase();
  const readRegistries = (value: unknown, where: string) => readList('allowed-registries')(value, where).map((spec) => ({ spec, url: registryUrl(spec) }));
  const allowed = pick('allowed-registries', readRegistries, (a, b) => a.filter((x) => b.some((y) => canonical(y.url) === canonical(x.url))));
  if (allowed) policy.allowedRegistries = allowed;
  const deny = pick('deny', readList('deny'), (a, b) => [...new Set([...a, ...b])]);
  if (deny) policy.deny = deny;
  const age = pick('min-release-age', readAge('min-release-age'), Math.max);
  if (age) policy.minReleaseAge = age;
  for (const [key, field] of [['require-signatures', 'requireSignatures'], ['require-provenance', 'requireProvenance'], ['block-on-drift', 'blockOnDrift'], ['block-on-findings', 'blockOnFindings']] as const) {
    const value = flag(key);
    if (value) policy[field] = value;
  }
  return policy;
}

/**
 * The release-age cut-off installs use: the longer of the `min-release-age` setting (a preference: younger
 * versions are skipped) and the policy's. undefined: none.
 */
export function minReleaseAge(ctx: Context, policy: Policy = loadPolicy(ctx)): Setting<number> | undefined {
  const raw = (ctx.settings() as Record<string, unknown>)['min-release-age'];
  const own = raw !== undefined ? readAge('min-release-age')(raw, `min-release-age in ${ctx.paths.configFile}`) : undefined;
  const mine = own !== undefined && own > 0 ? { value: own, from: `min-release-age in ${ctx.paths.configFile}` } : undefined;
  const theirs = policy.minReleaseAge && policy.minReleaseAge.value > 0 ? policy.minReleaseAge : undefined;
  if (mine && theirs) return theirs.value >= mine.value ? theirs : mine;
  return mine ?? theirs;
}

/** EPOLICY naming every rule broken and where each is set. */
export function policyError(server: string, violations: Violation[], doing = 'installed'): McpmError {
  const reasons = violations.map((v) => `${v.rule}: ${v.message} (set by ${v.setting})`).join('; ');
  return new McpmError('EPOLICY', `${server} breaks the policy: ${reasons}`, {
    hint: `Nothing was ${doing}. The rule is a setting: change it with \`mcpm config set policy.${violations[0]?.rule ?? '<rule>'} ...\` if it is yours; a rule from MCPM_POLICY is your organisation's.`,
  });
}

function readOrgFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new McpmError('EPOLICY', `The policy file ${file} (MCPM_POLICY) cannot be read (${(error as NodeJS.ErrnoException).code})`, {
      hint: 'mcpm refuses to install without the policy your environment names. Fix the path or unset MCPM_POLICY.',
    });
  }
  let data: unknown;
  try {
    data = parseData(text);
  } catch {
    throw new McpmError('EPOLICY', `The policy file ${file} (MCPM_POLICY) is not valid JSON`, { hint: 'mcpm refuses to install without the policy your environment names. Fix the file.' });
  }
  const object = sectionOf(data);
  return object.policy !== undefined ? sectionOf(object.policy) : object;
}

function sectionOf(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

const invalid = (key: string, where: string, want: string) => new McpmError('EPOLICY', `The policy's ${key} is not ${want} (${where})`, { hint: 'Fix the setting: a policy mcpm cannot read is not applied halfway.' });

function readBoolean(key: string) {
  return (value: unknown, where: string): boolean => {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    throw invalid(key, where, 'true or false');
  };
}

function readList(key: string) {
  return (value: unknown, where: string): string[] => {
    const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
    if (!items || items.some((item) => typeof item !== 'string')) throw invalid(key, where, 'a list of names');
    return (items as string[]).map((item) => item.trim()).filter(Boolean);
  };
}

export function readAge(key: string) {
  return (value: unknown, where: string): number => {
    const ms = typeof value === 'number' ? value : typeof value === 'string' ? parseDuration(value, 'ms') : undefined;
    if (ms === undefined || !Number.isFinite(ms) || ms < 0) throw invalid(key, where, 'a duration (7d, 36h)');
    return ms;
  };
}
