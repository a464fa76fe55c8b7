/**
 * `main.js --role proxy` for tests until main.ts has the role: the same flags (others
 * ignored), runProxyRole, the same "listening" line, and the same stop on SIGTERM/SIGINT.
 * The launcher's test runs it as startLocalCluster's `entry`.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { runProxyRole } from '../../src/cluster/proxy-role.js';

const { values } = parseArgs({
  strict: false,
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '5433' },
    etcd: { type: 'string', default: '' },
    'node-id': { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
  },
});
const logger = pino({ level: String(values['log-level']) }, pino.destination(2));
const host = String(values.host);
const proxy = await runProxyRole({
  host, port: Number(values.port), etcd: String(values.etcd).split(','), log: logger,
  ...(typeof values['node-id'] === 'string' ? { nodeId: values['node-id'] } : {}),
});
process.stderr.write(JSON.stringify({ level: 30, time: Date.now(), msg: 'listening', role: 'proxy', host, port: proxy.port }) + '\n');
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => { void proxy.close().then(() => process.exit(0), () => process.exit(1)); });
}
