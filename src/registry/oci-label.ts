import { parseImage } from '../plan/oci.js';

/**
 * The label an OCI image carries to say which MCP server it belongs to (`io.modelcontextprotocol.server.name`),
 * read from its container registry over the distribution API: the manifest (an index picks linux/amd64, else its
 * first image), then the image's config blob. Anonymous pull tokens are fetched the way docker does (the realm a
 * 401 names). Hosts on this machine are spoken to over http, as docker does for localhost; all others over https.
 */
export const OCI_LABEL = 'io.modelcontextprotocol.server.name';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

type Get = (url: string, headers: Record<string, string>) => Promise<Response>;

/** The label's value, or undefined when the image has none. Throws (plain Error) when the image cannot be read. */
export async function readOciLabel(identifier: string, version: string | undefined, get: Get): Promise<string | undefined> {
  const image = parseImage(identifier, version);
  const { host, repository } = locate(image.name);
  const base = `${/^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(host) ? 'http' : 'https'}://${host}/v2/${repository}`;
  let token: string | undefined;
  const fetchJson = async (path: string, accept: string): Promise<any> => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await get(`${base}${path}`, { accept, ...(token ? { authorization: `Bearer ${token}` } : {}) });
      if (response.status === 401 && attempt === 0) {
        token = await anonymousToken(response.headers.get('www-authenticate'), repository, get);
        continue;
      }
      if (!response.ok) throw new Error(`${host} answered HTTP ${response.status} for ${repository}`);
      return response.json();
    }
    throw new Error(`${host} refused an anonymous pull of ${repository}`);
  };
  let manifest = await fetchJson(`/manifests/${image.digest ?? image.tag ?? 'latest'}`, ACCEPT);
  if (Array.isArray(manifest?.manifests)) {
    const pick = manifest.manifests.find((m: any) => m?.platform?.os === 'linux' && m?.platform?.architecture === 'amd64') ?? manifest.manifests[0];
    if (typeof pick?.digest !== 'string') throw new Error(`the image index of ${repository} lists no image`);
    manifest = await fetchJson(`/manifests/${pick.digest}`, ACCEPT);
  }
  const config = manifest?.config?.digest;
  if (typeof config !== 'string') throw new Error(`the manifest of ${repository} names no config`);
  const blob = await fetchJson(`/blobs/${config}`, 'application/json, */*');
  const label = blob?.config?.Labels?.[OCI_LABEL];
  return typeof label === 'string' ? label : undefined;
}

/** `ghcr.io/acme/x` -> ghcr.io + acme/x; `acme/x` and `docker.io/x` -> Docker Hub's API host (+ `library/`). */
function locate(name: string): { host: string; repository: string } {
  const [first, ...rest] = name.split('/');
  const isHost = rest.length > 0 && (first!.includes('.') || first!.includes(':') || first === 'localhost');
  let host = isHost ? first! : 'docker.io';
  let repository = isHost ? rest.join('/') : name;
  if (host === 'docker.io' || host === 'index.docker.io') {
    host = 'registry-1.docker.io';
    if (!repository.includes('/')) repository = `library/${repository}`;
  }
  return { host, repository };
}

/** Bearer realm="...",service="...",scope="..." -> a token from the realm (anonymous, pull only). */
async function anonymousToken(challenge: string | null, repository: string, get: Get): Promise<string> {
  const params = Object.fromEntries([...(challenge ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
  if (!/^bearer/i.test(challenge ?? '') || !params.realm) throw new Error('the container registry asks for credentials mcpm does not have');
  const url = new URL(params.realm);
  if (params.service) url.searchParams.set('service', params.service);
  url.searchParams.set('scope', params.scope ?? `repository:${repository}:pull`);
  const response = await get(url.href, { accept: 'application/json' });
  if (!response.ok) throw new Error(`${url.host} gave no pull token (HTTP ${response.status})`);
  const body = (await response.json()) as { token?: unknown; access_token?: unknown };
  const token = typeof body.token === 'string' ? body.token : body.access_token;
  if (typeof token !== 'string') throw new Error(`${url.host} gave no pull token`);
  return token;
}
