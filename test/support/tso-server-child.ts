/**
 * A timestamp oracle server in another process, for leader-change tests: `node
 * tso-server-child.js ENDPOINTS TTL` runs one (campaigning in the `tso` election), prints
 * "leader" once it leads, and waits to be killed.
 */
import { openEtcdCoordinator } from '../../src/cluster/etcd-coordinator.js';
import { startTsoServer } from '../../src/cluster/tso/tso-server.js';

const [endpoints, ttl] = process.argv.slice(2);
// `node --test dist/test/` loads every file there, this one too: without arguments it does nothing
if (endpoints !== undefined) {
  const coordinator = await openEtcdCoordinator({ endpoints: endpoints.split(','), leaseTtlSeconds: Number(ttl) });
  const quiet = { info: () => {}, warn: () => {} };
  const server = await startTsoServer({ coordinator, host: '127.0.0.1', logger: quiet });
  const timer = setInterval(() => {
    if (!server.isLeader()) return;
    process.stdout.write(`leader ${server.address}\n`);
    clearInterval(timer);
  }, 20);
  setInterval(() => {}, 1000);
}
