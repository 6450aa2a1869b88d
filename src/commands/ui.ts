import { defineCommand } from './spec.js';

export const commands = [
  defineCommand({
    name: 'ui',
    description: 'open mcpm in a local web page (127.0.0.1 only, a one-time link), until Ctrl-C or Quit',
    ownsSignals: true,
    options: [
      { flags: '--port <port>', description: 'port to listen on (default: a free one)' },
      { flags: '--no-open', description: 'print the link without opening a browser' },
    ],
    run: async (ctx, { options }) => {
      // The page's code is loaded by this command only.
      const { startUi } = await import('../ui/server.js');
      return { result: await startUi(ctx, { port: options.port, open: options.open }) };
    },
    render: (result) => `mcpm ui stopped (${result.stoppedBy === 'quit' ? 'Quit on the page' : 'Ctrl-C'})`,
  }),
];
