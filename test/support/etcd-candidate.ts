/**
 * A candidate in another process, for election tests: `node etcd-candidate.js ENDPOINTS
 * ELECTION VALUE TTL` campaigns, prints "elected" once it leads, and waits to be killed.
 */
import { openEtcdCoordinator } from '../../src/cluster/etcd-coordinator.js';

const [endpoints, election, value, ttl] = process.argv.slice(2);
// `node --test dist/test/` loads every file there, this one too: without arguments it does nothing
if (endpoints !== undefined) {
  const coordinator = await openEtcdCoordinator({ endpoints: endpoints.split(','), leaseTtlSeconds: Number(ttl) });
  await coordinator.register({ id: value, address: value, role: 'candidate' });
  await coordinator.campaign(election, value);
  process.stdout.write('elected\n');
  setInterval(() => {}, 1000);
}
