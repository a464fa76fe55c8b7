/**
 * Values between the router's client and its shards: parameters encoded for the shard
 * (binary where the type has a codec, so nothing depends on text settings), text results
 * decoded into Quiver values (the wire layer re-encodes them for the client), command tags
 * of one statement on several shards added up, and values written into SQL as constants.
 */
import { encodeBinary, hasBinaryCodec } from '../../types/binary-format.js';
import { formatText, parseText, type FormatSettings } from '../../types/text-io.js';
import { formatTypeWithTypmod, sqlType, type SqlType, type Value } from '../../types/types.js';
import type { FieldInfo } from '../../wire/backend.js';
import type { ShardResult } from './fanout-api.js';
import type { ShardField, ShardParam, ShardReply } from './shard-connection.js';

/** The session settings text output and input depend on (as the shards have them too). */
export type TextSettings = Pick<FormatSettings, 'timezone' | 'dateStyle' | 'intervalStyle'>;

export function fieldInfo(f: ShardField): FieldInfo {
  return { name: f.name, type: sqlType(f.typeOid, f.typmod), tableOid: f.tableOid, columnAttr: f.columnAttr };
}

/** Parameters as the shard gets them: binary where the type has a codec (exact), else text. */
export function encodeParams(types: readonly number[], params: readonly Value[], settings: TextSettings): ShardParam[] {
  return params.map((v, i) => {
    if (v === null) return null;
    const type = sqlType(types[i] ?? 25);
    return hasBinaryCodec(type.oid) ? encodeBinary(type, v) : formatText(type, v, settings);
  });
}

/** record and record[]: Quiver reads no anonymous composite value, so the router passes a shard's text on as it is */
const PASSED_THROUGH = new Set([2249, 2287]);

/**
 * regtype, regclass, regproc, regprocedure, regnamespace, regrole: a name the shard printed
 * may be of an object the router's own tables do not know (a domain, a user table), kept as
 * its text (formatText prints a name it gets unchanged)
 */
const NAMED_OIDS = new Set([2206, 2205, 24, 2202, 4089, 4096]);

/** A value of a shard's text result as a Quiver value (a record's text kept as it is: formatText writes it back unchanged). */
export function shardValue(type: SqlType, text: string, settings: TextSettings): Value {
  if (PASSED_THROUGH.has(type.oid)) return text;
  if (!NAMED_OIDS.has(type.oid)) return parseText(type, text, settings);
  try {
    return parseText(type, text, settings);
  } catch {
    return text;
  }
}

/** A shard's text rows as Quiver values. */
export function decodeReply(reply: ShardReply, settings: TextSettings): ShardResult {
  const fields = (reply.fields ?? []).map(fieldInfo);
  const rows = reply.rows.map((r) => r.map((text, c) => (text === null ? null : shardValue(fields[c]!.type, text, settings))));
  return { fields, rows };
}

/** Command tags of one statement on several shards: the counts added (INSERT 0 n, UPDATE n, COPY n…). */
export function sumTags(tags: readonly string[]): string {
  const first = tags[0] ?? '';
  const m = /^(.*?)(\d+)$/.exec(first);
  if (!m || tags.length === 1) return first;
  let total = 0;
  for (const t of tags) total += Number(/(\d+)$/.exec(t)?.[1] ?? 0);
  return `${m[1]}${total}`;
}

/** A value as an SQL constant of its type: '…'::type. */
export function sqlLiteral(type: SqlType, value: Value): string {
  if (value === null) return 'NULL';
  return `'${formatText(type, value).replace(/'/g, "''")}'::${formatTypeWithTypmod(type)}`;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Wait for all; the first failure (in shard order) wins, after every shard has answered. */
export async function allOrFirstError<T>(work: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
