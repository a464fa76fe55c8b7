/** Qualified names written as text ('"public"."Items"'), as regclass input and nextval() read them. */
import { SqlError } from '../errors.js';

/**
 * An identifier list as regclass input and nextval() read it (PostgreSQL's
 * stringToQualifiedNameList): dot-separated, unquoted parts folded to lower case, quoted
 * parts kept as written ("" is a quote). Throws 42602 on bad syntax.
 */
export function parseQualifiedName(text: string): string[] {
  const parts: string[] = [];
  let i = 0;
  const s = text.trim();
  const bad = () => new SqlError('42602', 'invalid name syntax');
  for (;;) {
    let part = '';
    if (s[i] === '"') {
      i++;
      for (;;) {
        if (i >= s.length) throw bad();
        if (s[i] === '"') {
          if (s[i + 1] === '"') { part += '"'; i += 2; continue; }
          i++;
          break;
        }
        part += s[i++];
      }
      if (part === '') throw bad();
    } else {
      const start = i;
      while (i < s.length && s[i] !== '.' && !/\s/.test(s[i])) i++;
      part = s.slice(start, i).toLowerCase();
      if (part === '') throw bad();
    }
    parts.push(part);
    while (/\s/.test(s[i] ?? '')) i++;
    if (i >= s.length) return parts;
    if (s[i] !== '.') throw bad();
    i++;
    while (/\s/.test(s[i] ?? '')) i++;
  }
}
