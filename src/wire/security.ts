/**
 * Command-line security settings → what the listener needs: the TLS context (certificate
 * and key read once at startup) and the Authenticator. Configuration mistakes throw a
 * plain Error with a message meant for the operator.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { AUTH_METHODS, Authenticator, loadUsersFile, tlsServerEndPoint, type AuthMethod } from './auth.js';
import type { ConnectionSecurity } from './connection.js';

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
  if (method !== 'trust' && users.size === 0 && opts.password === undefined) {
    throw new Error(`--auth ${method} needs --users FILE or --password`);
  }
  security.auth = new Authenticator(method, users, opts.password);
  return security;
}
