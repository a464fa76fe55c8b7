/**
 * Host-based authentication in pg_hba.conf's format (PostgreSQL 15, src/backend/libpq/hba.c),
 * the subset that applies to a TCP-only server:
 *
 *   # TYPE     DATABASE        USER          ADDRESS                 METHOD
 *   host       all             all           127.0.0.1/32            scram-sha-256
 *   hostssl    app,"My DB"     alice,+admin  10.0.0.0 255.0.0.0      md5
 *   hostnossl  all             all           all                     reject
 *   local      all             all                                   trust   (accepted, never matches: no Unix socket)
 *
 * Fields are separated by blanks, `#` starts a comment, a `\` at the end of a line continues
 * it, `"…"` quotes a name (a quoted `all` is a name, not the keyword) and commas make lists.
 * The first line whose type, database, user and address match decides the method; with no
 * such line the connection is refused. `+name` matches the members of role `name` and
 * `samerole`/`samegroup` a database named after a role the user belongs to (membership by
 * grants, as PostgreSQL's is_member: being a superuser does not count). `replication`
 * matches nothing (no replication connections), `@file` includes, host names and
 * authentication options are refused with an error naming the line.
 *
 * Pure: parsing takes text, matching takes the connection's facts (and the server's own
 * interface addresses for samehost/samenet); the connection and the loader do the I/O.
 */
import { isIP } from 'node:net';

export type HbaMethod = 'trust' | 'reject' | 'password' | 'md5' | 'scram-sha-256';
const METHODS: readonly HbaMethod[] = ['trust', 'reject', 'password', 'md5', 'scram-sha-256'];
/** PostgreSQL methods Quiver does not implement: a clear error instead of "invalid" */
const UNSUPPORTED_METHODS = ['gss', 'sspi', 'ident', 'peer', 'pam', 'ldap', 'radius', 'cert', 'bsd'];

export type HbaConnectionType = 'local' | 'host' | 'hostssl' | 'hostnossl';

/** One name of a database or user list; `keyword` set for unquoted all/sameuser/… */
interface HbaName {
  readonly name: string;
  readonly keyword: boolean;
  /** `+name`: members of role `name` */
  readonly group: boolean;
}

export type HbaAddress =
  | { readonly kind: 'all' | 'samehost' | 'samenet' | 'none' }
  | { readonly kind: 'cidr'; readonly bytes: Buffer; readonly mask: Buffer; readonly text: string; readonly netmask: string };

export interface HbaRule {
  /** 1-based line in the file (the first line of a continued line) */
  readonly line: number;
  readonly type: HbaConnectionType;
  readonly databases: readonly HbaName[];
  readonly users: readonly HbaName[];
  readonly address: HbaAddress;
  readonly method: HbaMethod;
}

/** A configuration mistake; `message` is PostgreSQL's, `line` where it is. */
export class HbaConfigError extends Error {
  constructor(readonly reason: string, readonly line: number, readonly file: string) {
    super(`${reason} (line ${line} of configuration file "${file}")`);
  }
}

interface Token {
  readonly text: string;
  readonly quoted: boolean;
}

/** One field: its comma-separated tokens. */
type Field = Token[];

/** Splits one logical line into fields, like hba.c's next_field_expand. */
function tokenize(line: string, lineNo: number, file: string): Field[] {
  const fields: Field[] = [];
  let i = 0;
  const blank = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
  while (i < line.length) {
    while (blank(line[i])) i++;
    if (i >= line.length || line[i] === '#') break;
    const field: Field = [];
    for (;;) {
      let text = '';
      let quoted = false;
      let inQuote = false;
      while (i < line.length && (inQuote || (!blank(line[i]) && line[i] !== ',' && line[i] !== '#'))) {
        const c = line[i++]!;
        if (c === '"') {
          // "" inside quotes is a literal quote; a quote anywhere makes the token a name
          if (inQuote && line[i] === '"') {
            text += '"';
            i++;
            continue;
          }
          inQuote = !inQuote;
          quoted = true;
          continue;
        }
        text += c;
      }
      if (inQuote) throw new HbaConfigError('unterminated quoted string', lineNo, file);
      field.push({ text, quoted });
      // a comma (possibly after blanks) continues this field's list
      let j = i;
      while (blank(line[j])) j++;
      if (line[j] !== ',') break;
      i = j + 1;
      while (blank(line[i])) i++;
    }
    fields.push(field);
  }
  return fields;
}

/** Logical lines: `\` at the end of a physical line continues it (PostgreSQL 15). */
function logicalLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  const physical = text.split('\n');
  for (let n = 0; n < physical.length; n++) {
    const start = n + 1;
    let line = physical[n]!.replace(/\r$/, '');
    while (line.endsWith('\\') && n + 1 < physical.length) {
      line = line.slice(0, -1) + ' ' + physical[++n]!.replace(/\r$/, '');
    }
    out.push({ line: start, text: line });
  }
  return out;
}

function names(field: Field, what: 'database' | 'role', lineNo: number, file: string): HbaName[] {
  return field.map((t) => {
    if (!t.quoted && t.text.startsWith('@')) throw new HbaConfigError(`@file inclusion in the ${what} field is not supported`, lineNo, file);
    if (t.text === '' && !t.quoted) throw new HbaConfigError(`empty ${what} name`, lineNo, file);
    const group = !t.quoted && what === 'role' && t.text.startsWith('+');
    const name = group ? t.text.slice(1) : t.text;
    const keyword = !t.quoted && (what === 'database' ? ['all', 'sameuser', 'samerole', 'samegroup', 'replication'] : ['all']).includes(name);
    return { name, keyword, group };
  });
}

/** The `/n` mask of an address family as bytes, or undefined if n is out of range. */
function prefixMask(bits: number, length: number): Buffer | undefined {
  if (!Number.isInteger(bits) || bits < 0 || bits > length * 8) return undefined;
  const mask = Buffer.alloc(length);
  for (let b = 0; b < bits; b++) mask[b >> 3]! |= 0x80 >> (b & 7);
  return mask;
}

/** Address bytes (4 or 16) of a literal IPv4/IPv6 address; undefined if it is not one. */
export function addressBytes(address: string): Buffer | undefined {
  const family = isIP(address);
  if (family === 4) return Buffer.from(address.split('.').map(Number));
  if (family !== 6) return undefined;
  const zone = address.indexOf('%');
  let text = zone >= 0 ? address.slice(0, zone) : address;
  // an embedded IPv4 tail (::ffff:1.2.3.4) → two hex groups
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    text = text.slice(0, -v4[1]!.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function parseAddress(fields: Field[], at: number, lineNo: number, file: string): { address: HbaAddress; used: number } {
  const field = fields[at];
  if (!field) throw new HbaConfigError('end-of-line before IP address specification', lineNo, file);
  if (field.length > 1) throw new HbaConfigError('multiple values specified for host address', lineNo, file);
  const token = field[0]!;
  if (!token.quoted && (token.text === 'all' || token.text === 'samehost' || token.text === 'samenet')) {
    return { address: { kind: token.text }, used: 1 };
  }
  const slash = token.text.indexOf('/');
  const host = slash >= 0 ? token.text.slice(0, slash) : token.text;
  const bytes = addressBytes(host);
  if (!bytes) {
    if (slash >= 0) throw new HbaConfigError(`specifying both host name and CIDR mask is invalid: "${token.text}"`, lineNo, file);
    throw new HbaConfigError(`host names are not supported ("${token.text}"): use an IP address with a CIDR mask`, lineNo, file);
  }
  if (slash >= 0) {
    const bitsText = token.text.slice(slash + 1);
    const mask = /^\d+$/.test(bitsText) ? prefixMask(Number(bitsText), bytes.length) : undefined;
    if (!mask) throw new HbaConfigError(`invalid CIDR mask in address "${token.text}"`, lineNo, file);
    return { address: cidr(bytes, mask, host), used: 1 };
  }
  // address followed by a netmask in the next field
  const maskField = fields[at + 1];
  if (!maskField) throw new HbaConfigError('end-of-line before netmask specification', lineNo, file);
  if (maskField.length > 1) throw new HbaConfigError('multiple values specified for netmask', lineNo, file);
  const mask = addressBytes(maskField[0]!.text);
  if (!mask) throw new HbaConfigError(`invalid IP mask "${maskField[0]!.text}"`, lineNo, file);
  if (mask.length !== bytes.length) throw new HbaConfigError('IP address and mask do not match', lineNo, file);
  return { address: cidr(bytes, mask, host), used: 2 };
}

function cidr(bytes: Buffer, mask: Buffer, text: string): HbaAddress {
  const netmask = formatAddress(mask);
  return { kind: 'cidr', bytes, mask, text, netmask };
}

function formatAddress(b: Buffer): string {
  return b.length === 4 ? [...b].join('.') : formatIpv6(b);
}

function formatIpv6(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

function parseLine(fields: Field[], lineNo: number, file: string): HbaRule {
  const typeField = fields[0]!;
  if (typeField.length > 1) throw new HbaConfigError('multiple values specified for connection type', lineNo, file);
  const typeText = typeField[0]!.text;
  if (typeText === 'hostgssenc' || typeText === 'hostnogssenc') {
    throw new HbaConfigError(`connection type "${typeText}" is not supported (no GSSAPI encryption)`, lineNo, file);
  }
  if (typeText !== 'local' && typeText !== 'host' && typeText !== 'hostssl' && typeText !== 'hostnossl') {
    throw new HbaConfigError(`invalid connection type "${typeText}"`, lineNo, file);
  }
  const type: HbaConnectionType = typeText;
  if (!fields[1]) throw new HbaConfigError('end-of-line before database specification', lineNo, file);
  const databases = names(fields[1], 'database', lineNo, file);
  if (!fields[2]) throw new HbaConfigError('end-of-line before role specification', lineNo, file);
  const users = names(fields[2], 'role', lineNo, file);
  let next = 3;
  let address: HbaAddress = { kind: 'none' };
  if (type !== 'local') {
    const parsed = parseAddress(fields, 3, lineNo, file);
    address = parsed.address;
    next += parsed.used;
  }
  const methodField = fields[next];
  if (!methodField) throw new HbaConfigError('end-of-line before authentication method', lineNo, file);
  if (methodField.length > 1) throw new HbaConfigError('multiple values specified for authentication type', lineNo, file);
  const methodText = methodField[0]!.text;
  if (UNSUPPORTED_METHODS.includes(methodText)) throw new HbaConfigError(`authentication method "${methodText}" is not supported by Quiver`, lineNo, file);
  if (!(METHODS as readonly string[]).includes(methodText)) throw new HbaConfigError(`invalid authentication method "${methodText}"`, lineNo, file);
  const options = fields.slice(next + 1).flat();
  if (options.length > 0) {
    const option = options[0]!.text;
    if (!option.includes('=')) throw new HbaConfigError(`authentication option not in name=value format: ${option}`, lineNo, file);
    throw new HbaConfigError(`authentication option "${option.slice(0, option.indexOf('='))}" is not supported by Quiver`, lineNo, file);
  }
  return { line: lineNo, type, databases, users, address, method: methodText as HbaMethod };
}

/** One line as the pg_hba_file_rules view shows it: the rule's fields, or the line's error. */
export interface HbaLineReport {
  readonly lineNumber: number;
  readonly type: string | null;
  readonly database: readonly string[] | null;
  readonly userName: readonly string[] | null;
  readonly address: string | null;
  readonly netmask: string | null;
  readonly authMethod: string | null;
  readonly options: readonly string[] | null;
  readonly error: string | null;
}

/** as PostgreSQL shows a token: without its quotes, `+` kept */
const shownName = (n: HbaName): string => (n.group ? '+' : '') + n.name;

/** Every non-empty line of a file, parsed on its own (PostgreSQL's fill_hba_view): a bad line does not hide the others. */
export function describeHba(text: string, file = 'pg_hba.conf'): HbaLineReport[] {
  const out: HbaLineReport[] = [];
  for (const { line, text: lineText } of logicalLines(text)) {
    try {
      const fields = tokenize(lineText, line, file);
      if (fields.length === 0) continue;
      const r = parseLine(fields, line, file);
      const a = r.address;
      out.push({
        lineNumber: line, type: r.type, database: r.databases.map(shownName), userName: r.users.map(shownName),
        address: a.kind === 'none' ? null : a.kind === 'cidr' ? formatAddress(a.bytes) : a.kind, netmask: a.kind === 'cidr' ? a.netmask : null,
        authMethod: r.method, options: null, error: null,
      });
    } catch (e) {
      if (!(e instanceof HbaConfigError)) throw e;
      out.push({ lineNumber: line, type: null, database: null, userName: null, address: null, netmask: null, authMethod: null, options: null, error: e.reason });
    }
  }
  return out;
}

/** Parses a whole file; throws HbaConfigError at the first bad line (nothing half-loaded). */
export function parseHba(text: string, file = 'pg_hba.conf'): HbaRule[] {
  const rules: HbaRule[] = [];
  for (const { line, text: lineText } of logicalLines(text)) {
    const fields = tokenize(lineText, line, file);
    if (fields.length === 0) continue;
    rules.push(parseLine(fields, line, file));
  }
  return rules;
}

// ---- matching ------------------------------------------------------------------------------

/** What the connection knows when it asks which method applies. */
export interface HbaRequest {
  /** the client's address as the socket reports it (IPv4, IPv6 or ::ffff:-mapped IPv4) */
  readonly address: string;
  readonly ssl: boolean;
  readonly user: string;
  readonly database: string;
  /** role membership by grants (the server's catalog), for `+role` and samerole */
  readonly isMemberOf?: (user: string, role: string) => boolean;
}

/** One address of the server with its netmask (os.networkInterfaces()), for samehost/samenet. */
export interface LocalAddress {
  readonly address: string;
  readonly netmask: string;
}

export type HbaDecision =
  | { readonly kind: 'method'; readonly method: Exclude<HbaMethod, 'reject'>; readonly rule: HbaRule }
  | { readonly kind: 'reject'; readonly rule: HbaRule }
  | { readonly kind: 'no-match' };

/** Client address bytes; an IPv4-mapped IPv6 address counts as IPv4 (hba.c promotes the rule instead: same result). */
function clientBytes(address: string): Buffer | undefined {
  const bytes = addressBytes(address);
  if (bytes?.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.subarray(12);
  return bytes;
}

function inNet(client: Buffer, net: Buffer, mask: Buffer): boolean {
  if (client.length !== net.length) return false;
  for (let i = 0; i < client.length; i++) if ((client[i]! & mask[i]!) !== (net[i]! & mask[i]!)) return false;
  return true;
}

function addressMatches(address: HbaAddress, client: Buffer | undefined, local: readonly LocalAddress[]): boolean {
  if (address.kind === 'all') return true;
  if (!client || address.kind === 'none') return false;
  if (address.kind === 'cidr') return inNet(client, address.bytes, address.mask);
  for (const l of local) {
    const bytes = clientBytes(l.address);
    if (!bytes) continue;
    if (address.kind === 'samehost' ? inNet(client, bytes, Buffer.alloc(bytes.length, 0xff)) : inNet(client, bytes, addressBytes(l.netmask) ?? Buffer.alloc(bytes.length, 0xff))) return true;
  }
  return false;
}

function databaseMatches(list: readonly HbaName[], req: HbaRequest): boolean {
  return list.some((d) => {
    if (!d.keyword) return d.name === req.database;
    if (d.name === 'all') return true;
    if (d.name === 'replication') return false;
    if (d.name === 'sameuser') return req.database === req.user;
    return memberOf(req, req.database); // samerole, samegroup
  });
}

function userMatches(list: readonly HbaName[], req: HbaRequest): boolean {
  return list.some((u) => (u.keyword && u.name === 'all') || (u.group ? memberOf(req, u.name) : u.name === req.user));
}

/** Without a membership lookup only the role itself counts (every role is a member of itself). */
function memberOf(req: HbaRequest, role: string): boolean {
  return req.user === role || (req.isMemberOf?.(req.user, role) ?? false);
}

export function matchHba(rules: readonly HbaRule[], req: HbaRequest, local: readonly LocalAddress[] = []): HbaDecision {
  const client = clientBytes(req.address);
  for (const rule of rules) {
    if (rule.type === 'local') continue;
    if (rule.type === 'hostssl' && !req.ssl) continue;
    if (rule.type === 'hostnossl' && req.ssl) continue;
    if (!addressMatches(rule.address, client, local)) continue;
    if (!databaseMatches(rule.databases, req)) continue;
    if (!userMatches(rule.users, req)) continue;
    return rule.method === 'reject' ? { kind: 'reject', rule } : { kind: 'method', method: rule.method, rule };
  }
  return { kind: 'no-match' };
}

/** PostgreSQL 15's wording of a refusal (auth.c ClientAuthentication), without the FATAL/28000 around it. */
export function hbaRefusal(decision: Exclude<HbaDecision, { kind: 'method' }>, req: HbaRequest): string {
  const host = req.address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  const who = `host "${host}", user "${req.user}", database "${req.database}", ${req.ssl ? 'SSL encryption' : 'no encryption'}`;
  return decision.kind === 'reject' ? `pg_hba.conf rejects connection for ${who}` : `no pg_hba.conf entry for ${who}`;
}
