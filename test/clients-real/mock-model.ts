// A stand-in for an OpenAI-compatible model API on 127.0.0.1, for clients that load MCP servers only to hand their
// tools to a model (Continue's cn). It answers every chat request with "ok" and records the tool names each request
// offered: a tool from an MCP server there means the client started (or reached) that server and listed its tools.
import http from 'node:http';

export interface MockModel {
  /** Base URL to give a client as its OpenAI API base (ends in /v1). */
  url: string;
  /** The tool names of every chat request so far. */
  toolsSeen(): string[][];
  close(): Promise<void>;
}

function chunk(delta: Record<string, unknown>, finish: string | null): string {
  return `data: ${JSON.stringify({ id: 'mock-1', object: 'chat.completion.chunk', created: 0, model: 'mock', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

export async function startMockModel(): Promise<MockModel> {
  const seen: string[][] = [];
  const server = http.createServer(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    if (req.method === 'GET' && req.url?.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'mock', object: 'model' }] }));
      return;
    }
    let body: { stream?: boolean; tools?: Array<{ function?: { name?: string } }> } = {};
    try {
      body = JSON.parse(Buffer.concat(parts).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    seen.push((body.tools ?? []).flatMap((tool) => (tool.function?.name ? [tool.function.name] : [])));
    if (body.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: 'ok' }, null));
      res.write(chunk({}, 'stop'));
      res.end('data: [DONE]\n\n');
      return;
    }
    const message = { role: 'assistant', content: 'ok' };
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({ id: 'mock-1', object: 'chat.completion', created: 0, model: 'mock', choices: [{ index: 0, message, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v1`,
    toolsSeen: () => seen.map((tools) => [...tools]),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
