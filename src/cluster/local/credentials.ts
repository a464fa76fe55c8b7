/**
 * The logins of a local cluster's infrastructure (`<dir>/credentials.json`, readable by its
 * owner only): NATS's user and password, etcd's root password and the Quiver nodes' own etcd
 * login (read-write on Quiver's keys only; root stays the launcher's, for setting etcd up),
 * the S3 stand-in's key pair.
 * Made once with random values, so a restart of the same directory keeps them (etcd
 * remembers its users in its data). The Quiver nodes get them in their environment, never
 * on their command line; cluster.json and the launcher's output name only this file.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EtcdAuth } from '../etcd-coordinator.js';
import type { NatsAuth } from './nats.js';
import { newS3Keys, type S3Keys } from './s3.js';

export interface ClusterCredentials {
  readonly nats: NatsAuth;
  /** etcd's root: the launcher's, to set up authentication and the nodes' user */
  readonly etcd: EtcdAuth;
  /** the nodes' etcd login (local/etcd.ts NODE_ROLE) */
  readonly etcdNode: EtcdAuth;
  readonly s3: S3Keys;
}

const password = () => randomBytes(24).toString('base64url');

export const credentialsFile = (dir: string) => join(dir, 'credentials.json');

export function clusterCredentials(dir: string): ClusterCredentials {
  const file = credentialsFile(dir);
  const kept = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as Partial<ClusterCredentials> : undefined;
  // a directory made before the nodes had their own etcd login gets one, its other logins kept
  if (kept?.nats && kept.etcd && kept.s3 && kept.etcdNode) return kept as ClusterCredentials;
  const made: ClusterCredentials = {
    nats: kept?.nats ?? { user: 'quiver', pass: password() },
    etcd: kept?.etcd ?? { username: 'root', password: password() },
    etcdNode: { username: 'quiver', password: password() },
    s3: kept?.s3 ?? newS3Keys(),
  };
  writeFileSync(file, JSON.stringify(made, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return made;
}

/** The environment a Quiver node reads them from (main.ts: --etcd-user, --nats-user and their passwords; the AWS SDK's keys). */
export function credentialsEnv(c: ClusterCredentials): NodeJS.ProcessEnv {
  return {
    QUIVER_ETCD_USER: c.etcdNode.username, QUIVER_ETCD_PASSWORD: c.etcdNode.password,
    QUIVER_NATS_USER: c.nats.user, QUIVER_NATS_PASSWORD: c.nats.pass,
    AWS_ACCESS_KEY_ID: c.s3.accessKeyId, AWS_SECRET_ACCESS_KEY: c.s3.secretAccessKey,
  };
}
