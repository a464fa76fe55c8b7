#!/usr/bin/env node
/** Command line entry: `quiver --host 127.0.0.1 --port 5433 --data ./data --log-level info`. */
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startServer } from './server.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: process.env.QUIVER_HOST ?? '127.0.0.1' },
    port: { type: 'string', default: process.env.QUIVER_PORT ?? '5433' },
    data: { type: 'string', default: process.env.QUIVER_DATA ?? './data' },
    'log-level': { type: 'string', default: process.env.QUIVER_LOG_LEVEL ?? 'info' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  process.stdout.write('usage: quiver [--host 127.0.0.1] [--port 5433] [--data ./data] [--log-level info]\n' +
    'environment: QUIVER_HOST, QUIVER_PORT, QUIVER_DATA, QUIVER_LOG_LEVEL\n');
  process.exit(0);
}

const logger = pino({ level: values['log-level'] }, pino.destination(2));
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  logger.fatal({ port: values.port }, 'invalid --port');
  process.exit(2);
}

mkdirSync(values.data!, { recursive: true });
const server = await startServer({ host: values.host!, port, dataDir: values.data!, logger });
// Always printed (even at --log-level warn): tests and scripts wait for this line.
process.stderr.write(JSON.stringify({ level: 30, time: Date.now(), msg: 'listening', host: values.host, port: server.port, data: values.data }) + '\n');

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal: sig }, 'shutting down');
    server.close().then(() => process.exit(0), () => process.exit(1));
  });
}
process.on('uncaughtException', (err) => {
  logger.error({ err }, 'uncaught exception (connection kept serving)');
});
process.on('unhandledRejection', (err) => {
  logger.error({ err }, 'unhandled rejection');
});
