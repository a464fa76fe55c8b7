/**
 * Stored password secrets in PostgreSQL's formats (src/common/scram-common.c, crypt.c):
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (base64 parts) and
 * `md5<32 hex>`. Shared by the catalog (CREATE ROLE … PASSWORD stores one) and the wire
 * layer (authentication checks against one), like PostgreSQL's src/common.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** PostgreSQL's scram_iterations default and SCRAM_DEFAULT_SALT_LEN */
export const SCRAM_ITERATIONS = 4096;
export const SCRAM_SALT_LEN = 16;

export interface ScramVerifier {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

const hmac = (key: Buffer, data: string | Buffer): Buffer => createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/**
 * RFC 4013 SASLprep, the mapping and normalization steps (what changes the bytes):
 * non-ASCII spaces → space, "commonly mapped to nothing" removed, NFKC. PostgreSQL falls
 * back to the raw password where SASLprep would reject it; we never reject, which agrees
 * for every password a client can send through libpq or node-postgres.
 */
export function saslprep(password: string): string {
  return password
    .replace(/[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g, ' ')
    .replace(/[\u00AD\u034F\u1806\u180B-\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g, '')
    .normalize('NFKC');
}

export function scramVerifierOf(password: string, salt: Buffer, iterations: number): ScramVerifier {
  const salted = pbkdf2Sync(saslprep(password), salt, iterations, 32, 'sha256');
  return { salt, iterations, storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

/** A fresh SCRAM-SHA-256 secret for a password, as PostgreSQL's pg_be_scram_build_secret writes it. */
export function buildScramSecret(password: string, salt = randomBytes(SCRAM_SALT_LEN), iterations = SCRAM_ITERATIONS): string {
  const v = scramVerifierOf(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${v.storedKey.toString('base64')}:${v.serverKey.toString('base64')}`;
}

const B64 = '[A-Za-z0-9+/]+={0,2}';
const SCRAM_SECRET = new RegExp(`^SCRAM-SHA-256\\$(\\d+):(${B64})\\$(${B64}):(${B64})$`);

/** The verifier in a stored SCRAM secret, or undefined when `secret` is not one (parse_scram_secret). */
export function parseScramSecret(secret: string): ScramVerifier | undefined {
  const m = SCRAM_SECRET.exec(secret);
  if (!m) return undefined;
  const iterations = Number(m[1]);
  const storedKey = Buffer.from(m[3], 'base64');
  const serverKey = Buffer.from(m[4], 'base64');
  if (!(iterations > 0) || storedKey.length !== 32 || serverKey.length !== 32) return undefined;
  return { salt: Buffer.from(m[2], 'base64'), iterations, storedKey, serverKey };
}

/** `md5` followed by 32 lower-case hex digits: an md5 secret (isMD5 in crypt.c). */
export function isMd5Secret(secret: string): boolean {
  return /^md5[0-9a-f]{32}$/.test(secret);
}

/** What CREATE/ALTER ROLE … PASSWORD stores: a given secret as is, any other text as a new SCRAM secret. */
export function encryptPassword(password: string): string {
  return isMd5Secret(password) || parseScramSecret(password) ? password : buildScramSecret(password);
}

/** Does a cleartext password match a stored secret (plain_crypt_verify)? */
export function passwordMatchesSecret(user: string, password: string, secret: string): boolean {
  const v = parseScramSecret(secret);
  if (v) return scramVerifierOf(password, v.salt, v.iterations).storedKey.equals(v.storedKey);
  if (isMd5Secret(secret)) return 'md5' + createHash('md5').update(password + user).digest('hex') === secret;
  return false;
}
