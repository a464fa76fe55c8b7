/**
 * Whether the loopback infrastructure a cluster test starts can run here: the Debian
 * packages are installed (or installed now, as `npm run cluster` does). A test file passes
 * the result as node:test's `skip`: false, or the reason it is skipped.
 */
import { ensureBinary } from '../../src/cluster/local/processes.js';

function missing(binaries: readonly (readonly [command: string, debianPackage: string])[], what: string): false | string {
  try {
    for (const [command, pkg] of binaries) ensureBinary(command, pkg);
    return false;
  } catch {
    return `${what} is not installed and could not be`;
  }
}

/** skip reason for tests needing etcd and nats-server, else false */
export const clusterSkip = (): false | string => missing([['nats-server', 'nats-server'], ['etcd', 'etcd-server']], 'nats-server or etcd');

/** skip reason for tests needing etcd only, else false */
export const etcdSkip = (): false | string => missing([['etcd', 'etcd-server']], 'etcd');
