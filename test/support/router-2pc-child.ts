/**
 * A shard router in another process that stops in the middle of a two-phase commit, for the
 * kill -9 test of router-2pc-recovery.test.ts: `node router-2pc-child.js ENDPOINTS PREFIX TTL
 * SHARD,SHARD… prepare|commit` starts a router over those shards with the etcd decision
 * store and liveness (its lease TTL seconds), prints "listening <port> <router id>", and
 * hangs every two-phase commit after the prepares ("prepare": nothing recorded) or after
 * recording "commit" and committing on shard 0 only ("commit"), until it is killed.
 */
import pino from 'pino';
import { openEtcdCoordinator } from '../../src/cluster/etcd-coordinator.js';
import { EtcdDecisionStore, EtcdRouterLiveness } from '../../src/cluster/etcd-decision-store.js';
import { startShardRouter } from '../../src/cluster/router/server.js';
import { staticShardDirectory } from '../../src/cluster/shard-directory.js';
import type { CommitHooks } from '../../src/cluster/router/transaction.js';

const [endpoints, prefix, ttl, shards, stopAt] = process.argv.slice(2);
// `node --test dist/test/` loads every file there, this one too: without arguments it does nothing
if (endpoints !== undefined) {
  const coordinator = await openEtcdCoordinator({ endpoints: endpoints.split(','), prefix: prefix!, leaseTtlSeconds: Number(ttl) });
  const forever = () => new Promise<void>(() => {});
  const hooks: CommitHooks = stopAt === 'prepare'
    ? { afterPrepare: forever }
    : { beforeCommitPrepared: (_gid, shard) => (shard === 0 ? undefined : forever()) };
  const router = await startShardRouter({
    host: '127.0.0.1', port: 0, directory: staticShardDirectory(shards!.split(',')), logger: pino({ level: 'warn' }),
    // its own recovery stays out of the way: the test measures the others'
    twoPhase: { decisions: new EtcdDecisionStore(coordinator), liveness: new EtcdRouterLiveness(coordinator, 'child:1'), hooks, recoveryIntervalMs: 3_600_000 },
  });
  process.stdout.write(`listening ${router.port} ${router.routerId}\n`);
}
