/**
 * EXPLAIN's options, checked the way PostgreSQL's ExplainQuery does: booleans (ANALYZE,
 * VERBOSE, COSTS, SETTINGS, BUFFERS, WAL, TIMING, SUMMARY) and FORMAT; an unknown option
 * or value is an error with PostgreSQL's code and message.
 */
import { SqlError, SqlState } from '../errors.js';

export interface ExplainFlags {
  readonly analyze: boolean;
  readonly verbose: boolean;
  readonly costs: boolean;
  readonly timing: boolean;
  readonly summary: boolean;
  readonly format: 'text' | 'json' | 'yaml' | 'xml';
}

interface DefElemNode { DefElem?: { defname?: string; arg?: Record<string, Record<string, unknown>>; location?: number } }

const BOOLEAN_TEXT: Record<string, boolean> = { true: true, on: true, t: true, yes: true, y: true, 1: true, false: false, off: false, f: false, no: false, n: false, 0: false };

function argText(arg: Record<string, Record<string, unknown>> | undefined): string | number | undefined {
  if (!arg) return undefined;
  if (arg.String) return String(arg.String.sval ?? '');
  if (arg.Integer) return Number(arg.Integer.ival ?? 0);
  if (arg.Boolean) return arg.Boolean.boolval ? 'true' : 'false';
  if (arg.Float) return String(arg.Float.fval ?? '');
  return '';
}

/** defGetBoolean: no value means true. */
function booleanOption(name: string, value: string | number | undefined): boolean {
  if (value === undefined) return true;
  if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
  const b = BOOLEAN_TEXT[String(value).toLowerCase()];
  if (b === undefined || typeof value === 'number') throw new SqlError(SqlState.syntaxError, `${name} requires a Boolean value`);
  return b;
}

export function explainFlags(options: readonly unknown[] | undefined): ExplainFlags {
  const set: Record<string, boolean> = {};
  let format: ExplainFlags['format'] = 'text';
  for (const o of (options ?? []) as DefElemNode[]) {
    const d = o.DefElem;
    if (!d?.defname) continue;
    const value = argText(d.arg);
    const position = d.location !== undefined && d.location >= 0 ? { position: d.location + 1 } : {};
    switch (d.defname) {
      case 'analyze': case 'verbose': case 'costs': case 'settings': case 'buffers': case 'wal': case 'timing': case 'summary':
        set[d.defname] = booleanOption(d.defname, value);
        break;
      case 'format': {
        const f = String(value ?? '').toLowerCase();
        if (f === 'text' || f === 'json' || f === 'yaml' || f === 'xml') format = f;
        else throw new SqlError(SqlState.invalidParameterValue, `unrecognized value for EXPLAIN option "format": "${value ?? ''}"`, position);
        break;
      }
      default:
        throw new SqlError(SqlState.syntaxError, `unrecognized EXPLAIN option "${d.defname}"`, position);
    }
  }
  const analyze = set.analyze ?? false;
  if (set.wal && !analyze) throw new SqlError(SqlState.invalidParameterValue, 'EXPLAIN option WAL requires ANALYZE');
  if (set.timing && !analyze) throw new SqlError(SqlState.invalidParameterValue, 'EXPLAIN option TIMING requires ANALYZE');
  return { analyze, verbose: set.verbose ?? false, costs: set.costs ?? true, timing: set.timing ?? analyze, summary: set.summary ?? analyze, format };
}
