import type { Context } from '../context.js';
import type { ServerJson } from '../registry/types.js';
import { evaluatePolicy, type Violation } from './policy.js';
import { loadPolicy, policyError } from './policy-load.js';

/**
 * The policy rules an install can judge before anything is downloaded: the name (deny) and the registry the
 * server comes from (allowed-registries). Install, update, import and a project's lock all come through here.
 */
export function gateResolved(ctx: Context, server: ServerJson, registry: string): void {
  const policy = loadPolicy(ctx);
  const identifiers = (server.packages ?? []).flatMap((p) => (typeof p.identifier === 'string' ? [p.identifier] : []));
  const violations: Violation[] = [];
  for (const identifier of identifiers.length ? identifiers : [undefined]) {
    for (const v of evaluatePolicy({ ...(policy.deny ? { deny: policy.deny } : {}), ...(policy.allowedRegistries ? { allowedRegistries: policy.allowedRegistries } : {}) }, { server: server.name, registry, ...(identifier ? { identifier } : {}) })) {
      if (!violations.some((seen) => seen.rule === v.rule)) violations.push(v);
    }
  }
  if (violations.length > 0) throw policyError(`${server.name}@${server.version}`, violations);
}

/**
 * Registry signatures and provenance are checked for npm packages only (src/supply/verify.ts): a PyPI, OCI,
 * NuGet or bundle package has none mcpm can check, so a policy requiring them refuses it here, before it is
 * fetched. A remote server runs nothing here: these rules do not apply to it.
 */
export function gateSource(ctx: Context, server: ServerJson, kind: string): void {
  if (kind === 'npm' || kind === 'remote') return;
  const policy = loadPolicy(ctx);
  const violations = evaluatePolicy(
    { ...(policy.requireSignatures ? { requireSignatures: policy.requireSignatures } : {}), ...(policy.requireProvenance ? { requireProvenance: policy.requireProvenance } : {}) },
    { server: server.name, signatures: 'unsigned', provenance: 'none' },
  ).map((v) => ({ ...v, message: `${v.message} (mcpm checks registry signatures and provenance of npm packages only; this is a ${kind} package)` }));
  if (violations.length > 0) throw policyError(`${server.name}@${server.version}`, violations);
}
