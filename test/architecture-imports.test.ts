// The layering rule of /work/shared/design/ARCHITECTURE.md ("No layer reaches back up"),
// checked on the source: every value import between top-level parts of src/ must be an
// edge this table allows. Type-only imports are free (they vanish at compile time).
// Type imports follow the same table, plus the few type-only edges below.
// Run with QUIVER_PRINT_IMPORTS=1 to print the folder import matrix (value imports).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Allowed value-import edges, part → parts it may import. Keep in step with the table
 *  in ARCHITECTURE.md. A part not listed here (a new top-level folder) fails the test
 *  until it is given its row. `server.ts` and `main.ts` wire everything together. */
const ALLOWED: Record<string, readonly string[] | '*'> = {
  'errors.ts': [],
  types: ['errors.ts'],
  functions: ['types', 'errors.ts'],
  catalog: ['functions', 'types', 'errors.ts'],
  ann: ['types', 'errors.ts'],
  storage: ['ann', 'types', 'errors.ts'],
  planner: ['catalog', 'functions', 'ann', 'types', 'errors.ts'],
  sql: ['planner', 'catalog', 'functions', 'types', 'errors.ts'],
  // query workers serve per-segment tasks (plain data): vectors, indexes, kernels
  'query-worker': ['ann', 'functions', 'types', 'errors.ts'],
  executor: ['planner', 'catalog', 'functions', 'storage', 'ann', 'query-worker', 'types', 'errors.ts'],
  engine: ['sql', 'planner', 'executor', 'catalog', 'functions', 'storage', 'ann', 'query-worker', 'types', 'errors.ts'],
  wire: ['types', 'errors.ts'],
  // cluster mode: implements storage's shared-log seams on NATS/S3, elections on etcd, and
  // the proxy (which answers a client with the wire's ErrorResponse when no node leads),
  // and query nodes: the query workers served over TCP (ann: the index file's shape);
  // the shard router (cluster/router) decodes, compares and merges the shards' values (types)
  cluster: ['storage', 'wire', 'query-worker', 'ann', 'types', 'errors.ts'],
  'server.ts': '*',
  'main.ts': '*',
};

/** Edges allowed for type-only imports besides ALLOWED: the engine implements the wire's
 *  Backend interface (the wire never imports the engine). */
const TYPE_ONLY_ALLOWED: Record<string, readonly string[]> = {
  engine: ['wire'],
  // a worker reads the plain shape of a sealed segment the storage hands out
  'query-worker': ['storage'],
};

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist/test/: the sources sit two levels up.
const srcRoot = resolve(here, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The top-level part of src/ a file belongs to: its first folder, or the file's own name. */
function partOf(file: string): string {
  return relative(srcRoot, file).split(sep)[0]!;
}

/** True when the import/export clause brings in no runtime value. */
function isTypeOnly(clause: string): boolean {
  const c = clause.trim();
  if (/^type\b/.test(c)) return true; // import type … / export type …
  const braces = /^\{([\s\S]*)\}$/.exec(c);
  if (!braces) return false; // default, namespace or `export *`: values
  const names = braces[1]!.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return names.length > 0 && names.every((n) => /^type\s/.test(n));
}

interface ImportSpec {
  readonly spec: string;
  readonly typeOnly: boolean;
}

/** Relative module specifiers this file imports (re-exports and dynamic imports included). */
export function relativeImports(text: string): ImportSpec[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs: ImportSpec[] = [];
  const fromClause = /(?:^|;|\n)\s*(import|export)\s+([^;]*?)\s+from\s+['"]([^'"]+)['"]/g;
  for (const m of code.matchAll(fromClause)) specs.push({ spec: m[3]!, typeOnly: isTypeOnly(m[2]!) });
  for (const m of code.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) specs.push({ spec: m[1]!, typeOnly: false });
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push({ spec: m[1]!, typeOnly: false });
  return specs.filter((s) => s.spec.startsWith('.'));
}

/** Relative module specifiers this file imports for their values. */
export function valueImports(text: string): string[] {
  return relativeImports(text).filter((s) => !s.typeOnly).map((s) => s.spec);
}

function importMatrix(): { edges: Map<string, Map<string, number>>; violations: string[]; typeViolations: string[] } {
  const edges = new Map<string, Map<string, number>>();
  const violations: string[] = [];
  const typeViolations: string[] = [];
  for (const file of sourceFiles(srcRoot)) {
    const from = partOf(file);
    for (const { spec, typeOnly } of relativeImports(readFileSync(file, 'utf8'))) {
      const to = partOf(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      if (to === from) continue;
      const allowed = ALLOWED[from];
      const where = `${relative(srcRoot, file)} → ${spec}`;
      if (allowed === undefined) {
        violations.push(`${relative(srcRoot, file)}: part '${from}' is not in the table`);
        continue;
      }
      const ok = allowed === '*' || allowed.includes(to);
      if (typeOnly) {
        if (!ok && !TYPE_ONLY_ALLOWED[from]?.includes(to)) typeViolations.push(where);
        continue;
      }
      const row = edges.get(from) ?? new Map<string, number>();
      row.set(to, (row.get(to) ?? 0) + 1);
      edges.set(from, row);
      if (!ok) violations.push(where);
    }
  }
  return { edges, violations, typeViolations };
}

function printMatrix(edges: Map<string, Map<string, number>>): void {
  const parts = Object.keys(ALLOWED);
  const width = 10;
  const cell = (s: string) => s.padStart(width);
  console.log(`value imports (row imports column)\n${' '.repeat(width)}${parts.map((p) => cell(p.replace('.ts', ''))).join('')}`);
  for (const from of parts) {
    const row = edges.get(from);
    console.log(cell(from.replace('.ts', '')) + parts.map((to) => cell(String(row?.get(to) ?? '.'))).join(''));
  }
}

test('every top-level part of src/ is in the layering table', () => {
  const unknown = readdirSync(srcRoot).filter((name) => {
    const isDir = statSync(join(srcRoot, name)).isDirectory();
    return (isDir || name.endsWith('.ts')) && !(name in ALLOWED);
  });
  assert.deepEqual(unknown, [], 'add the new part to ALLOWED (and to ARCHITECTURE.md)');
});

test('no value import runs against the arrows of ARCHITECTURE.md', () => {
  const { edges, violations } = importMatrix();
  if (process.env.QUIVER_PRINT_IMPORTS) printMatrix(edges);
  assert.deepEqual(violations, [], `forbidden imports:\n${violations.join('\n')}`);
});

test('type-only imports follow the same arrows (the engine may name the wire\'s Backend)', () => {
  const { typeViolations } = importMatrix();
  assert.deepEqual(typeViolations, [], `forbidden type imports:\n${typeViolations.join('\n')}`);
});

test('the import scanner tells type-only imports from value imports', () => {
  const src = [
    "import type { A } from '../a.js';",
    "import { type B, type C } from '../b.js';",
    "import { type D, e } from '../d.js';",
    "import {\n  f,\n  g,\n} from '../f.js';",
    "export { h } from '../h.js';",
    "export type { I } from '../i.js';",
    "export * from '../j.js';",
    "import * as k from '../k.js';",
    "import l from 'node:fs';",
    "// import { m } from '../m.js';",
    "const n = await import('../n.js');",
  ].join('\n');
  assert.deepEqual(valueImports(src), ['../d.js', '../f.js', '../h.js', '../j.js', '../k.js', '../n.js']);
  assert.deepEqual(relativeImports(src).filter((i) => i.typeOnly).map((i) => i.spec), ['../a.js', '../b.js', '../i.js']);
});
