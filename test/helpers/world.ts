// The seed scenario's world: a posts API that checks a bearer token, an npm registry serving the github-posts
// fixture in several versions, and an MCP registry listing io.github.acme/github-posts. All on 127.0.0.1, port 0.
import { fileURLToPath } from 'node:url';
import { packFixture, type PackedPackage } from './pack.js';
import { startNpmRegistry, type NpmRegistryOptions } from './npm-registry.js';
import { startMcpRegistry, serverEntry, type RegistryEntry } from './mcp-registry.js';
import { startPostsApi } from './posts-api.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/packages/', import.meta.url));
export const SERVER = 'io.github.acme/github-posts';
export const TOKEN = 'posts-secret-token-5f3a9c';

export interface World {
  npmUrl: string;
  registryUrl: string;
  postsUrl: string;
  npmRequests: string[];
  close(): Promise<void>;
}

export async function packGithubPosts(versions: string[], overrides: Record<string, unknown> = {}): Promise<PackedPackage[]> {
  const posts = await Promise.all(versions.map((version) => packFixture(`${FIXTURES}github-posts`, { version, ...overrides })));
  return [...posts, await packFixture(`${FIXTURES}posts-format`)];
}

/** versions: published versions of github-posts, the last one being the registry's latest. */
export async function startWorld(
  options: { versions?: string[]; npm?: NpmRegistryOptions; extraEntries?: (npmUrl: string) => RegistryEntry[]; packages?: PackedPackage[] } = {},
): Promise<World> {
  const versions = options.versions ?? ['1.0.0', '1.1.0', '2.0.0'];
  const postsApi = await startPostsApi(TOKEN);
  const npm = await startNpmRegistry([...(await packGithubPosts(versions)), ...(options.packages ?? [])], options.npm);
  const entries = versions.map((version, i) =>
    serverEntry(
      SERVER,
      version,
      {
        identifier: 'github-posts',
        version,
        registryBaseUrl: npm.url,
        env: [
          { name: 'POSTS_API_URL', isRequired: true, description: 'Base URL of the posts API' },
          { name: 'POSTS_API_TOKEN', isRequired: true, isSecret: true, description: 'API token' },
        ],
      },
      { isLatest: i === versions.length - 1, publishedAt: `2025-11-0${i + 1}T00:00:00Z` },
    ),
  );
  const registry = await startMcpRegistry([...entries, ...(options.extraEntries?.(npm.url) ?? [])]);
  return {
    npmUrl: npm.url,
    registryUrl: registry.url,
    postsUrl: postsApi.url,
    npmRequests: npm.requests,
    close: async () => {
      await Promise.all([postsApi.close(), npm.close(), registry.close()]);
    },
  };
}
