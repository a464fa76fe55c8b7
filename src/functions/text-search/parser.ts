/**
 * PostgreSQL's default text search parser (src/backend/tsearch/wparser_def.c): the same
 * state machine, state by state and rule by rule, over the code points of the input.
 * Character classes follow a UTF-8 database with a glibc C.UTF-8 ctype (ctype.ts).
 */
import { isWideAlpha, isWideSpecial } from './ctype.js';

export const TOKEN_TYPES = [
  '', 'asciiword', 'word', 'numword', 'email', 'url', 'host', 'sfloat', 'version', 'hword_numpart', 'hword_part',
  'hword_asciipart', 'blank', 'tag', 'protocol', 'numhword', 'asciihword', 'hword', 'url_path', 'file', 'float', 'int',
  'uint', 'entity',
] as const;

export const TOKEN_DESCRIPTIONS = [
  '', 'Word, all ASCII', 'Word, all letters', 'Word, letters and digits', 'Email address', 'URL', 'Host',
  'Scientific notation', 'Version number', 'Hyphenated word part, letters and digits', 'Hyphenated word part, all letters',
  'Hyphenated word part, all ASCII', 'Space symbols', 'XML tag', 'Protocol head', 'Hyphenated word, letters and digits',
  'Hyphenated word, all ASCII', 'Hyphenated word, all letters', 'URL path', 'File or path name', 'Decimal notation',
  'Signed integer', 'Unsigned integer', 'XML entity',
] as const;

const ASCIIWORD = 1, WORD_T = 2, NUMWORD = 3, EMAIL = 4, URL_T = 5, HOST = 6, SCIENTIFIC = 7, VERSIONNUMBER = 8,
  NUMPARTHWORD = 9, PARTHWORD = 10, ASCIIPARTHWORD = 11, SPACE = 12, TAG_T = 13, PROTOCOL = 14, NUMHWORD = 15,
  ASCIIHWORD = 16, HWORD = 17, URLPATH = 18, FILEPATH = 19, DECIMAL = 20, SIGNEDINT = 21, UNSIGNEDINT = 22, XMLENTITY = 23;

const A_NEXT = 0, A_BINGO = 1, A_POP = 2, A_PUSH = 4, A_RERUN = 8, A_CLEAR = 16, A_MERGE = 32, A_CLRALL = 64;

interface Position {
  pos: number;
  /** 0 at the end of input, else 1 */
  charlen: number;
  len: number;
  state: number;
  prev: Position | undefined;
  pushedAt: number;
}

interface Parser {
  cps: number[];
  start: number;
  state: Position;
  ignore: boolean;
  wanthost: boolean;
  c: number;
  tokenStart: number;
  tokenLen: number;
  type: number;
}

type Test = ((p: Parser) => boolean) | null;
type Special = ((p: Parser) => void) | null;
interface Item { test: Test; c: number; flags: number; to: number; type: number; special: Special }

const cur = (p: Parser): number => p.cps[p.start + p.state.pos] ?? 0;
const SPACE_RE = /\s/u;
const ch = (p: Parser): string => String.fromCodePoint(cur(p));

const isEOF = (p: Parser): boolean => p.state.pos >= p.cps.length - p.start || p.state.charlen === 0;
const isAlpha = (p: Parser): boolean => { const c = cur(p); return c < 128 ? (c >= 65 && c <= 90) || (c >= 97 && c <= 122) : isWideAlpha(c); };
const isDigit = (p: Parser): boolean => { const c = cur(p); return c >= 48 && c <= 57; };
// glibc's iswalnum is iswalpha plus the ASCII digits
const isAlnum = (p: Parser): boolean => isAlpha(p) || isDigit(p);
const isNotAlnum = (p: Parser): boolean => !isAlnum(p);
const isSpace = (p: Parser): boolean => { const c = cur(p); return c < 128 ? c === 32 || (c >= 9 && c <= 13) : SPACE_RE.test(ch(p)); };
/** p_isurlchar: printable ASCII except what RFC 3986 disallows in URLs */
const isUrlChar = (p: Parser): boolean => {
  const c = cur(p);
  return p.state.charlen === 1 && c > 0x20 && c < 0x7f && !'"<>\\^`{|}'.includes(String.fromCharCode(c));
};
const isXdigit = (p: Parser): boolean => { const c = cur(p); return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102); };
const isEqC = (p: Parser): boolean => p.state.charlen === 1 && cur(p) === p.c;
const isAscLet = (p: Parser): boolean => { const c = cur(p); return (c >= 65 && c <= 90) || (c >= 97 && c <= 122); };
const isSpecial = (p: Parser): boolean => cur(p) >= 128 && isWideSpecial(cur(p));
const isIgnore = (p: Parser): boolean => p.ignore;
const isStopHost = (p: Parser): boolean => {
  if (p.wanthost) { p.wanthost = false; return true; }
  return false;
};

/** a parser over the rest of p's input from its current position */
function copyOf(p: Parser): Parser {
  return newParser(p.cps, p.start + p.state.pos);
}

function isHost(p: Parser): boolean {
  const t = copyOf(p);
  t.wanthost = true;
  if (getToken(t) && t.type === HOST) {
    p.state.pos += t.tokenLen;
    p.state.len += t.tokenLen;
    p.state.charlen = t.state.charlen;
    return true;
  }
  return false;
}

function isURLPath(p: Parser): boolean {
  const t = copyOf(p);
  t.state = newPosition(t.state);
  t.state.state = S.InURLPathFirst;
  if (getToken(t) && t.type === URLPATH) {
    p.state.pos += t.tokenLen;
    p.state.len += t.tokenLen;
    p.state.charlen = t.state.charlen;
    return true;
  }
  return false;
}

function specialTags(p: Parser): void {
  const tok = String.fromCodePoint(...p.cps.slice(p.tokenStart, p.tokenStart + p.state.len)).toLowerCase();
  switch (p.state.len) {
    case 8: if (tok.startsWith('</script')) p.ignore = false; break;
    case 7: if (tok.startsWith('</style')) p.ignore = false; else if (tok.startsWith('<script')) p.ignore = true; break;
    case 6: if (tok.startsWith('<style')) p.ignore = true; break;
  }
}
function specialFURL(p: Parser): void {
  p.wanthost = true;
  p.state.pos -= p.state.len;
}
function specialHyphen(p: Parser): void {
  p.state.pos -= p.state.len;
}
function specialVerVersion(p: Parser): void {
  p.state.pos -= p.state.len;
  p.state.len = 0;
}

const S = {
  Base: 0, InNumWord: 1, InAsciiWord: 2, InWord: 3, InUnsignedInt: 4, InSignedIntFirst: 5, InSignedInt: 6, InSpace: 7,
  InUDecimalFirst: 8, InUDecimal: 9, InDecimalFirst: 10, InDecimal: 11, InVerVersion: 12, InSVerVersion: 13,
  InVersionFirst: 14, InVersion: 15, InMantissaFirst: 16, InMantissaSign: 17, InMantissa: 18, InXMLEntityFirst: 19,
  InXMLEntity: 20, InXMLEntityNumFirst: 21, InXMLEntityNum: 22, InXMLEntityHexNumFirst: 23, InXMLEntityHexNum: 24,
  InXMLEntityEnd: 25, InTagFirst: 26, InXMLBegin: 27, InTagCloseFirst: 28, InTagName: 29, InTagBeginEnd: 30, InTag: 31,
  InTagEscapeK: 32, InTagEscapeKK: 33, InTagBackSleshed: 34, InTagEnd: 35, InCommentFirst: 36, InCommentLast: 37,
  InComment: 38, InCloseCommentFirst: 39, InCloseCommentLast: 40, InCommentEnd: 41, InHostFirstDomain: 42,
  InHostDomainSecond: 43, InHostDomain: 44, InPortFirst: 45, InPort: 46, InHostFirstAN: 47, InHost: 48, InEmail: 49,
  InFileFirst: 50, InFileTwiddle: 51, InPathFirst: 52, InPathFirstFirst: 53, InPathSecond: 54, InFile: 55, InFileNext: 56,
  InURLPathFirst: 57, InURLPathStart: 58, InURLPath: 59, InFURL: 60, InProtocolFirst: 61, InProtocolSecond: 62,
  InProtocolEnd: 63, InHyphenAsciiWordFirst: 64, InHyphenAsciiWord: 65, InHyphenWordFirst: 66, InHyphenWord: 67,
  InHyphenNumWordFirst: 68, InHyphenNumWord: 69, InHyphenDigitLookahead: 70, InParseHyphen: 71, InParseHyphenHyphen: 72,
  InHyphenWordPart: 73, InHyphenAsciiWordPart: 74, InHyphenNumWordPart: 75, InHyphenUnsignedInt: 76, Null: 77,
} as const;

const N = S.Null;
const it = (test: Test, c: string | 0, flags: number, to: number, type = 0, special: Special = null): Item =>
  ({ test, c: c === 0 ? 0 : c.codePointAt(0)!, flags, to, type, special });
const eq = (c: string, flags: number, to: number, type = 0, special: Special = null): Item => it(isEqC, c, flags, to, type, special);

const ACTIONS: Item[][] = [];
ACTIONS[S.Base] = [
  it(isEOF, 0, A_NEXT, N), eq('<', A_PUSH, S.InTagFirst), it(isIgnore, 0, A_NEXT, S.InSpace), it(isAscLet, 0, A_NEXT, S.InAsciiWord),
  it(isAlpha, 0, A_NEXT, S.InWord), it(isDigit, 0, A_NEXT, S.InUnsignedInt), eq('-', A_PUSH, S.InSignedIntFirst),
  eq('+', A_PUSH, S.InSignedIntFirst), eq('&', A_PUSH, S.InXMLEntityFirst), eq('~', A_PUSH, S.InFileTwiddle),
  eq('/', A_PUSH, S.InFileFirst), eq('.', A_PUSH, S.InPathFirstFirst), it(null, 0, A_NEXT, S.InSpace),
];
ACTIONS[S.InNumWord] = [
  it(isEOF, 0, A_BINGO, S.Base, NUMWORD), it(isAlnum, 0, A_NEXT, S.InNumWord), it(isSpecial, 0, A_NEXT, S.InNumWord),
  eq('@', A_PUSH, S.InEmail), eq('/', A_PUSH, S.InFileFirst), eq('.', A_PUSH, S.InFileNext),
  eq('-', A_PUSH, S.InHyphenNumWordFirst), it(null, 0, A_BINGO, S.Base, NUMWORD),
];
ACTIONS[S.InAsciiWord] = [
  it(isEOF, 0, A_BINGO, S.Base, ASCIIWORD), it(isAscLet, 0, A_NEXT, N), eq('.', A_PUSH, S.InHostFirstDomain),
  eq('.', A_PUSH, S.InFileNext), eq('-', A_PUSH, S.InHostFirstAN), eq('-', A_PUSH, S.InHyphenAsciiWordFirst),
  eq('_', A_PUSH, S.InHostFirstAN), eq('@', A_PUSH, S.InEmail), eq(':', A_PUSH, S.InProtocolFirst), eq('/', A_PUSH, S.InFileFirst),
  it(isDigit, 0, A_PUSH, S.InHost), it(isDigit, 0, A_NEXT, S.InNumWord), it(isAlpha, 0, A_NEXT, S.InWord),
  it(isSpecial, 0, A_NEXT, S.InWord), it(null, 0, A_BINGO, S.Base, ASCIIWORD),
];
ACTIONS[S.InWord] = [
  it(isEOF, 0, A_BINGO, S.Base, WORD_T), it(isAlpha, 0, A_NEXT, N), it(isSpecial, 0, A_NEXT, N), it(isDigit, 0, A_NEXT, S.InNumWord),
  eq('-', A_PUSH, S.InHyphenWordFirst), it(null, 0, A_BINGO, S.Base, WORD_T),
];
ACTIONS[S.InUnsignedInt] = [
  it(isEOF, 0, A_BINGO, S.Base, UNSIGNEDINT), it(isDigit, 0, A_NEXT, N), eq('.', A_PUSH, S.InHostFirstDomain),
  eq('.', A_PUSH, S.InUDecimalFirst), eq('e', A_PUSH, S.InMantissaFirst), eq('E', A_PUSH, S.InMantissaFirst),
  eq('-', A_PUSH, S.InHostFirstAN), eq('_', A_PUSH, S.InHostFirstAN), eq('@', A_PUSH, S.InEmail),
  it(isAscLet, 0, A_PUSH, S.InHost), it(isAlpha, 0, A_NEXT, S.InNumWord), it(isSpecial, 0, A_NEXT, S.InNumWord),
  eq('/', A_PUSH, S.InFileFirst), it(null, 0, A_BINGO, S.Base, UNSIGNEDINT),
];
ACTIONS[S.InSignedIntFirst] = [it(isEOF, 0, A_POP, N), it(isDigit, 0, A_NEXT | A_CLEAR, S.InSignedInt), it(null, 0, A_POP, N)];
ACTIONS[S.InSignedInt] = [
  it(isEOF, 0, A_BINGO, S.Base, SIGNEDINT), it(isDigit, 0, A_NEXT, N), eq('.', A_PUSH, S.InDecimalFirst),
  eq('e', A_PUSH, S.InMantissaFirst), eq('E', A_PUSH, S.InMantissaFirst), it(null, 0, A_BINGO, S.Base, SIGNEDINT),
];
ACTIONS[S.InSpace] = [
  it(isEOF, 0, A_BINGO, S.Base, SPACE), eq('<', A_BINGO, S.Base, SPACE), it(isIgnore, 0, A_NEXT, N), eq('-', A_BINGO, S.Base, SPACE),
  eq('+', A_BINGO, S.Base, SPACE), eq('&', A_BINGO, S.Base, SPACE), eq('/', A_BINGO, S.Base, SPACE),
  it(isNotAlnum, 0, A_NEXT, S.InSpace), it(null, 0, A_BINGO, S.Base, SPACE),
];
ACTIONS[S.InUDecimalFirst] = [it(isEOF, 0, A_POP, N), it(isDigit, 0, A_CLEAR, S.InUDecimal), it(null, 0, A_POP, N)];
ACTIONS[S.InUDecimal] = [
  it(isEOF, 0, A_BINGO, S.Base, DECIMAL), it(isDigit, 0, A_NEXT, S.InUDecimal), eq('.', A_PUSH, S.InVersionFirst),
  eq('e', A_PUSH, S.InMantissaFirst), eq('E', A_PUSH, S.InMantissaFirst), it(null, 0, A_BINGO, S.Base, DECIMAL),
];
ACTIONS[S.InDecimalFirst] = [it(isEOF, 0, A_POP, N), it(isDigit, 0, A_CLEAR, S.InDecimal), it(null, 0, A_POP, N)];
ACTIONS[S.InDecimal] = [
  it(isEOF, 0, A_BINGO, S.Base, DECIMAL), it(isDigit, 0, A_NEXT, S.InDecimal), eq('.', A_PUSH, S.InVerVersion),
  eq('e', A_PUSH, S.InMantissaFirst), eq('E', A_PUSH, S.InMantissaFirst), it(null, 0, A_BINGO, S.Base, DECIMAL),
];
ACTIONS[S.InVerVersion] = [it(isEOF, 0, A_POP, N), it(isDigit, 0, A_RERUN, S.InSVerVersion, 0, specialVerVersion), it(null, 0, A_POP, N)];
ACTIONS[S.InSVerVersion] = [it(isEOF, 0, A_POP, N), it(isDigit, 0, A_BINGO | A_CLRALL, S.InUnsignedInt, SPACE), it(null, 0, A_NEXT, N)];
ACTIONS[S.InVersionFirst] = [it(isEOF, 0, A_POP, N), it(isDigit, 0, A_CLEAR, S.InVersion), it(null, 0, A_POP, N)];
ACTIONS[S.InVersion] = [
  it(isEOF, 0, A_BINGO, S.Base, VERSIONNUMBER), it(isDigit, 0, A_NEXT, S.InVersion), eq('.', A_PUSH, S.InVersionFirst),
  it(null, 0, A_BINGO, S.Base, VERSIONNUMBER),
];
ACTIONS[S.InMantissaFirst] = [
  it(isEOF, 0, A_POP, N), it(isDigit, 0, A_CLEAR, S.InMantissa), eq('+', A_NEXT, S.InMantissaSign), eq('-', A_NEXT, S.InMantissaSign),
  it(null, 0, A_POP, N),
];
ACTIONS[S.InMantissaSign] = [it(isEOF, 0, A_POP, N), it(isDigit, 0, A_CLEAR, S.InMantissa), it(null, 0, A_POP, N)];
ACTIONS[S.InMantissa] = [it(isEOF, 0, A_BINGO, S.Base, SCIENTIFIC), it(isDigit, 0, A_NEXT, S.InMantissa), it(null, 0, A_BINGO, S.Base, SCIENTIFIC)];
ACTIONS[S.InXMLEntityFirst] = [
  it(isEOF, 0, A_POP, N), eq('#', A_NEXT, S.InXMLEntityNumFirst), it(isAscLet, 0, A_NEXT, S.InXMLEntity), eq(':', A_NEXT, S.InXMLEntity),
  eq('_', A_NEXT, S.InXMLEntity), it(null, 0, A_POP, N),
];
ACTIONS[S.InXMLEntity] = [
  it(isEOF, 0, A_POP, N), it(isAlnum, 0, A_NEXT, S.InXMLEntity), eq(':', A_NEXT, S.InXMLEntity), eq('_', A_NEXT, S.InXMLEntity),
  eq('.', A_NEXT, S.InXMLEntity), eq('-', A_NEXT, S.InXMLEntity), eq(';', A_NEXT, S.InXMLEntityEnd), it(null, 0, A_POP, N),
];
ACTIONS[S.InXMLEntityNumFirst] = [
  it(isEOF, 0, A_POP, N), eq('x', A_NEXT, S.InXMLEntityHexNumFirst), eq('X', A_NEXT, S.InXMLEntityHexNumFirst),
  it(isDigit, 0, A_NEXT, S.InXMLEntityNum), it(null, 0, A_POP, N),
];
ACTIONS[S.InXMLEntityHexNumFirst] = [it(isEOF, 0, A_POP, N), it(isXdigit, 0, A_NEXT, S.InXMLEntityHexNum), it(null, 0, A_POP, N)];
ACTIONS[S.InXMLEntityNum] = [it(isEOF, 0, A_POP, N), it(isDigit, 0, A_NEXT, S.InXMLEntityNum), eq(';', A_NEXT, S.InXMLEntityEnd), it(null, 0, A_POP, N)];
ACTIONS[S.InXMLEntityHexNum] = [it(isEOF, 0, A_POP, N), it(isXdigit, 0, A_NEXT, S.InXMLEntityHexNum), eq(';', A_NEXT, S.InXMLEntityEnd), it(null, 0, A_POP, N)];
ACTIONS[S.InXMLEntityEnd] = [it(null, 0, A_BINGO | A_CLEAR, S.Base, XMLENTITY)];
ACTIONS[S.InTagFirst] = [
  it(isEOF, 0, A_POP, N), eq('/', A_PUSH, S.InTagCloseFirst), eq('!', A_PUSH, S.InCommentFirst), eq('?', A_PUSH, S.InXMLBegin),
  it(isAscLet, 0, A_PUSH, S.InTagName), eq(':', A_PUSH, S.InTagName), eq('_', A_PUSH, S.InTagName), it(null, 0, A_POP, N),
];
ACTIONS[S.InXMLBegin] = [it(isEOF, 0, A_POP, N), eq('x', A_NEXT, S.InTag), it(null, 0, A_POP, N)];
ACTIONS[S.InTagCloseFirst] = [it(isEOF, 0, A_POP, N), it(isAscLet, 0, A_NEXT, S.InTagName), it(null, 0, A_POP, N)];
ACTIONS[S.InTagName] = [
  it(isEOF, 0, A_POP, N), eq('/', A_NEXT, S.InTagBeginEnd), eq('>', A_NEXT, S.InTagEnd, 0, specialTags),
  it(isSpace, 0, A_NEXT, S.InTag, 0, specialTags), it(isAlnum, 0, A_NEXT, N), eq(':', A_NEXT, N), eq('_', A_NEXT, N),
  eq('.', A_NEXT, N), eq('-', A_NEXT, N), it(null, 0, A_POP, N),
];
ACTIONS[S.InTagBeginEnd] = [it(isEOF, 0, A_POP, N), eq('>', A_NEXT, S.InTagEnd), it(null, 0, A_POP, N)];
ACTIONS[S.InTag] = [
  it(isEOF, 0, A_POP, N), eq('>', A_NEXT, S.InTagEnd, 0, specialTags), eq("'", A_NEXT, S.InTagEscapeK), eq('"', A_NEXT, S.InTagEscapeKK),
  it(isAscLet, 0, A_NEXT, N), it(isDigit, 0, A_NEXT, N), eq('=', A_NEXT, N), eq('-', A_NEXT, N), eq('_', A_NEXT, N), eq('#', A_NEXT, N),
  eq('/', A_NEXT, N), eq(':', A_NEXT, N), eq('.', A_NEXT, N), eq('&', A_NEXT, N), eq('?', A_NEXT, N), eq('%', A_NEXT, N),
  eq('~', A_NEXT, N), it(isSpace, 0, A_NEXT, N, 0, specialTags), it(null, 0, A_POP, N),
];
ACTIONS[S.InTagEscapeK] = [it(isEOF, 0, A_POP, N), eq('\\', A_PUSH, S.InTagBackSleshed), eq("'", A_NEXT, S.InTag), it(null, 0, A_NEXT, S.InTagEscapeK)];
ACTIONS[S.InTagEscapeKK] = [it(isEOF, 0, A_POP, N), eq('\\', A_PUSH, S.InTagBackSleshed), eq('"', A_NEXT, S.InTag), it(null, 0, A_NEXT, S.InTagEscapeKK)];
ACTIONS[S.InTagBackSleshed] = [it(isEOF, 0, A_POP, N), it(null, 0, A_MERGE, N)];
ACTIONS[S.InTagEnd] = [it(null, 0, A_BINGO | A_CLRALL, S.Base, TAG_T)];
ACTIONS[S.InCommentFirst] = [
  it(isEOF, 0, A_POP, N), eq('-', A_NEXT, S.InCommentLast), eq('D', A_NEXT, S.InTag), eq('d', A_NEXT, S.InTag), it(null, 0, A_POP, N),
];
ACTIONS[S.InCommentLast] = [it(isEOF, 0, A_POP, N), eq('-', A_NEXT, S.InComment), it(null, 0, A_POP, N)];
ACTIONS[S.InComment] = [it(isEOF, 0, A_POP, N), eq('-', A_NEXT, S.InCloseCommentFirst), it(null, 0, A_NEXT, N)];
ACTIONS[S.InCloseCommentFirst] = [it(isEOF, 0, A_POP, N), eq('-', A_NEXT, S.InCloseCommentLast), it(null, 0, A_NEXT, S.InComment)];
ACTIONS[S.InCloseCommentLast] = [it(isEOF, 0, A_POP, N), eq('-', A_NEXT, N), eq('>', A_NEXT, S.InCommentEnd), it(null, 0, A_NEXT, S.InComment)];
ACTIONS[S.InCommentEnd] = [it(null, 0, A_BINGO | A_CLRALL, S.Base, TAG_T)];
ACTIONS[S.InHostFirstDomain] = [it(isEOF, 0, A_POP, N), it(isAscLet, 0, A_NEXT, S.InHostDomainSecond), it(isDigit, 0, A_NEXT, S.InHost), it(null, 0, A_POP, N)];
ACTIONS[S.InHostDomainSecond] = [
  it(isEOF, 0, A_POP, N), it(isAscLet, 0, A_NEXT, S.InHostDomain), it(isDigit, 0, A_PUSH, S.InHost), eq('-', A_PUSH, S.InHostFirstAN),
  eq('_', A_PUSH, S.InHostFirstAN), eq('.', A_PUSH, S.InHostFirstDomain), eq('@', A_PUSH, S.InEmail), it(null, 0, A_POP, N),
];
ACTIONS[S.InHostDomain] = [
  it(isEOF, 0, A_BINGO | A_CLRALL, S.Base, HOST), it(isAscLet, 0, A_NEXT, S.InHostDomain), it(isDigit, 0, A_PUSH, S.InHost),
  eq(':', A_PUSH, S.InPortFirst), eq('-', A_PUSH, S.InHostFirstAN), eq('_', A_PUSH, S.InHostFirstAN), eq('.', A_PUSH, S.InHostFirstDomain),
  eq('@', A_PUSH, S.InEmail), it(isDigit, 0, A_POP, N), it(isStopHost, 0, A_BINGO | A_CLRALL, S.InURLPathStart, HOST),
  eq('/', A_PUSH, S.InFURL), it(null, 0, A_BINGO | A_CLRALL, S.Base, HOST),
];
ACTIONS[S.InPortFirst] = [it(isEOF, 0, A_POP, N), it(isDigit, 0, A_NEXT, S.InPort), it(null, 0, A_POP, N)];
ACTIONS[S.InPort] = [
  it(isEOF, 0, A_BINGO | A_CLRALL, S.Base, HOST), it(isDigit, 0, A_NEXT, S.InPort), it(isStopHost, 0, A_BINGO | A_CLRALL, S.InURLPathStart, HOST),
  eq('/', A_PUSH, S.InFURL), it(null, 0, A_BINGO | A_CLRALL, S.Base, HOST),
];
ACTIONS[S.InHostFirstAN] = [it(isEOF, 0, A_POP, N), it(isDigit, 0, A_NEXT, S.InHost), it(isAscLet, 0, A_NEXT, S.InHost), it(null, 0, A_POP, N)];
ACTIONS[S.InHost] = [
  it(isEOF, 0, A_POP, N), it(isDigit, 0, A_NEXT, S.InHost), it(isAscLet, 0, A_NEXT, S.InHost), eq('@', A_PUSH, S.InEmail),
  eq('.', A_PUSH, S.InHostFirstDomain), eq('-', A_PUSH, S.InHostFirstAN), eq('_', A_PUSH, S.InHostFirstAN), it(null, 0, A_POP, N),
];
ACTIONS[S.InEmail] = [it(isStopHost, 0, A_POP, N), it(isHost, 0, A_BINGO | A_CLRALL, S.Base, EMAIL), it(null, 0, A_POP, N)];
ACTIONS[S.InFileFirst] = [
  it(isEOF, 0, A_POP, N), it(isAscLet, 0, A_NEXT, S.InFile), it(isDigit, 0, A_NEXT, S.InFile), eq('.', A_NEXT, S.InPathFirst),
  eq('_', A_NEXT, S.InFile), eq('~', A_PUSH, S.InFileTwiddle), it(null, 0, A_POP, N),
];
ACTIONS[S.InFileTwiddle] = [
  it(isEOF, 0, A_POP, N), it(isAscLet, 0, A_NEXT, S.InFile), it(isDigit, 0, A_NEXT, S.InFile), eq('_', A_NEXT, S.InFile),
  eq('/', A_NEXT, S.InFileFirst), it(null, 0, A_POP, N),
];
ACTIONS[S.InPathFirst] = [
  it(isEOF, 0, A_POP, N), it(isAscLet, 0, A_NEXT, S.InFile), it(isDigit, 0, A_NEXT, S.InFile), eq('_', A_NEXT, S.InFile),
  eq('.', A_NEXT, S.InPathSecond), eq('/', A_NEXT, S.InFileFirst), it(null, 0, A_POP, N),
];
ACTIONS[S.InPathFirstFirst] = [it(isEOF, 0, A_POP, N), eq('.', A_NEXT, S.InPathSecond), eq('/', A_NEXT, S.InFileFirst), it(null, 0, A_POP, N)];
ACTIONS[S.InPathSecond] = [
  it(isEOF, 0, A_BINGO | A_CLEAR, S.Base, FILEPATH), eq('/', A_NEXT | A_PUSH, S.InFileFirst), eq('/', A_BINGO | A_CLEAR, S.Base, FILEPATH),
  it(isSpace, 0, A_BINGO | A_CLEAR, S.Base, FILEPATH), it(null, 0, A_POP, N),
];
ACTIONS[S.InFile] = [
  it(isEOF, 0, A_BINGO, S.Base, FILEPATH), it(isAscLet, 0, A_NEXT, S.InFile), it(isDigit, 0, A_NEXT, S.InFile), eq('.', A_PUSH, S.InFileNext),
  eq('_', A_NEXT, S.InFile), eq('-', A_NEXT, S.InFile), eq('/', A_PUSH, S.InFileFirst),
  it(null, 0, A_BINGO, S.Base, FILEPATH),
];
ACTIONS[S.InFileNext] = [
  it(isEOF, 0, A_POP, N), it(isAscLet, 0, A_CLEAR, S.InFile), it(isDigit, 0, A_CLEAR, S.InFile), eq('_', A_CLEAR, S.InFile), it(null, 0, A_POP, N),
];
ACTIONS[S.InURLPathFirst] = [it(isEOF, 0, A_POP, N), it(isUrlChar, 0, A_CLEAR, S.InURLPath), it(null, 0, A_POP, N)];
ACTIONS[S.InURLPathStart] = [it(null, 0, A_NEXT, S.InURLPath)];
ACTIONS[S.InURLPath] = [it(isEOF, 0, A_BINGO, S.Base, URLPATH), it(isUrlChar, 0, A_NEXT, S.InURLPath), it(null, 0, A_BINGO, S.Base, URLPATH)];
ACTIONS[S.InFURL] = [it(isEOF, 0, A_POP, N), it(isURLPath, 0, A_BINGO | A_CLRALL, S.Base, URL_T, specialFURL), it(null, 0, A_POP, N)];
ACTIONS[S.InProtocolFirst] = [it(isEOF, 0, A_POP, N), eq('/', A_NEXT, S.InProtocolSecond), it(null, 0, A_POP, N)];
ACTIONS[S.InProtocolSecond] = [it(isEOF, 0, A_POP, N), eq('/', A_NEXT, S.InProtocolEnd), it(null, 0, A_POP, N)];
ACTIONS[S.InProtocolEnd] = [it(null, 0, A_BINGO | A_CLRALL, S.Base, PROTOCOL)];
ACTIONS[S.InHyphenAsciiWordFirst] = [
  it(isEOF, 0, A_POP, N), it(isAscLet, 0, A_NEXT, S.InHyphenAsciiWord), it(isAlpha, 0, A_NEXT, S.InHyphenWord),
  it(isDigit, 0, A_NEXT, S.InHyphenDigitLookahead), it(null, 0, A_POP, N),
];
ACTIONS[S.InHyphenAsciiWord] = [
  it(isEOF, 0, A_BINGO | A_CLRALL, S.InParseHyphen, ASCIIHWORD, specialHyphen), it(isAscLet, 0, A_NEXT, S.InHyphenAsciiWord),
  it(isAlpha, 0, A_NEXT, S.InHyphenWord), it(isSpecial, 0, A_NEXT, S.InHyphenWord), it(isDigit, 0, A_NEXT, S.InHyphenNumWord),
  eq('-', A_PUSH, S.InHyphenAsciiWordFirst), it(null, 0, A_BINGO | A_CLRALL, S.InParseHyphen, ASCIIHWORD, specialHyphen),
];
ACTIONS[S.InHyphenWordFirst] = [
  it(isEOF, 0, A_POP, N), it(isAlpha, 0, A_NEXT, S.InHyphenWord), it(isSpecial, 0, A_NEXT, S.InHyphenWord),
  it(isDigit, 0, A_NEXT, S.InHyphenDigitLookahead), it(null, 0, A_POP, N),
];
ACTIONS[S.InHyphenWord] = [
  it(isEOF, 0, A_BINGO | A_CLRALL, S.InParseHyphen, HWORD, specialHyphen), it(isAlpha, 0, A_NEXT, S.InHyphenWord),
  it(isSpecial, 0, A_NEXT, S.InHyphenWord), it(isDigit, 0, A_NEXT, S.InHyphenNumWord), eq('-', A_PUSH, S.InHyphenWordFirst),
  it(null, 0, A_BINGO | A_CLRALL, S.InParseHyphen, HWORD, specialHyphen),
];
ACTIONS[S.InHyphenNumWordFirst] = [
  it(isEOF, 0, A_POP, N), it(isAlpha, 0, A_NEXT, S.InHyphenNumWord), it(isSpecial, 0, A_NEXT, S.InHyphenNumWord),
  it(isDigit, 0, A_NEXT, S.InHyphenDigitLookahead), it(null, 0, A_POP, N),
];
ACTIONS[S.InHyphenNumWord] = [
  it(isEOF, 0, A_BINGO | A_CLRALL, S.InParseHyphen, NUMHWORD, specialHyphen), it(isAlnum, 0, A_NEXT, S.InHyphenNumWord),
  it(isSpecial, 0, A_NEXT, S.InHyphenNumWord), eq('-', A_PUSH, S.InHyphenNumWordFirst),
  it(null, 0, A_BINGO | A_CLRALL, S.InParseHyphen, NUMHWORD, specialHyphen),
];
ACTIONS[S.InHyphenDigitLookahead] = [
  it(isEOF, 0, A_POP, N), it(isDigit, 0, A_NEXT, S.InHyphenDigitLookahead), it(isAlpha, 0, A_NEXT, S.InHyphenNumWord),
  it(isSpecial, 0, A_NEXT, S.InHyphenNumWord), it(null, 0, A_POP, N),
];
ACTIONS[S.InParseHyphen] = [
  it(isEOF, 0, A_RERUN, S.Base), it(isAscLet, 0, A_NEXT, S.InHyphenAsciiWordPart), it(isAlpha, 0, A_NEXT, S.InHyphenWordPart),
  it(isSpecial, 0, A_PUSH, S.InHyphenNumWordPart), it(isDigit, 0, A_PUSH, S.InHyphenUnsignedInt), eq('-', A_PUSH, S.InParseHyphenHyphen),
  it(null, 0, A_RERUN, S.Base),
];
ACTIONS[S.InParseHyphenHyphen] = [
  it(isEOF, 0, A_POP, N), it(isAlnum, 0, A_BINGO | A_CLEAR, S.InParseHyphen, SPACE), it(isSpecial, 0, A_BINGO | A_CLEAR, S.InParseHyphen, SPACE),
  it(null, 0, A_POP, N),
];
ACTIONS[S.InHyphenWordPart] = [
  it(isEOF, 0, A_BINGO, S.Base, PARTHWORD), it(isAlpha, 0, A_NEXT, S.InHyphenWordPart), it(isSpecial, 0, A_NEXT, S.InHyphenWordPart),
  it(isDigit, 0, A_NEXT, S.InHyphenNumWordPart), it(null, 0, A_BINGO, S.InParseHyphen, PARTHWORD),
];
ACTIONS[S.InHyphenAsciiWordPart] = [
  it(isEOF, 0, A_BINGO, S.Base, ASCIIPARTHWORD), it(isAscLet, 0, A_NEXT, S.InHyphenAsciiWordPart), it(isAlpha, 0, A_NEXT, S.InHyphenWordPart),
  it(isSpecial, 0, A_NEXT, S.InHyphenWordPart), it(isDigit, 0, A_NEXT, S.InHyphenNumWordPart),
  it(null, 0, A_BINGO, S.InParseHyphen, ASCIIPARTHWORD),
];
ACTIONS[S.InHyphenNumWordPart] = [
  it(isEOF, 0, A_BINGO, S.Base, NUMPARTHWORD), it(isAlnum, 0, A_NEXT, S.InHyphenNumWordPart), it(isSpecial, 0, A_NEXT, S.InHyphenNumWordPart),
  it(null, 0, A_BINGO, S.InParseHyphen, NUMPARTHWORD),
];
ACTIONS[S.InHyphenUnsignedInt] = [
  it(isEOF, 0, A_POP, N), it(isDigit, 0, A_NEXT, N), it(isAlpha, 0, A_CLEAR, S.InHyphenNumWordPart),
  it(isSpecial, 0, A_CLEAR, S.InHyphenNumWordPart), it(null, 0, A_POP, N),
];

function newPosition(prev: Position | undefined): Position {
  return prev
    ? { pos: prev.pos, charlen: prev.charlen, len: prev.len, state: prev.state, prev, pushedAt: -1 }
    : { pos: 0, charlen: 0, len: 0, state: S.Base, prev: undefined, pushedAt: -1 };
}

function newParser(cps: number[], start: number): Parser {
  return { cps, start, state: newPosition(undefined), ignore: false, wanthost: false, c: 0, tokenStart: start, tokenLen: 0, type: 0 };
}

/** TParserGet: the next token into p.tokenStart/tokenLen/type; false at the end */
function getToken(p: Parser): boolean {
  const total = p.cps.length - p.start;
  if (p.state.pos >= total) return false;
  p.tokenStart = p.start + p.state.pos;
  p.state.pushedAt = -1;
  let item: Item | undefined;
  while (p.state.pos <= total) {
    p.state.charlen = p.state.pos === total ? 0 : 1;
    const actions = ACTIONS[p.state.state]!;
    let k: number;
    if (p.state.pushedAt >= 0) {
      k = p.state.pushedAt + 1;
      p.state.pushedAt = -1;
    } else k = 0;
    for (;;) {
      item = actions[k]!;
      if (!item.test) break;
      p.c = item.c;
      if (item.test(p)) break;
      k++;
    }
    if (item.special) item.special(p);
    if (item.flags & A_BINGO) {
      p.tokenLen = p.state.len;
      p.state.len = 0;
      p.type = item.type;
    }
    if (item.flags & A_POP) {
      p.state = p.state.prev!;
    } else if (item.flags & A_PUSH) {
      p.state.pushedAt = k;
      p.state = newPosition(p.state);
    } else if (item.flags & A_CLEAR) {
      p.state.prev = p.state.prev!.prev;
    } else if (item.flags & A_CLRALL) {
      p.state.prev = undefined;
    } else if (item.flags & A_MERGE) {
      const top = p.state;
      p.state = top.prev!;
      p.state.pos = top.pos;
      p.state.charlen = top.charlen;
      p.state.len = top.len;
    }
    if (item.to !== N) p.state.state = item.to;
    if ((item.flags & A_BINGO) || (p.state.pos >= total && (item.flags & A_RERUN) === 0)) break;
    if (item.flags & (A_RERUN | A_POP)) continue;
    if (p.state.charlen) {
      p.state.pos++;
      p.state.len++;
    }
  }
  return item !== undefined && (item.flags & A_BINGO) !== 0;
}

export interface Token {
  /** index into TOKEN_TYPES */
  readonly type: number;
  readonly text: string;
}

/** All tokens of `text`, as ts_parse('default', text) lists them. */
export function parseTokens(text: string): Token[] {
  const cps = Array.from(text, (c) => c.codePointAt(0)!);
  const p = newParser(cps, 0);
  const out: Token[] = [];
  while (getToken(p)) {
    out.push({ type: p.type, text: String.fromCodePoint(...cps.slice(p.tokenStart, p.tokenStart + p.tokenLen)) });
  }
  return out;
}
