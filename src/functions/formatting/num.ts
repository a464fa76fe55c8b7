/**
 * Number templates: to_char for int4, int8, float4, float8 and numeric, and to_number — a port of
 * PostgreSQL 15's NUMDesc_prepare, NUM_processor and the *_to_char front ends (C locale: '.'
 * decimal point, ',' group separator, ' ' currency symbol).
 */
import { SqlError, SqlState } from '../../errors.js';
import {
  Decimal, applyNumericTypmod, formatDecimal, isSpecial, numericMul, numericPower, numericRound, numericToInt, parseNumeric, toDecimal,
} from '../../types/numeric.js';
import { numFormat, type FormatNode } from './format-nodes.js';
import { ordinalSuffix } from './dch.js';
import { printfExp, printfFixed } from './c-printf.js';

const F_DECIMAL = 1 << 1, F_LDECIMAL = 1 << 2, F_ZERO = 1 << 3, F_BLANK = 1 << 4, F_FILLMODE = 1 << 5, F_LSIGN = 1 << 6,
  F_BRACKET = 1 << 7, F_MINUS = 1 << 8, F_PLUS = 1 << 9, F_ROMAN = 1 << 10, F_MULTI = 1 << 11, F_PLUS_POST = 1 << 12,
  F_MINUS_POST = 1 << 13, F_EEEE = 1 << 14;
const LSIGN_PRE = -1, LSIGN_POST = 1, LSIGN_NONE = 0;

/** NUMDesc */
interface NumDesc { pre: number; post: number; lsign: number; flag: number; preLsignNum: number; multi: number; zeroStart: number; zeroEnd: number }

const syntax = (message: string, detail?: string): SqlError => new SqlError(SqlState.syntaxError, message, detail ? { detail } : {});

/** NUMDesc_prepare: one keyword's effect on the description, with the template's syntax errors */
function prepare(num: NumDesc, n: FormatNode): void {
  const has = (f: number): boolean => (num.flag & f) !== 0;
  const id = n.key!.id;
  if (has(F_EEEE) && id !== 'EEEE') throw syntax('"EEEE" must be the last pattern used');
  switch (id) {
    case '9':
      if (has(F_BRACKET)) throw syntax('"9" must be ahead of "PR"');
      if (has(F_MULTI)) { num.multi++; break; }
      if (has(F_DECIMAL)) num.post++; else num.pre++;
      break;
    case '0':
      if (has(F_BRACKET)) throw syntax('"0" must be ahead of "PR"');
      if (!has(F_ZERO) && !has(F_DECIMAL)) { num.flag |= F_ZERO; num.zeroStart = num.pre + 1; }
      if (!has(F_DECIMAL)) num.pre++; else num.post++;
      num.zeroEnd = num.pre + num.post;
      break;
    case 'B':
      if (num.pre === 0 && num.post === 0 && !has(F_ZERO)) num.flag |= F_BLANK;
      break;
    case 'D':
    case '.':
      if (id === 'D') num.flag |= F_LDECIMAL;
      if (has(F_DECIMAL)) throw syntax('multiple decimal points');
      if (has(F_MULTI)) throw syntax('cannot use "V" and decimal point together');
      num.flag |= F_DECIMAL;
      break;
    case 'FM': num.flag |= F_FILLMODE; break;
    case 'S':
      if (has(F_LSIGN)) throw syntax('cannot use "S" twice');
      if (has(F_PLUS) || has(F_MINUS) || has(F_BRACKET)) throw syntax('cannot use "S" and "PL"/"MI"/"SG"/"PR" together');
      if (!has(F_DECIMAL)) { num.lsign = LSIGN_PRE; num.preLsignNum = num.pre; num.flag |= F_LSIGN; }
      else if (num.lsign === LSIGN_NONE) { num.lsign = LSIGN_POST; num.flag |= F_LSIGN; }
      break;
    case 'MI':
      if (has(F_LSIGN)) throw syntax('cannot use "S" and "MI" together');
      num.flag |= F_MINUS;
      if (has(F_DECIMAL)) num.flag |= F_MINUS_POST;
      break;
    case 'PL':
      if (has(F_LSIGN)) throw syntax('cannot use "S" and "PL" together');
      num.flag |= F_PLUS;
      if (has(F_DECIMAL)) num.flag |= F_PLUS_POST;
      break;
    case 'SG':
      if (has(F_LSIGN)) throw syntax('cannot use "S" and "SG" together');
      num.flag |= F_MINUS | F_PLUS;
      break;
    case 'PR':
      if (has(F_LSIGN) || has(F_PLUS) || has(F_MINUS)) throw syntax('cannot use "PR" and "S"/"PL"/"MI"/"SG" together');
      num.flag |= F_BRACKET;
      break;
    case 'RN': case 'rn': num.flag |= F_ROMAN; break;
    case 'V':
      if (has(F_DECIMAL)) throw syntax('cannot use "V" and decimal point together');
      num.flag |= F_MULTI;
      break;
    case 'EEEE':
      if (has(F_EEEE)) throw syntax('cannot use "EEEE" twice');
      if (has(F_BLANK) || has(F_FILLMODE) || has(F_LSIGN) || has(F_BRACKET) || has(F_MINUS) || has(F_PLUS) || has(F_ROMAN) || has(F_MULTI)) {
        throw syntax('"EEEE" is incompatible with other formats', '"EEEE" may only be used together with digit and decimal point patterns.');
      }
      num.flag |= F_EEEE;
      break;
    default: break;
  }
}

interface Picture { nodes: FormatNode[]; num: NumDesc }
const cache = new Map<string, Picture>();
/** NUM_cache: the parsed picture and a fresh copy of its description */
function picture(fmt: string): Picture {
  let p = cache.get(fmt);
  if (!p) {
    const num: NumDesc = { pre: 0, post: 0, lsign: 0, flag: 0, preLsignNum: 0, multi: 0, zeroStart: 0, zeroEnd: 0 };
    const nodes = numFormat(fmt, (n) => prepare(num, n));
    p = { nodes, num };
    if (cache.size > 256) cache.clear();
    cache.set(fmt, p);
  }
  return { nodes: p.nodes, num: { ...p.num } };
}

/** int_to_roman: 1..3999, else fifteen '#' */
function intToRoman(n: number): string {
  if (n > 3999 || n < 1) return '#'.repeat(15);
  const rm1 = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX'];
  const rm10 = ['X', 'XX', 'XXX', 'XL', 'L', 'LX', 'LXX', 'LXXX', 'XC'];
  const rm100 = ['C', 'CC', 'CCC', 'CD', 'D', 'DC', 'DCC', 'DCCC', 'CM'];
  const s = String(n);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const d = Number(s[i]) - 1;
    if (d < 0) continue;
    const col = s.length - i;
    out += col === 4 ? 'M'.repeat(d + 1) : col === 3 ? rm100[d] : col === 2 ? rm10[d] : rm1[d];
  }
  return out;
}

/** NUMProc for the to_char direction: `number` is the digit string, output is appended */
class ToChar {
  out = '';
  signWrote = false;
  numCount = 0;
  numIn = false;
  numCurr = 0;
  outPreSpaces: number;
  numberP = 0;
  lastRelevant: number | null = null;
  constructor(readonly num: NumDesc, readonly number: string, outPreSpaces: number, readonly sign: string) { this.outPreSpaces = outPreSpaces; }

  has(f: number): boolean { return (this.num.flag & f) !== 0; }
  at(i: number): string { return this.number[i] ?? '\0'; }
  /** IS_PREDEC_SPACE: "9.9" shows 0.1 as " .1" */
  predecSpace(): boolean { return !this.has(F_ZERO) && this.numberP === 0 && this.number[0] === '0' && this.num.post !== 0; }
  lastIsPoint(): boolean { return this.lastRelevant !== null && this.at(this.lastRelevant) === '.'; }

  /** NUM_numpart_to_char */
  numpart(id: string): void {
    if (this.has(F_ROMAN)) return;
    this.numIn = false;
    if (!this.signWrote && (this.numCurr >= this.outPreSpaces || (this.has(F_ZERO) && this.num.zeroStart === this.numCurr)) &&
      (!this.predecSpace() || this.lastIsPoint())) {
      if (this.has(F_LSIGN)) {
        if (this.num.lsign === LSIGN_PRE) { this.out += this.sign === '-' ? '-' : '+'; this.signWrote = true; }
      } else if (this.has(F_BRACKET)) {
        this.out += this.sign === '+' ? ' ' : '<';
        this.signWrote = true;
      } else if (this.sign === '+') {
        if (!this.has(F_FILLMODE)) this.out += ' ';
        this.signWrote = true;
      } else if (this.sign === '-') {
        this.out += '-';
        this.signWrote = true;
      }
    }
    if (id === '9' || id === '0' || id === 'D' || id === '.') {
      if (this.numCurr < this.outPreSpaces && (this.num.zeroStart > this.numCurr || !this.has(F_ZERO))) {
        if (!this.has(F_FILLMODE)) this.out += ' ';
      } else if (this.has(F_ZERO) && this.numCurr < this.outPreSpaces && this.num.zeroStart <= this.numCurr) {
        this.out += '0';
        this.numIn = true;
      } else {
        if (this.at(this.numberP) === '.') {
          if (!this.lastIsPoint() || this.has(F_FILLMODE)) this.out += '.';
        } else if (this.lastRelevant !== null && this.numberP > this.lastRelevant && id !== '0') {
          // trailing zeros FM drops
        } else if (this.predecSpace()) {
          if (!this.has(F_FILLMODE)) this.out += ' ';
          else if (this.lastIsPoint()) this.out += '0';
        } else {
          this.out += this.at(this.numberP);
          this.numIn = true;
        }
        if (this.numberP < this.number.length) this.numberP++;
      }
      let end = this.numCount + (this.outPreSpaces ? 1 : 0) + (this.has(F_DECIMAL) ? 1 : 0);
      if (this.lastRelevant !== null && this.lastRelevant === this.numberP) end = this.numCurr;
      if (this.numCurr + 1 === end) {
        if (this.signWrote && this.has(F_BRACKET)) this.out += this.sign === '+' ? ' ' : '>';
        else if (this.has(F_LSIGN) && this.num.lsign === LSIGN_POST) this.out += this.sign === '-' ? '-' : '+';
      }
    }
    this.numCurr++;
  }
}

/** NUM_processor in the to_char direction */
function numToChar(nodes: readonly FormatNode[], num: NumDesc, number: string, outPreSpaces: number, sign: string): string {
  if (num.zeroStart) num.zeroStart--;
  if (num.flag & F_EEEE) return number;
  if (num.flag & F_ROMAN) {
    num.lsign = num.preLsignNum = num.post = num.pre = 0;
    outPreSpaces = 0;
    sign = '\0';
    num.flag = (num.flag & F_FILLMODE) | F_ROMAN;
  }
  const np = new ToChar(num, number, outPreSpaces, sign);
  const fill = (): boolean => (num.flag & F_FILLMODE) !== 0;
  if (num.flag & (F_PLUS | F_MINUS)) {
    // MI / PL / SG write the sign themselves
    np.signWrote = !((num.flag & F_PLUS) && !(num.flag & F_MINUS));
  } else {
    if (sign !== '-' && fill()) num.flag &= ~F_BRACKET;
    np.signWrote = sign === '+' && fill() && !(num.flag & F_LSIGN);
    if (num.lsign === LSIGN_PRE && num.pre === num.preLsignNum) num.lsign = LSIGN_POST;
  }
  np.numCount = num.post + num.pre - 1;
  if (fill() && num.flag & F_DECIMAL) {
    // get_last_relevant_decnum, but never before a '0' the template asks for
    const dot = number.indexOf('.');
    if (dot >= 0) {
      let last = dot;
      for (let i = dot + 1; i < number.length; i++) if (number[i] !== '0') last = i;
      if (num.zeroEnd > outPreSpaces) last = Math.max(last, Math.min(number.length - 1, num.zeroEnd - outPreSpaces));
      np.lastRelevant = last;
    }
  }
  if (!np.signWrote && outPreSpaces === 0) np.numCount++;

  for (const n of nodes) {
    if (n.type !== 'action') { np.out += n.chr; continue; }
    switch (n.key!.id) {
      case '9': case '0': case '.': case 'D': np.numpart(n.key!.id); break;
      case ',': case 'G': np.out += np.numIn ? ',' : fill() ? '' : ' '; break;
      case 'L': np.out += ' '; break;
      case 'RN': np.out += fill() ? number : number.padStart(15); break;
      case 'rn': np.out += fill() ? number.toLowerCase() : number.toLowerCase().padStart(15); break;
      case 'th': case 'TH':
        if (num.flag & F_ROMAN || number[0] === '#' || sign === '-' || num.flag & F_DECIMAL) break;
        np.out += ordinalSuffix(number, n.key!.id === 'TH');
        break;
      case 'MI': np.out += sign === '-' ? '-' : fill() ? '' : ' '; break;
      case 'PL': np.out += sign === '+' ? '+' : fill() ? '' : ' '; break;
      case 'SG': np.out += sign; break;
      default: break;
    }
  }
  // a NUL written for a digit past the end of the number ends the C string there
  const nul = np.out.indexOf('\0');
  return nul < 0 ? np.out : np.out.slice(0, nul);
}

/** the '#' overflow string: pre + post + 1 characters with the point at pre */
const overflowStr = (num: NumDesc): string => '#'.repeat(num.pre) + '.' + '#'.repeat(num.post);

/** sign and digits for the plain path, with the padding count and '#' overflow of every *_to_char */
function plainNumber(num: NumDesc, orgnum: string, intDigits?: number): { numstr: string; sign: string; outPreSpaces: number } {
  const sign = orgnum.startsWith('-') ? '-' : '+';
  let numstr = sign === '-' ? orgnum.slice(1) : orgnum;
  const dot = numstr.indexOf('.');
  const preLen = intDigits ?? (dot >= 0 ? dot : numstr.length);
  let outPreSpaces = 0;
  if (preLen < num.pre) outPreSpaces = num.pre - preLen;
  else if (preLen > num.pre) numstr = overflowStr(num);
  return { numstr, sign, outPreSpaces };
}

/** numeric_out_sci: the significand rounded half away from zero to `scale` digits, exponent at least two digits */
function numericOutSci(value: string, scale: number): string {
  if (isSpecial(value)) return value;
  const d = toDecimal(value);
  const exponent = d.isZero() ? 0 : d.abs().e;
  const sig = formatDecimal(d.div(new Decimal(10).pow(exponent)), Math.max(scale, 0));
  return `${sig}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

function finish(p: Picture, numstr: string, outPreSpaces: number, sign: string): string {
  return numToChar(p.nodes, p.num, numstr, outPreSpaces, sign);
}

/** numeric_to_char */
export function numericToChar(value: string, fmt: string): string {
  if (fmt === '') return '';
  const p = picture(fmt);
  const num = p.num;
  if (num.flag & F_ROMAN) return finish(p, intToRoman(numericToInt(numericRound(value, 0), 32) as number), 0, '\0');
  if (num.flag & F_EEEE) {
    const orgnum = numericOutSci(value, num.post);
    if (isSpecial(orgnum)) return finish(p, hashesForEeee(num), 0, '\0');
    return finish(p, orgnum.startsWith('-') ? orgnum : ' ' + orgnum, 0, '\0');
  }
  let val = value;
  if (num.flag & F_MULTI) {
    val = numericMul(value, numericPower('10', String(num.multi)));
    num.pre += num.multi;
  }
  const { numstr, sign, outPreSpaces } = plainNumber(num, numericRound(val, num.post));
  return finish(p, numstr, outPreSpaces, sign);
}

/** '#'s for NaN / infinity under EEEE: room for sign, point, "e", exponent sign and two digits */
function hashesForEeee(num: NumDesc): string {
  const s = ('#'.repeat(num.pre + num.post + 6)).split('');
  s[0] = ' ';
  s[num.pre + 1] = '.';
  return s.join('');
}

/** int4_to_char and int8_to_char */
export function integerToChar(value: number | bigint, fmt: string, bits: 32 | 64): string {
  if (fmt === '') return '';
  const p = picture(fmt);
  const num = p.num;
  const v = BigInt(value);
  if (num.flag & F_ROMAN) {
    // int84: PostgreSQL 15 refuses an int8 outside int4's range
    if (v > 2147483647n || v < -2147483648n) throw new SqlError(SqlState.numericValueOutOfRange, 'integer out of range');
    return finish(p, intToRoman(Number(v)), 0, '\0');
  }
  if (num.flag & F_EEEE) {
    const orgnum = bits === 32 ? printfExp(Number(v), num.post) : numericOutSci(v.toString(), num.post);
    const numstr = bits === 32 ? (orgnum.startsWith('+') ? ' ' + orgnum.slice(1) : orgnum) : orgnum.startsWith('-') ? orgnum : ' ' + orgnum;
    return finish(p, numstr, 0, '\0');
  }
  let scaled = v;
  if (num.flag & F_MULTI) {
    if (bits === 32) {
      // int4mul(value, (int32) pow(10, multi))
      scaled = v * BigInt.asIntN(32, 10n ** BigInt(num.multi));
      if (scaled > 2147483647n || scaled < -2147483648n) throw new SqlError(SqlState.numericValueOutOfRange, 'integer out of range');
    } else {
      scaled = v * 10n ** BigInt(num.multi);
      if (scaled > 9223372036854775807n || scaled < -9223372036854775808n) throw new SqlError(SqlState.numericValueOutOfRange, 'bigint out of range');
    }
    num.pre += num.multi;
  }
  const orgnum = scaled.toString();
  const digits = orgnum.replace('-', '');
  const withPost = num.post ? `${orgnum}.${'0'.repeat(num.post)}` : orgnum;
  const { numstr, sign, outPreSpaces } = plainNumber(num, withPost, digits.length);
  return finish(p, numstr, outPreSpaces, sign);
}

/** rint: round half to even */
function rint(x: number): number {
  const f = Math.floor(x), d = x - f;
  return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
}

/** float4_to_char and float8_to_char: digits via printf, limited to FLT_DIG / DBL_DIG significant ones */
export function floatToChar(value: number, fmt: string, single: boolean): string {
  if (fmt === '') return '';
  const p = picture(fmt);
  const num = p.num;
  if (num.flag & F_ROMAN) {
    const r = rint(value);
    const i = !Number.isNaN(r) && r >= -2147483648 && r < 2147483648 ? r : 2147483647;
    return finish(p, intToRoman(i), 0, '\0');
  }
  if (num.flag & F_EEEE) {
    if (!Number.isFinite(value)) return finish(p, hashesForEeee(num), 0, '\0');
    const s = printfExp(value, num.post);
    return finish(p, s.startsWith('+') ? ' ' + s.slice(1) : s, 0, '\0');
  }
  let val = value;
  if (num.flag & F_MULTI) {
    const multi = 10 ** num.multi;
    val = single ? Math.fround(value * Math.fround(multi)) : value * multi;
    num.pre += num.multi;
  }
  const preLen = printfFixed(Math.abs(val), 0).length;
  const maxDigits = single ? 6 : 15;
  if (preLen >= maxDigits) num.post = 0;
  else if (preLen + num.post > maxDigits) num.post = maxDigits - preLen;
  const { numstr, sign, outPreSpaces } = plainNumber(num, printfFixed(val, num.post));
  return finish(p, numstr, outPreSpaces, sign);
}

/** NUM_processor in the to_number direction: the number text and the digits read after the point */
function numFromChar(nodes: readonly FormatNode[], num: NumDesc, input: string): string {
  if (num.flag & F_EEEE) throw new SqlError(SqlState.featureNotSupported, '"EEEE" not supported for input');
  if (num.flag & F_ROMAN) throw new SqlError(SqlState.featureNotSupported, '"RN" not supported for input');
  const has = (f: number): boolean => (num.flag & f) !== 0;
  const len = input.length;
  const number: string[] = [' '];
  let ip = 0, readDec = false, readPost = 0, readPre = 0;
  const overload = (): boolean => ip >= len;
  const amount = (s: number): boolean => ip <= len - s;
  /** NUM_eat_non_data_chars */
  const eat = (k: number): void => {
    while (k-- > 0) {
      if (overload() || '0123456789.,+-'.includes(input[ip]!)) break;
      ip += String.fromCodePoint(input.codePointAt(ip)!).length;
    }
  };
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  /** NUM_numpart_from_char */
  const numpart = (id: string): void => {
    let isread = false;
    if (overload()) return;
    if (input[ip] === ' ') ip++;
    if (overload()) return;
    if (number[0] === ' ' && (id === '0' || id === '9') && readPre + readPost === 0) {
      if (has(F_LSIGN) && num.lsign === LSIGN_PRE) {
        if (amount(1) && input[ip] === '-') { ip++; number[0] = '-'; }
        else if (amount(1) && input[ip] === '+') { ip++; number[0] = '+'; }
      } else if (input[ip] === '-' || (has(F_BRACKET) && input[ip] === '<')) { number[0] = '-'; ip++; }
      else if (input[ip] === '+') { number[0] = '+'; ip++; }
    }
    if (overload()) return;
    if (isDigit(input[ip])) {
      if (readDec && readPost === num.post) return;
      number.push(input[ip]!);
      if (readDec) readPost++; else readPre++;
      isread = true;
    } else if (has(F_DECIMAL) && !readDec) {
      if (amount(1) && input[ip] === '.') { number.push('.'); readDec = true; isread = true; }
    }
    if (overload()) return;
    if (number[0] === ' ' && readPre + readPost > 0) {
      // a locale sign (S) right after the last digit, or a trailing MI / PL / SG
      if (has(F_LSIGN) && isread && ip + 1 < len && !isDigit(input[ip + 1])) {
        const tmp = ip++;
        if (amount(1) && input[ip] === '-') number[0] = '-';
        else if (amount(1) && input[ip] === '+') number[0] = '+';
        if (number[0] === ' ') ip = tmp;
      } else if (!isread && !has(F_LSIGN) && (has(F_PLUS) || has(F_MINUS))) {
        if (input[ip] === '-' || input[ip] === '+') number[0] = input[ip]!;
      }
    }
  };
  for (const n of nodes) {
    if (overload()) break;
    if (n.type !== 'action') { ip += String.fromCodePoint(input.codePointAt(ip)!).length; continue; }
    switch (n.key!.id) {
      case '9': case '0': case '.': case 'D': numpart(n.key!.id); break;
      case ',': case 'G':
        if (has(F_FILLMODE)) continue; // num_in is never set while reading
        if (input[ip] !== ',') continue;
        break;
      case 'L': eat(1); continue;
      case 'th': case 'TH':
        if (has(F_DECIMAL)) continue;
        eat(2);
        continue;
      case 'MI':
        if (input[ip] === '-') number[0] = '-'; else { eat(1); continue; }
        break;
      case 'PL':
        if (input[ip] === '+') number[0] = '+'; else { eat(1); continue; }
        break;
      case 'SG':
        if (input[ip] === '-' || input[ip] === '+') number[0] = input[ip]!; else { eat(1); continue; }
        break;
      default: continue;
    }
    ip++;
  }
  if (number[number.length - 1] === '.' && number.length > 1) number.pop();
  num.post = readPost;
  return number.join('');
}

/** numeric_to_number; an empty template gives NULL */
export function toNumber(text: string, fmt: string): string | null {
  if (fmt === '') return null;
  const p = picture(fmt);
  const numstr = numFromChar(p.nodes, p.num, text);
  const scale = p.num.post, precision = p.num.pre + p.num.multi + scale;
  let result = applyNumericTypmod(parseNumeric(numstr), ((precision << 16) | scale) + 4);
  if (p.num.flag & F_MULTI) result = numericMul(result, numericPower('10', String(-p.num.multi)));
  return result;
}

