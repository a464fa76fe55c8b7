/**
 * COPY … FROM STDIN data split by the shard of each row's key. Rows are found as COPY finds
 * them (text: one line per row, newlines inside values are escaped; CSV: a quoted value may
 * span lines); only the key fields are decoded, and each row's bytes go on unchanged to its
 * shard, whose own COPY parses and checks them.
 */
import { SqlError } from '../../errors.js';
import { parseText } from '../../types/text-io.js';
import type { SqlType, Value } from '../../types/types.js';
import type { CopyOptions } from './route.js';

/**
 * COPY data cut into rows as it arrives in chunks: push() gives the rows completed so far,
 * end() the rest. Stops at the `\.` end marker; the header line (CSV HEADER) is kept apart,
 * to be given again to every shard.
 */
export class CopyRowSplitter {
  header: string | null = null;
  private pending = '';
  private finished = false;
  private first = true;

  constructor(private readonly options: CopyOptions) {}

  push(text: string): string[] {
    if (this.finished) return [];
    this.pending += text;
    return this.take(false);
  }

  end(): string[] {
    if (this.finished) return [];
    const rows = this.take(true);
    this.finished = true;
    return rows;
  }

  private take(final: boolean): string[] {
    const rows: string[] = [];
    const data = this.pending;
    let i = 0;
    while (i < data.length && !this.finished) {
      let end = this.options.format === 'csv' ? csvRowEnd(data, i, this.options) : lineEnd(data, i);
      if (end < 0) {
        if (!final) break; // the rest of this row is in a later chunk
        end = data.length;
      }
      const row = data.slice(i, end);
      i = end;
      const bare = row.replace(/\r?\n$/, '');
      if (bare === '\\.') this.finished = true;
      else if (this.first && this.options.header) this.header = row.endsWith('\n') ? row : `${row}\n`;
      else rows.push(row.endsWith('\n') ? row : `${row}\n`);
      this.first = false;
    }
    this.pending = data.slice(i);
    return rows;
  }
}

function lineEnd(data: string, from: number): number {
  const nl = data.indexOf('\n', from);
  return nl < 0 ? -1 : nl + 1;
}

function csvRowEnd(data: string, from: number, o: CopyOptions): number {
  let quoted = false;
  for (let i = from; i < data.length; i++) {
    const ch = data[i]!;
    if (quoted) {
      if (ch === o.escape && o.escape !== o.quote && data[i + 1] !== undefined) i++;
      else if (ch === o.quote) {
        if (o.escape === o.quote && data[i + 1] === o.quote) i++;
        else quoted = false;
      }
    } else if (ch === o.quote) quoted = true;
    else if (ch === '\n') return i + 1;
  }
  return -1;
}

/** The fields of one row as text (null for the NULL marker). */
export function rowFields(row: string, o: CopyOptions): (string | null)[] {
  const line = row.replace(/\r?\n$/, '');
  return o.format === 'csv' ? csvFields(line, o) : textFields(line, o);
}

function textFields(line: string, o: CopyOptions, limit?: number): (string | null)[] {
  return line.split(o.delimiter, limit).map((raw) => (raw === o.null ? null : unescapeText(raw)));
}

function unescapeText(raw: string): string {
  if (!raw.includes('\\')) return raw;
  return raw.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ({ b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' } as Record<string, string>)[e] ?? e;
  });
}

function csvFields(line: string, o: CopyOptions): (string | null)[] {
  const out: (string | null)[] = [];
  let i = 0;
  for (;;) {
    let value = '';
    let quotedAny = false;
    while (i < line.length && !line.startsWith(o.delimiter, i)) {
      const ch = line[i]!;
      if (ch === o.quote) {
        quotedAny = true;
        i++;
        while (i < line.length) {
          const c = line[i]!;
          if (o.escape !== o.quote && c === o.escape && i + 1 < line.length) {
            value += line[i + 1];
            i += 2;
          } else if (c === o.quote && o.escape === o.quote && line[i + 1] === o.quote) {
            value += o.quote;
            i += 2;
          } else if (c === o.quote) {
            i++;
            break;
          } else {
            value += c;
            i++;
          }
        }
      } else value += line[i++];
    }
    out.push(!quotedAny && value === o.null ? null : value);
    if (i >= line.length) return out;
    i += o.delimiter.length;
  }
}

/** The key values of a row: `positions` index its fields, `types` are the key columns'. */
export function rowKey(row: string, o: CopyOptions, positions: readonly number[], types: readonly SqlType[]): Value[] {
  // text format: only the fields up to the last key column are cut out and unescaped
  const fields = o.format === 'csv' ? rowFields(row, o) : textFields(row.replace(/\r?\n$/, ''), o, Math.max(...positions) + 1);
  return positions.map((p, k) => {
    const text = fields[p];
    if (text === undefined) throw new SqlError('22P04', 'missing data for column', { where: `COPY, line: ${row.replace(/\r?\n$/, '')}` });
    return text === null ? null : parseText(types[k]!, text);
  });
}

/** A value's text as one more field of a COPY row in `o`'s format (null: the NULL marker). */
export function copyField(text: string | null, o: CopyOptions): string {
  if (text === null) return o.null;
  if (o.format === 'csv') {
    const plain = text !== o.null && !text.includes(o.delimiter) && !text.includes(o.quote) && !/[\r\n]/.test(text) && text !== '\\.';
    if (plain) return text;
    let quoted = '';
    for (const ch of text) quoted += ch === o.quote || ch === o.escape ? o.escape + ch : ch;
    return o.quote + quoted + o.quote;
  }
  const escaped = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return o.delimiter === '\\' ? escaped : escaped.split(o.delimiter).join(`\\${o.delimiter}`);
}

/** A row (its line end kept) with `fields` appended, each already a field's text. */
export function appendFields(row: string, fields: readonly string[], o: CopyOptions): string {
  const end = /\r?\n$/.exec(row)?.[0] ?? '';
  return row.slice(0, row.length - end.length) + fields.map((f) => o.delimiter + f).join('') + end;
}
