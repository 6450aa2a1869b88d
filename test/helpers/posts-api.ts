// The upstream HTTP API the github-posts fixture calls. It checks the bearer
// token, so a test can prove the secret reached the server process.
import { describeRequest, listenLocal, sendJson } from "./http.js";

export interface Post {
  id: number;
  title: string;
  author: string;
}

export interface PostsApi {
  /** Base URL without trailing slash (github-posts appends "/posts"). */
  url: string;
  /** "GET /posts?limit=10", with " +auth" when an authorization header was sent. */
  requests: string[];
  close(): Promise<void>;
}

export async function startPostsApi(token: string): Promise<PostsApi> {
  const requests: string[] = [];
  const server = await listenLocal((req, res) => {
    requests.push(describeRequest(req));
    const url = new URL(req.url ?? "/", "http://posts.invalid");
    if (req.method !== "GET" || url.pathname !== "/posts") {
      return sendJson(res, 404, { error: "not found" });
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      return sendJson(res, 401, { error: "unauthorized" });
    }
    const raw = url.searchParams.get("limit");
    const limit = raw === null ? 10 : Number(raw);
    if (!Number.isInteger(limit) || limit < 0 || limit > 1000) {
      return sendJson(res, 400, { error: "invalid limit" });
    }
    const posts: Post[] = Array.from({ length: limit }, (_, i) => ({
      id: i + 1,
      title: `Post ${i + 1}`,
      author: i % 2 === 0 ? "alice" : "bob",
    }));
    sendJson(res, 200, posts);
  });
  return { url: server.url, requests, close: server.close };
}
