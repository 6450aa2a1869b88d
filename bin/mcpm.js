#!/usr/bin/env node
// The commands run most often are answered without building the whole CLI: `--version` here, `list` and a client
// entry's `run <name>` by small entry points with the same output (dist/fast.js). Everything else goes through
// dist/cli.js.
// On Node 22.1+ the compiled code of mcpm's modules is kept between runs (Node's own cache in the OS temporary
// folder, as npm's own CLI enables it). Node 20 has no such cache: nothing changes there.
const { default: nodeModule } = await import('node:module');
nodeModule.enableCompileCache?.();
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { readFileSync } = await import('node:fs');
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else if ((args[0] === 'list' || args[0] === 'ls') && (args.length === 1 || (args.length === 2 && args[1] === '--json'))) {
  const { fastList } = await import('../dist/fast.js');
  await fastList(args[1] === '--json');
} else if (args[0] === 'run' && args.length >= 2 && !args[1].startsWith('-') && (args.length === 2 || args[2] === '--')) {
  const { fastRun } = await import('../dist/fast.js');
  await fastRun(args[1], args.slice(3));
} else {
  const { main } = await import('../dist/cli.js');
  await main(args);
}
