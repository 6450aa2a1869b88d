// Loaded with --import by the benchmark: records the process's peak resident memory (KiB) when it exits.
import { appendFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.BENCH_RSS_LOG) appendFileSync(process.env.BENCH_RSS_LOG, `${process.resourceUsage().maxRSS}\n`);
});
