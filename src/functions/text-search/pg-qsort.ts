/**
 * PostgreSQL's qsort (src/include/lib/sort_template.h, the BSD quicksort): not stable, so
 * where PostgreSQL keeps "the first" of equal elements after sorting (ts_rank's
 * SortAndUniqItems) only the same algorithm keeps the same one.
 */
export function pgQsort<T>(arr: T[], cmp: (a: T, b: T) => number): T[] {
  sort(arr, 0, arr.length, cmp);
  return arr;
}

function swap<T>(x: T[], i: number, j: number): void {
  const t = x[i]!;
  x[i] = x[j]!;
  x[j] = t;
}

function swapn<T>(x: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(x, i + k, j + k);
}

function med3<T>(x: T[], a: number, b: number, c: number, cmp: (a: T, b: T) => number): number {
  return cmp(x[a]!, x[b]!) < 0
    ? (cmp(x[b]!, x[c]!) < 0 ? b : cmp(x[a]!, x[c]!) < 0 ? c : a)
    : (cmp(x[b]!, x[c]!) > 0 ? b : cmp(x[a]!, x[c]!) < 0 ? a : c);
}

function sort<T>(x: T[], a: number, n: number, cmp: (a: T, b: T) => number): void {
  for (;;) {
    if (n < 7) {
      for (let pm = a + 1; pm < a + n; pm++) for (let pl = pm; pl > a && cmp(x[pl - 1]!, x[pl]!) > 0; pl--) swap(x, pl, pl - 1);
      return;
    }
    let presorted = true;
    for (let pm = a + 1; pm < a + n; pm++) {
      if (cmp(x[pm - 1]!, x[pm]!) > 0) { presorted = false; break; }
    }
    if (presorted) return;
    let pm = a + Math.floor(n / 2);
    if (n > 7) {
      let pl = a, pn = a + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(x, pl, pl + d, pl + 2 * d, cmp);
        pm = med3(x, pm - d, pm, pm + d, cmp);
        pn = med3(x, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = med3(x, pl, pm, pn, cmp);
    }
    swap(x, a, pm);
    let pa = a + 1, pb = a + 1, pc = a + n - 1, pd = a + n - 1;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(x[pb]!, x[a]!)) <= 0) {
        if (r === 0) { swap(x, pa, pb); pa++; }
        pb++;
      }
      while (pb <= pc && (r = cmp(x[pc]!, x[a]!)) >= 0) {
        if (r === 0) { swap(x, pc, pd); pd--; }
        pc--;
      }
      if (pb > pc) break;
      swap(x, pb, pc);
      pb++;
      pc--;
    }
    const pn = a + n;
    let d1 = Math.min(pa - a, pb - pa);
    swapn(x, a, pb - d1, d1);
    d1 = Math.min(pd - pc, pn - pd - 1);
    swapn(x, pb, pn - d1, d1);
    d1 = pb - pa;
    const d2 = pd - pc;
    if (d1 <= d2) {
      if (d1 > 1) sort(x, a, d1, cmp);
      if (d2 <= 1) return;
      a = pn - d2;
      n = d2;
    } else {
      if (d2 > 1) sort(x, pn - d2, d2, cmp);
      if (d1 <= 1) return;
      n = d1;
    }
  }
}
