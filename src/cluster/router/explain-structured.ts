/**
 * EXPLAIN (FORMAT YAML) and (FORMAT XML) through the shard router (fanout-explain.ts): the
 * shards explain in JSON, which is read here keeping each number's text (a shard's
 * `"Total Cost": 8.88`, `"Startup Cost": 0.00`), and the router's plan tree is written in
 * the client's format by the writers the single-node EXPLAIN uses (types/explain-formats.ts),
 * so a task's plan reads as that shard's own EXPLAIN in that format would.
 */
import { writeXml, writeYaml, type Json, type JsonObject } from '../../types/explain-formats.js';

export type StructuredFormat = 'yaml' | 'xml';

/** The whole EXPLAIN output of one statement in YAML or XML (one row, as PostgreSQL's). */
export function writeStructured(format: StructuredFormat, queries: readonly JsonObject[]): string {
  return format === 'yaml' ? writeYaml(queries) : writeXml(queries);
}

/**
 * What PostgreSQL's ExplainDummyGroup writes for a statement it did not plan (EXPLAIN of a
 * CREATE TABLE AS whose table exists, IF NOT EXISTS): `- "CREATE TABLE AS"`, `<CREATE-TABLE-AS />`.
 */
export function dummyGroup(format: StructuredFormat, name: string): string {
  if (format === 'yaml') return `- ${JSON.stringify(name)}`;
  return `<explain xmlns="http://www.postgresql.org/2009/explain">\n  <${name.replace(/[^A-Za-z0-9\-_.:]/g, '-')} />\n</explain>`;
}

/** A number as EXPLAIN writes it in YAML and XML: its digits as given (`0.00`, 3 decimals for times). */
export const fixed = (n: number, digits: number): { raw: string } => ({ raw: n.toFixed(digits) });

/** The value of a number read by parseExplainJson (or a plain one). */
export function numberOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null && 'raw' in v) return Number((v as { raw: string }).raw);
  return Number(v ?? 0);
}

/**
 * A shard's JSON EXPLAIN as a property tree whose numbers keep their text (`{ raw: '0.00' }`):
 * JSON.parse would make `0.00` into 0 and YAML would then print `0`, not PostgreSQL's `0.00`.
 */
export function parseExplainJson(text: string): Json {
  let i = 0;
  const fail = (): never => {
    throw new Error(`a shard's EXPLAIN (FORMAT JSON) could not be read at offset ${i}`);
  };
  const blank = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const value = (): Json => {
    blank();
    const c = text[i];
    if (c === '{') {
      i++;
      const o: JsonObject = {};
      blank();
      if (text[i] === '}') {
        i++;
        return o;
      }
      for (;;) {
        blank();
        const key = string();
        blank();
        if (text[i++] !== ':') fail();
        o[key] = value();
        blank();
        const next = text[i++];
        if (next === '}') return o;
        if (next !== ',') fail();
      }
    }
    if (c === '[') {
      i++;
      const items: Json[] = [];
      blank();
      if (text[i] === ']') {
        i++;
        return [] as string[];
      }
      for (;;) {
        items.push(value());
        blank();
        const next = text[i++];
        if (next === ']') return items as string[] | JsonObject[];
        if (next !== ',') fail();
      }
    }
    if (c === '"') return string();
    const literal = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!literal) return fail();
    i += literal[0].length;
    if (literal[0] === 'true' || literal[0] === 'false') return literal[0] === 'true';
    return { raw: literal[0] };
  };
  const string = (): string => {
    if (text[i] !== '"') fail();
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail();
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const out = value();
  blank();
  if (i !== text.length) fail();
  return out;
}
