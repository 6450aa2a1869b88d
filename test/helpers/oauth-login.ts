// `mcpm login` with the test as the browser: it opens the printed authorization URL, whose redirect goes to mcpm's
// loopback listener, as a user who clicks "Allow" would.
import { spawnMcpm } from "./spawn.js";

export async function loginAsBrowser(home: string, args: string[], env: Record<string, string> = {}) {
  const live = spawnMcpm(["login", ...args, "--json"], { home, env });
  const [url] = await live.waitFor(/https?:\/\/\S+\/authorize\?\S+/);
  const page = await fetch(url!);
  const text = await page.text();
  const code = await live.exited;
  const stdout = live.stdout().toString("utf8");
  return { code, page: text, status: page.status, stdout, stderr: live.stderr(), json: stdout ? JSON.parse(stdout) : undefined, url: url! };
}
