/**
 * Password authentication as PostgreSQL does it (src/backend/libpq/auth.c, auth-scram.c):
 * cleartext (AuthenticationCleartextPassword), md5 (AuthenticationMD5Password with a 4-byte
 * salt) and SCRAM-SHA-256 (RFC 5802 / RFC 7677: AuthenticationSASL → SASLContinue →
 * SASLFinal), with SCRAM-SHA-256-PLUS (tls-server-end-point channel binding, RFC 5929)
 * offered on TLS connections when the certificate's signature hash is known.
 *
 * Passwords come from the command line (a users file, then one for every other user), kept
 * in memory, and from roles created in SQL (their stored SCRAM or md5 secret, looked up
 * through `storedSecret`). A SCRAM verifier (salt, StoredKey,
 * ServerKey) is derived once per user and cached; an unknown user gets a mock salt that is
 * stable per user name, so the exchange does not reveal whether the user exists — every
 * failure reads `password authentication failed for user "…"` (28P01), like PostgreSQL.
 *
 * This module holds the pure parts (configuration, message parsing, proofs); the
 * connection drives the message exchange.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SqlError, SqlState } from '../errors.js';
import { SCRAM_ITERATIONS, SCRAM_SALT_LEN, isMd5Secret, parseScramSecret, passwordMatchesSecret, saslprep, scramVerifierOf, type ScramVerifier } from '../types/scram-secret.js';

export { saslprep, scramVerifierOf, type ScramVerifier };

export type AuthMethod = 'trust' | 'password' | 'md5' | 'scram-sha-256';
export const AUTH_METHODS: readonly AuthMethod[] = ['trust', 'password', 'md5', 'scram-sha-256'];

/** PostgreSQL's SCRAM_RAW_NONCE_LEN */
const SCRAM_NONCE_LEN = 18;

/**
 * A role's stored secret from the roles catalog (given by src/server.ts, so this layer
 * never imports the catalog): the SCRAM or md5 secret, null for a role without a password
 * (then --password applies), undefined for no such role.
 */
export type StoredSecretLookup = (user: string) => string | null | undefined;

/** What a user's password is known as: the cleartext (flags) or a stored secret (catalog). */
type Credential = { readonly plain: string } | { readonly secret: string };

/** Who may log in and how: each method asks for the credential of a user (undefined: no such user). */
export class Authenticator {
  private readonly verifiers = new Map<string, ScramVerifier>();
  /** keys the mock salts of unknown users (PostgreSQL: a random mock nonce per cluster) */
  private readonly mockSecret = randomBytes(32);

  constructor(
    readonly method: AuthMethod,
    private readonly users: ReadonlyMap<string, string>,
    /** the password of every user not in `users` (--password), or undefined */
    private readonly anyUserPassword: string | undefined,
  ) {}

  /** roles created in SQL (CREATE ROLE … PASSWORD): consulted after --users, before --password */
  storedSecret: StoredSecretLookup | undefined;

  static trust(): Authenticator {
    return new Authenticator('trust', new Map(), undefined);
  }

  private credential(user: string): Credential | undefined {
    const listed = this.users.get(user);
    if (listed !== undefined) return { plain: listed };
    const secret = this.storedSecret?.(user);
    if (typeof secret === 'string') return { secret };
    return this.anyUserPassword === undefined ? undefined : { plain: this.anyUserPassword };
  }

  /** password auth: does the cleartext the client sent match? */
  checkCleartext(user: string, password: string): boolean {
    const c = this.credential(user);
    if (!c) return false;
    return 'plain' in c ? safeEqual(password, c.plain) : passwordMatchesSecret(user, password, c.secret);
  }

  /**
   * md5 auth: the response the client must send for this salt; 'scram' when the user's
   * secret is a SCRAM one (PostgreSQL then runs SCRAM instead); undefined for no user.
   */
  md5Expected(user: string, salt: Buffer): string | 'scram' | undefined {
    const c = this.credential(user);
    if (!c) return undefined;
    if ('plain' in c) return md5Response(user, c.plain, salt);
    if (isMd5Secret(c.secret)) return 'md5' + md5hex(Buffer.concat([Buffer.from(c.secret.slice(3)), salt]));
    return parseScramSecret(c.secret) ? 'scram' : undefined;
  }

  /** SCRAM verifier of a user, or a mock one (that no proof matches) for an unknown user. */
  scramVerifier(user: string): { verifier: ScramVerifier; known: boolean } {
    const c = this.credential(user);
    const stored = c && 'secret' in c ? parseScramSecret(c.secret) : undefined;
    if (stored) return { verifier: stored, known: true };
    if (!c || !('plain' in c)) {
      const salt = createHmac('sha256', this.mockSecret).update(user).digest().subarray(0, SCRAM_SALT_LEN);
      const junk = randomBytes(32);
      return { verifier: { salt, iterations: SCRAM_ITERATIONS, storedKey: junk, serverKey: junk }, known: false };
    }
    const password = c.plain;
    let v = this.verifiers.get(user);
    if (!v) {
      v = scramVerifierOf(password, randomBytes(SCRAM_SALT_LEN), SCRAM_ITERATIONS);
      this.verifiers.set(user, v);
    }
    return { verifier: v, known: true };
  }
}

/**
 * Users file: either a JSON object `{"alice": "secret", …}` or lines `user:password`
 * (the first colon separates; blank lines and lines starting with # are ignored).
 */
export function parseUsersFile(text: string, fileName = 'users file'): Map<string, string> {
  const users = new Map<string, string>();
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      throw new Error(`${fileName}: invalid JSON: ${(e as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${fileName}: expected a JSON object of user → password`);
    for (const [user, password] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof password !== 'string') throw new Error(`${fileName}: the password of user "${user}" is not a string`);
      users.set(user, password);
    }
    return users;
  }
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`${fileName}:${i + 1}: expected user:password`);
    users.set(line.slice(0, colon), line.slice(colon + 1));
  });
  return users;
}

export function loadUsersFile(path: string): Map<string, string> {
  return parseUsersFile(readFileSync(path, 'utf8'), path);
}

export function passwordFailed(user: string): SqlError {
  return new SqlError(SqlState.invalidPassword, `password authentication failed for user "${user}"`, { severity: 'FATAL' });
}

// ---- md5 ---------------------------------------------------------------------------------

const md5hex = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');

/** What the client sends for AuthenticationMD5Password: "md5" + md5(md5(password + user) + salt). */
export function md5Response(user: string, password: string, salt: Buffer): string {
  return 'md5' + md5hex(Buffer.concat([Buffer.from(md5hex(password + user)), salt]));
}

export function safeEqual(a: Buffer | string, b: Buffer | string): boolean {
  const x = typeof a === 'string' ? Buffer.from(a) : a;
  const y = typeof b === 'string' ? Buffer.from(b) : b;
  return x.length === y.length && timingSafeEqual(x, y);
}

// ---- SCRAM-SHA-256 -----------------------------------------------------------------------

const hmac = (key: Buffer, data: string | Buffer): Buffer => createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/** Channel binding data the server can check, for SCRAM-SHA-256-PLUS. */
export interface ChannelBinding {
  /** the only type PostgreSQL supports */
  readonly type: 'tls-server-end-point';
  /** hash of the server certificate (RFC 5929 §4.1) */
  readonly data: Buffer;
}

function malformed(detail: string): SqlError {
  return new SqlError(SqlState.protocolViolation, 'malformed SCRAM message', { detail, severity: 'FATAL' });
}

function fatal(code: string, message: string, detail?: string): SqlError {
  return new SqlError(code, message, detail === undefined ? { severity: 'FATAL' } : { detail, severity: 'FATAL' });
}

/** Reads `attr=value` off the front of a SCRAM message, like PostgreSQL's read_attr_value. */
class ScramParser {
  constructor(private s: string) {}

  get rest(): string {
    return this.s;
  }

  attr(name: string): string {
    if (this.s[0] !== name) {
      throw malformed(this.s === '' ? `Expected attribute "${name}" but found end of string.` : `Expected attribute "${name}" but found "${this.s[0]}".`);
    }
    if (this.s[1] !== '=') throw malformed(`Expected character "=" for attribute "${name}".`);
    const comma = this.s.indexOf(',', 2);
    const value = comma < 0 ? this.s.slice(2) : this.s.slice(2, comma);
    this.s = comma < 0 ? '' : this.s.slice(comma + 1);
    return value;
  }

  /** The next attribute letter and value (for optional extensions). */
  any(): [string, string] {
    const name = this.s[0];
    if (name === undefined) throw malformed('Attribute expected, but found end of string.');
    if (!/^[A-Za-z]$/.test(name)) throw malformed(`Attribute expected, but found invalid character "${name}".`);
    return [name, this.attr(name)];
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64(s: string): Buffer | undefined {
  return BASE64.test(s) ? Buffer.from(s, 'base64') : undefined;
}

/**
 * One SCRAM exchange on the server side. `clientFirst` takes the SASLInitialResponse data
 * and returns the server-first-message; `clientFinal` takes the SASLResponse and returns
 * the server-final-message, or throws (28P01 for a wrong password or unknown user).
 */
export class ScramExchange {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';
  private cbindFlag: 'n' | 'y' | 'p' = 'n';

  constructor(
    private readonly user: string,
    private readonly mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-256-PLUS',
    private readonly verifier: ScramVerifier,
    private readonly known: boolean,
    /** set when the connection is TLS and PLUS was offered */
    private readonly binding: ChannelBinding | undefined,
  ) {}

  /** `serverNonce` only for test vectors; normally 18 random bytes, base64 (PostgreSQL's). */
  clientFirst(message: string, serverNonce = randomBytes(SCRAM_NONCE_LEN).toString('base64')): string {
    // gs2-cbind-flag
    const flag = message[0];
    let rest: string;
    if (flag === 'p') {
      const comma = message.indexOf(',');
      const cbname = message.slice(2, comma < 0 ? undefined : comma);
      if (message[1] !== '=') throw malformed('Expected character "=" for attribute "p".');
      if (this.mechanism !== 'SCRAM-SHA-256-PLUS') {
        throw malformed('The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.');
      }
      if (cbname !== 'tls-server-end-point') throw fatal(SqlState.protocolViolation, `unsupported SCRAM channel-binding type "${cbname}"`);
      this.cbindFlag = 'p';
      rest = comma < 0 ? '' : message.slice(comma + 1);
    } else if (flag === 'y' || flag === 'n') {
      if (this.mechanism === 'SCRAM-SHA-256-PLUS') {
        throw malformed('The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data.');
      }
      // 'y': the client could bind but thinks we cannot; we offered PLUS only if we can.
      if (flag === 'y' && this.binding) {
        throw fatal(SqlState.invalidAuthorizationSpecification, 'SCRAM channel binding negotiation error',
          'The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.');
      }
      if (message[1] !== ',') throw malformed(`Comma expected, but found character "${message[1] ?? ''}".`);
      this.cbindFlag = flag;
      rest = message.slice(2);
    } else {
      throw malformed(flag === undefined ? 'Unexpected end of string.' : `Unexpected channel-binding flag "${flag}".`);
    }
    // authzid
    if (rest[0] === 'a') throw fatal(SqlState.featureNotSupported, 'client uses authorization identity, but it is not supported');
    if (rest[0] !== ',') throw malformed(`Unexpected attribute "${rest[0] ?? ''}" in client-first-message.`);
    this.gs2Header = message.slice(0, message.length - rest.length + 1);
    this.clientFirstBare = rest.slice(1);
    const bare = new ScramParser(this.clientFirstBare);
    if (this.clientFirstBare[0] === 'm') throw fatal(SqlState.featureNotSupported, 'client requires an unsupported SCRAM extension');
    bare.attr('n'); // the user name of the startup packet counts, like PostgreSQL
    const clientNonce = bare.attr('r');
    if (clientNonce === '' || !/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) throw malformed('Could not parse the nonce in client-first-message.');
    while (bare.rest !== '') bare.any(); // extensions are ignored
    this.nonce = clientNonce + serverNonce;
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`;
    return this.serverFirst;
  }

  clientFinal(message: string): string {
    const p = new ScramParser(message);
    const cbind = p.attr('c');
    const cbindBytes = decodeBase64(cbind);
    if (!cbindBytes) throw malformed('Malformed channel binding data in client-final-message.');
    if (this.cbindFlag === 'p') {
      const expected = Buffer.concat([Buffer.from(this.gs2Header), this.binding!.data]);
      if (!safeEqual(cbindBytes, expected)) throw fatal(SqlState.protocolViolation, 'SCRAM channel binding check failed');
    } else if (cbind !== 'biws' && cbind !== 'eSws') {
      throw fatal(SqlState.protocolViolation, 'unexpected SCRAM channel-binding attribute in client-final-message');
    }
    const nonce = p.attr('r');
    if (nonce !== this.nonce) throw malformed('Nonce does not match.');
    let name: string;
    let value: string;
    do [name, value] = p.any(); while (name !== 'p');
    const proof = decodeBase64(value);
    if (!proof || proof.length !== 32) throw malformed('Malformed proof in client-final-message.');
    if (p.rest !== '') throw malformed('Garbage found at the end of client-final-message.');
    const withoutProof = message.slice(0, message.lastIndexOf(',p='));
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.verifier.storedKey, authMessage);
    const clientKey = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    if (!this.known || !safeEqual(sha256(clientKey), this.verifier.storedKey)) throw passwordFailed(this.user);
    return `v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}`;
  }
}

// ---- tls-server-end-point ----------------------------------------------------------------

/** Signature algorithm OIDs (DER content bytes, hex) → the hash of tls-server-end-point. */
const SIGNATURE_HASHES: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  '2a864886f70d010104': 'sha256', // md5WithRSAEncryption → SHA-256 (RFC 5929)
  '2a864886f70d010105': 'sha256', // sha1WithRSAEncryption → SHA-256
  '2a864886f70d01010b': 'sha256', // sha256WithRSAEncryption
  '2a864886f70d01010c': 'sha384', // sha384WithRSAEncryption
  '2a864886f70d01010d': 'sha512', // sha512WithRSAEncryption
  '2a8648ce3d040301': 'sha256', // ecdsa-with-SHA1 → SHA-256
  '2a8648ce3d040302': 'sha256', // ecdsa-with-SHA256
  '2a8648ce3d040303': 'sha384', // ecdsa-with-SHA384
  '2a8648ce3d040304': 'sha512', // ecdsa-with-SHA512
};

/** One DER element at `pos`: where its content starts and ends. */
function derElement(der: Buffer, pos: number): { tag: number; start: number; end: number } {
  const tag = der[pos]!;
  let len = der[pos + 1]!;
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i]!;
    start += n;
  }
  if (start + len > der.length) throw new Error('truncated DER');
  return { tag, start, end: start + len };
}

/**
 * tls-server-end-point channel binding data of a PEM certificate (its first one), or
 * undefined if the signature algorithm has no hash we know (e.g. Ed25519: then only
 * SCRAM-SHA-256 without -PLUS is offered).
 */
export function tlsServerEndPoint(certPem: string | Buffer): ChannelBinding | undefined {
  try {
    const der = new X509Certificate(certPem).raw;
    const cert = derElement(der, 0);
    const tbs = derElement(der, cert.start);
    const algorithm = derElement(der, tbs.end);
    const oid = derElement(der, algorithm.start);
    if (oid.tag !== 0x06) return undefined;
    const hash = SIGNATURE_HASHES[der.subarray(oid.start, oid.end).toString('hex')];
    if (!hash) return undefined;
    return { type: 'tls-server-end-point', data: createHash(hash).update(der).digest() };
  } catch {
    return undefined;
  }
}
