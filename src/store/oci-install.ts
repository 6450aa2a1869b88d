import type { Context } from '../context.js';
import { imageString, sameRepository, type ImageRef } from '../plan/oci.js';
import { runTool } from './tool.js';

/**
 * Pulls an image at install, so the first start needs no download, and pins it by digest: a tag can be moved,
 * `name:tag@sha256:...` cannot. An identifier that already has a digest is pulled by that digest.
 */
export async function pullImage(ctx: Context, engine: string, ref: ImageRef): Promise<{ image: string; digest?: string }> {
  const wanted = imageString(ref);
  const hint = 'Check that the container engine is running and can reach the image\'s registry (docker login for a private one).';
  ctx.out.progress(`Pulling ${wanted}`);
  await runTool(engine, ['pull', wanted], { env: ctx.env, what: `Pulling ${wanted}`, hint });
  if (ref.digest) return { image: wanted, digest: ref.digest };
  const { stdout } = await runTool(engine, ['image', 'inspect', '--format', '{{json .RepoDigests}}', wanted], { env: ctx.env, what: `Inspecting ${wanted}`, hint });
  const digest = repoDigest(stdout, ref.name);
  if (!digest) {
    ctx.out.warn(`${wanted} has no registry digest, so the entry names it by tag only`);
    return { image: wanted };
  }
  return { image: imageString({ ...ref, digest }), digest };
}

/** `["ghcr.io/acme/x@sha256:..."]` -> the digest for our repository. */
export function repoDigest(output: string, name: string): string | undefined {
  let digests: unknown;
  try {
    digests = JSON.parse(output.trim().split('\n').pop() ?? '');
  } catch {
    return undefined;
  }
  if (!Array.isArray(digests)) return undefined;
  for (const entry of digests) {
    if (typeof entry !== 'string') continue;
    const at = entry.indexOf('@');
    const digest = entry.slice(at + 1);
    if (at > 0 && sameRepository(entry.slice(0, at), name) && /^sha256:[a-f0-9]{64}$/.test(digest)) return digest;
  }
  return undefined;
}
