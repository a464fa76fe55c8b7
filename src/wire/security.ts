/**
 * Command-line security settings → what the listener needs: the TLS context (certificate
 * and key read once at startup) and the Authenticator. Configuration mistakes throw a
 * plain Error with a message meant for the operator.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { AUTH_METHODS, Authenticator, loadUsersFile, tlsServerEndPoint, type AuthMethod } from './auth.js';
import type { ConnectionSecurity } from './connection.js';
import { HbaFile } from './hba-file.js';
import { MAX_MESSAGE_LIMIT, MIN_MESSAGE_LIMIT } from './reader.js';

export interface SecurityOptions {
  /** PEM certificate (chain) file; with tlsKey enables TLS */
  tlsCert?: string;
  /** PEM private key file */
  tlsKey?: string;
  /** refuse startups without TLS (FATAL 28000) */
  tlsRequired?: boolean;
  /** default trust */
  auth?: string;
  /** JSON object {user: password} or `user:password` lines */
  usersFile?: string;
  /** the password of any user not in the users file */
  password?: string;
  /** pg_hba.conf-format file: the method per connection (replaces `auth`) */
  hbaFile?: string;
  /** largest Query/Parse/Bind/CopyData/FunctionCall message in bytes (default and maximum 1 GB - 1) */
  maxMessageSize?: number;
  /** --cluster-secret: what a cluster peer (the shard router) proves by SCRAM instead of a user's password */
  clusterSecret?: string;
}

export function isAuthMethod(s: string): s is AuthMethod {
  return (AUTH_METHODS as readonly string[]).includes(s);
}

export function loadSecurity(opts: SecurityOptions): ConnectionSecurity {
  const security: ConnectionSecurity = {};
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
    throw new Error('--tls-cert and --tls-key must be given together');
  }
  if (opts.tlsCert !== undefined && opts.tlsKey !== undefined) {
    const cert = readFileSync(opts.tlsCert);
    const key = readFileSync(opts.tlsKey);
    let context;
    try {
      context = createSecureContext({ cert, key });
    } catch (e) {
      throw new Error(`could not load the TLS certificate/key (${opts.tlsCert}, ${opts.tlsKey}): ${(e as Error).message}`);
    }
    const binding = tlsServerEndPoint(cert);
    security.tls = binding ? { context, binding } : { context };
  }
  if (opts.tlsRequired) {
    if (!security.tls) throw new Error('--tls-required needs --tls-cert and --tls-key');
    security.tlsRequired = true;
  }
  const method = opts.auth ?? 'trust';
  if (!isAuthMethod(method)) throw new Error(`invalid --auth "${method}": expected one of ${AUTH_METHODS.join(', ')}`);
  const users = opts.usersFile !== undefined ? loadUsersFile(opts.usersFile) : new Map<string, string>();
  if (opts.hbaFile !== undefined) {
    if (method !== 'trust') throw new Error('--auth and --hba exclude each other: with --hba the method of each connection comes from the file');
    security.hba = new HbaFile(opts.hbaFile);
  } else if (method !== 'trust' && users.size === 0 && opts.password === undefined) {
    throw new Error(`--auth ${method} needs --users FILE or --password`);
  }
  security.auth = new Authenticator(method, users, opts.password);
  if (opts.clusterSecret !== undefined) {
    if (opts.clusterSecret.length < 16) throw new Error('--cluster-secret must be at least 16 characters (a random string, the same on every node)');
    // every user's password is the secret, for the connections that ask for it (CLUSTER_PEER_PARAMETER)
    security.clusterPeers = new Authenticator('scram-sha-256', new Map(), opts.clusterSecret);
  }
  if (opts.maxMessageSize !== undefined) {
    if (!(Number.isInteger(opts.maxMessageSize) && opts.maxMessageSize >= MIN_MESSAGE_LIMIT && opts.maxMessageSize <= MAX_MESSAGE_LIMIT)) {
      throw new Error(`invalid --max-message-size ${opts.maxMessageSize}: an integer from ${MIN_MESSAGE_LIMIT} to ${MAX_MESSAGE_LIMIT} (bytes)`);
    }
    security.maxMessageSize = opts.maxMessageSize;
  }
  return security;
}
