// The guard's cost (issue 12): `mcpm run memory` hands the client's descriptors to the server; `mcpm run --guard
// memory` relays every line through mcpm (to withhold drifted tools). Measured side by side, round-robin:
//   - launch to MCP `initialize` through each (the guard also reads the pins from mcpm's state);
//   - per message: N sequential tools/list round trips on one connection, divided by N (the relay's added latency is
//     the difference between the two).
// Needs memory installed in env's MCPM_HOME (bench.mjs does that; its install pins the tools).
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const MESSAGES = 200;

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p10: at(0.1), p90: at(0.9), samples };
}

async function once({ command, args, env }) {
  const client = new Client({ name: 'bench', version: '1' });
  const transport = new StdioClientTransport({ command, args, env, stderr: 'ignore' });
  const start = process.hrtime.bigint();
  await client.connect(transport);
  const initialize = Number(process.hrtime.bigint() - start) / 1e6;
  const tools = (await client.listTools()).tools.length;
  const before = process.hrtime.bigint();
  for (let i = 0; i < MESSAGES; i++) await client.request({ method: 'tools/list', params: {} });
  const perMessage = Number(process.hrtime.bigint() - before) / 1e6 / MESSAGES;
  await client.close();
  return { initialize, perMessage, tools };
}

/** Rows [what, stats, goal] for bench.mjs's table. */
export async function benchGuard({ bin, env, runs }) {
  const cases = [
    { command: process.execPath, args: [bin, 'run', 'memory'], env },
    { command: process.execPath, args: [bin, 'run', '--guard', 'memory'], env },
  ];
  const init = cases.map(() => []);
  const message = cases.map(() => []);
  for (let i = 0; i < runs + 1; i++) {
    for (const [index, spec] of cases.entries()) {
      const result = await once(spec);
      if (index === 1 && result.tools === 0) throw new Error('the guard withheld every tool: are the pins missing?');
      if (i === 0) continue; // warm-up
      init[index].push(result.initialize);
      message[index].push(result.perMessage);
    }
  }
  const [plainInit, guardInit] = init.map(stats);
  const [plainMsg, guardMsg] = message.map(stats);
  const paired = (a, b) => stats(b.samples.map((ms, i) => ms - a.samples[i])).median;
  const startCost = paired(plainInit, guardInit);
  const perMessage = paired(plainMsg, guardMsg);
  return [
    ['initialize: `mcpm run --guard memory`', guardInit, `start-up cost of the guard over \`mcpm run memory\` (${plainInit.median.toFixed(1)} ms): +${startCost.toFixed(1)} ms`],
    [`tools/list round trip through \`mcpm run memory\` (mean of ${MESSAGES})`, { ...plainMsg, unit: 'ms' }, ''],
    [`tools/list round trip through \`mcpm run --guard memory\` (mean of ${MESSAGES})`, { ...guardMsg, unit: 'ms' }, `relay's added latency per message: +${perMessage.toFixed(2)} ms`],
  ];
}
