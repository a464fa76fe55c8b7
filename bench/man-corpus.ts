/**
 * A text corpus from the manual pages Debian ships: each page's roff source stripped of its
 * macros and escapes and split into paragraphs (bench/text-search.ts and the GIN build
 * benchmarks load the same documents).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

/** roff source → plain paragraphs (macros dropped, font and character escapes removed) */
export function manParagraphs(roff: string): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  const flush = () => {
    const text = cur.join(' ').replace(/\s+/g, ' ').trim();
    if (text.split(' ').length >= 5) out.push(text.slice(0, 600));
    cur = [];
  };
  for (const line of roff.split('\n')) {
    if (/^[.'](PP|P|LP|SH|SS|TP|IP|HP|sp|br|Sh|Pp|It|Bl|El)\b/.test(line) || line.trim() === '') { flush(); continue; }
    if (/^[.']/.test(line)) continue;
    cur.push(line.replace(/\\f(\[[^\]]*\]|\(..|.)/g, '').replace(/\\\(..|\\\[[^\]]*\]|\\\*(\(..|.)/g, ' ').replace(/\\[-e]/g, '-').replace(/\\(.)/g, '$1'));
  }
  flush();
  return out;
}

/** The first `n` paragraphs of the gzipped pages in `dir`, pages in name order. */
export function manCorpus(dir: string, n: number): string[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.gz')).sort();
  const docs: string[] = [];
  for (const f of files) {
    if (docs.length >= n) break;
    let text: string;
    try { text = gunzipSync(readFileSync(join(dir, f))).toString('utf8'); } catch { continue; }
    for (const p of manParagraphs(text)) if (docs.length < n) docs.push(p);
  }
  return docs;
}
