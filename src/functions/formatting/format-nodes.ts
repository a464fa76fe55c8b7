/**
 * The format-picture parser shared by to_char / to_timestamp / to_date / to_number: a port of
 * PostgreSQL 15's parse_format() with its keyword tables (DCH_keywords, NUM_keywords) and the
 * date/time suffixes (FM, TM prefixes; TH, th, SP postfixes).
 */

/** FROM_CHAR_DATE_*: which date convention a keyword belongs to (to_timestamp refuses a mix) */
export const enum DateMode { None = 0, Gregorian = 1, IsoWeek = 2 }

export interface KeyWord { readonly name: string; readonly id: string; readonly isDigit: boolean; readonly mode: DateMode }

export type NodeType = 'action' | 'char' | 'separator' | 'space';
export interface FormatNode { readonly type: NodeType; readonly key?: KeyWord; readonly chr: string; readonly suffix: number }

export const S_FM = 0x01, S_TH = 0x02, S_th = 0x04, S_SP = 0x08, S_TM = 0x10;

const kw = (name: string, id: string, isDigit: boolean, mode: DateMode = DateMode.None): KeyWord => ({ name, id, isDigit, mode });
const G = DateMode.Gregorian, I = DateMode.IsoWeek;

/** DCH_keywords, in PostgreSQL's order: longer spellings before their prefixes */
const DCH_KEYWORDS: KeyWord[] = [
  kw('A.D.', 'A_D', false), kw('A.M.', 'A_M', false), kw('AD', 'AD', false), kw('AM', 'AM', false),
  kw('B.C.', 'B_C', false), kw('BC', 'BC', false), kw('CC', 'CC', true),
  kw('DAY', 'DAY', false), kw('DDD', 'DDD', true, G), kw('DD', 'DD', true, G), kw('DY', 'DY', false), kw('Day', 'Day', false),
  kw('Dy', 'Dy', false), kw('D', 'D', true, G),
  kw('FF1', 'FF1', true), kw('FF2', 'FF2', true), kw('FF3', 'FF3', true), kw('FF4', 'FF4', true), kw('FF5', 'FF5', true), kw('FF6', 'FF6', true),
  kw('FX', 'FX', false), kw('HH24', 'HH24', true), kw('HH12', 'HH12', true), kw('HH', 'HH', true),
  kw('IDDD', 'IDDD', true, I), kw('ID', 'ID', true, I), kw('IW', 'IW', true, I), kw('IYYY', 'IYYY', true, I), kw('IYY', 'IYY', true, I),
  kw('IY', 'IY', true, I), kw('I', 'I', true, I), kw('J', 'J', true), kw('MI', 'MI', true), kw('MM', 'MM', true, G),
  kw('MONTH', 'MONTH', false, G), kw('MON', 'MON', false, G), kw('MS', 'MS', true), kw('Month', 'Month', false, G), kw('Mon', 'Mon', false, G),
  kw('OF', 'OF', false), kw('P.M.', 'P_M', false), kw('PM', 'PM', false), kw('Q', 'Q', true), kw('RM', 'RM', false, G),
  kw('SSSSS', 'SSSS', true), kw('SSSS', 'SSSS', true), kw('SS', 'SS', true), kw('TZH', 'TZH', false), kw('TZM', 'TZM', true), kw('TZ', 'TZ', false),
  kw('US', 'US', true), kw('WW', 'WW', true, G), kw('W', 'W', true, G),
  kw('Y,YYY', 'Y_YYY', true, G), kw('YYYY', 'YYYY', true, G), kw('YYY', 'YYY', true, G), kw('YY', 'YY', true, G), kw('Y', 'Y', true, G),
  kw('a.d.', 'a_d', false), kw('a.m.', 'a_m', false), kw('ad', 'ad', false), kw('am', 'am', false), kw('b.c.', 'b_c', false), kw('bc', 'bc', false),
  kw('cc', 'CC', true), kw('day', 'day', false), kw('ddd', 'DDD', true, G), kw('dd', 'DD', true, G), kw('dy', 'dy', false), kw('d', 'D', true, G),
  kw('ff1', 'FF1', true), kw('ff2', 'FF2', true), kw('ff3', 'FF3', true), kw('ff4', 'FF4', true), kw('ff5', 'FF5', true), kw('ff6', 'FF6', true),
  kw('fx', 'FX', false), kw('hh24', 'HH24', true), kw('hh12', 'HH12', true), kw('hh', 'HH', true),
  kw('iddd', 'IDDD', true, I), kw('id', 'ID', true, I), kw('iw', 'IW', true, I), kw('iyyy', 'IYYY', true, I), kw('iyy', 'IYY', true, I),
  kw('iy', 'IY', true, I), kw('i', 'I', true, I), kw('j', 'J', true), kw('mi', 'MI', true), kw('mm', 'MM', true, G),
  kw('month', 'month', false, G), kw('mon', 'mon', false, G), kw('ms', 'MS', true), kw('of', 'OF', false), kw('p.m.', 'p_m', false), kw('pm', 'pm', false),
  kw('q', 'Q', true), kw('rm', 'rm', false, G), kw('sssss', 'SSSS', true), kw('ssss', 'SSSS', true), kw('ss', 'SS', true),
  kw('tzh', 'TZH', false), kw('tzm', 'TZM', true), kw('tz', 'tz', false), kw('us', 'US', true), kw('ww', 'WW', true, G), kw('w', 'W', true, G),
  kw('y,yyy', 'Y_YYY', true, G), kw('yyyy', 'YYYY', true, G), kw('yyy', 'YYY', true, G), kw('yy', 'YY', true, G), kw('y', 'Y', true, G),
];

/** NUM_keywords: lower-case spellings mean the same, except rn and th */
const NUM_KEYWORDS: KeyWord[] = [
  ',', '.', '0', '9', 'B', 'C', 'D', 'EEEE', 'FM', 'G', 'L', 'MI', 'PL', 'PR', 'RN', 'SG', 'SP', 'S', 'TH', 'V',
  'b', 'c', 'd', 'eeee', 'fm', 'g', 'l', 'mi', 'pl', 'pr', 'rn', 'sg', 'sp', 's', 'th', 'v',
].map((n) => kw(n, n === 'rn' || n === 'th' ? n : n.toUpperCase(), false));

const DCH_PREFIXES: [string, number][] = [['FM', S_FM], ['fm', S_FM], ['TM', S_TM], ['tm', S_TM]];
const DCH_POSTFIXES: [string, number][] = [['TH', S_TH], ['th', S_th], ['SP', S_SP]];

/** index_seq_search: the first keyword, among those sharing the first character, that prefixes str */
function keywordAt(str: string, i: number, list: readonly KeyWord[]): KeyWord | undefined {
  const c = str.charCodeAt(i);
  if (c <= 32 || c >= 126) return undefined;
  for (const k of list) if (k.name.charCodeAt(0) === c && str.startsWith(k.name, i)) return k;
  return undefined;
}

/** ASCII printable, not a letter or digit */
export function isSeparatorChar(c: string | undefined): boolean {
  return c !== undefined && c.length === 1 && c > ' ' && c < '\x7f' && !/[A-Za-z0-9]/.test(c);
}
export const isSpace = (c: string | undefined): boolean => c !== undefined && /^[ \t\n\v\f\r]$/.test(c);

/** the code point at i, as a string (a character may take two UTF-16 units) */
export function charAt(s: string, i: number): string {
  const cp = s.codePointAt(i);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

function parseFormat(str: string, dch: boolean, onKeyword?: (n: FormatNode) => void): FormatNode[] {
  const nodes: FormatNode[] = [];
  const list = dch ? DCH_KEYWORDS : NUM_KEYWORDS;
  let i = 0;
  while (i < str.length) {
    let suffix = 0;
    if (dch) {
      const p = DCH_PREFIXES.find(([s]) => str.startsWith(s, i));
      if (p) { suffix |= p[1]; i += 2; }
    }
    const key = i < str.length ? keywordAt(str, i, list) : undefined;
    if (key) {
      i += key.name.length;
      if (dch && i < str.length) {
        const p = DCH_POSTFIXES.find(([s]) => str.startsWith(s, i));
        if (p) { suffix |= p[1]; i += 2; }
      }
      const node: FormatNode = { type: 'action', key, chr: '', suffix };
      onKeyword?.(node);
      nodes.push(node);
    } else if (i < str.length) {
      if (str[i] === '"') {
        // a double-quoted literal; backslash quotes the next character
        i++;
        while (i < str.length) {
          if (str[i] === '"') { i++; break; }
          if (str[i] === '\\' && i + 1 < str.length) i++;
          const ch = charAt(str, i);
          nodes.push({ type: 'char', chr: ch, suffix: 0 });
          i += ch.length;
        }
      } else {
        // outside quotes a backslash only escapes a double quote
        if (str[i] === '\\' && str[i + 1] === '"') i++;
        const ch = charAt(str, i);
        const type: NodeType = dch && isSeparatorChar(ch) ? 'separator' : isSpace(ch) ? 'space' : 'char';
        nodes.push({ type, chr: ch, suffix: 0 });
        i += ch.length;
      }
    }
  }
  return nodes;
}

const dchCache = new Map<string, FormatNode[]>();
/** the parsed date/time picture, cached like DCH_cache_fetch */
export function dchFormat(fmt: string): FormatNode[] {
  let nodes = dchCache.get(fmt);
  if (!nodes) {
    nodes = parseFormat(fmt, true);
    if (dchCache.size > 256) dchCache.clear();
    dchCache.set(fmt, nodes);
  }
  return nodes;
}

/** the number picture; onKeyword runs NUMDesc_prepare as each keyword is found (its errors stop the parse) */
export function numFormat(fmt: string, onKeyword: (n: FormatNode) => void): FormatNode[] {
  return parseFormat(fmt, false, onKeyword);
}
