/**
 * Bytes allocated per statement, by function: a Quiver server (one build's
 * dist/src/server.js, query workers off) and a node-pg client in this one process, 3000
 * warm-up runs, then V8's sampling heap profiler over --queries runs with the objects
 * that minor and major collections freed included (the profile otherwise keeps only what
 * is still alive, which for a statement's garbage is nothing). Prints the total per query,
 * the part allocated by Quiver's own code (frames under dist/src) and the top functions.
 * Cases: select1 (SELECT 1) and pk (SELECT id, label FROM t WHERE id = $1 over 10,000
 * rows), both as node-pg named statements.
 *
 *   node dist/bench/statement-allocation.js [--dist path/to/dist] [--case select1|pk] [--queries 5000] [--top 25]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Session as Inspector } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { repoRoot } from './util.js';

const { values } = parseArgs({ options: {
  dist: { type: 'string', default: join(repoRoot(), 'dist') },
  case: { type: 'string', default: 'select1' },
  queries: { type: 'string', default: '5000' },
  top: { type: 'string', default: '25' },
} });

interface ProfileNode { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: ProfileNode[] }

const CASES: Record<string, (i: number) => pg.QueryConfig> = {
  select1: () => ({ name: 's1', text: 'SELECT 1', values: [] }),
  pk: (i) => ({ name: 'pk', text: 'SELECT id, label FROM t WHERE id = $1', values: [((i * 7919) % 10000) + 1] }),
};
const query = CASES[values.case!];
if (!query) throw new Error(`unknown --case ${values.case} (select1, pk)`);
const n = Number(values.queries);

const { startServer } = (await import(resolve(values.dist!, 'src', 'server.js'))) as typeof import('../src/server.js');
const dataDir = mkdtempSync(join(tmpdir(), 'quiver-statement-allocation-'));
const server = await startServer({ host: '127.0.0.1', port: 0, dataDir, logger: pino({ level: 'warn' }), queryWorkers: 0 });
const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' });
await c.connect();
await c.query('CREATE TABLE t (id int PRIMARY KEY, label text)');
await c.query("INSERT INTO t SELECT g, 'x' || g FROM generate_series(1, 10000) g");
for (let i = 0; i < 3000; i++) await c.query(query(i));

const inspector = new Inspector();
inspector.connect();
await inspector.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as object);
for (let i = 0; i < n; i++) await c.query(query(i));
const { profile } = (await inspector.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };
inspector.disconnect();

const bySite = new Map<string, number>();
let total = 0;
let quiver = 0;
const walk = (node: ProfileNode): void => {
  const f = node.callFrame;
  const site = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
  bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
  total += node.selfSize;
  if (f.url.includes('/dist/src/')) quiver += node.selfSize;
  for (const child of node.children) walk(child);
};
walk(profile.head);
process.stdout.write(`${values.case}: ${(total / n / 1024).toFixed(1)} KB per query (client included), Quiver code ${(quiver / n / 1024).toFixed(1)} KB\n`);
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  process.stdout.write(`${(bytes / n).toFixed(0).padStart(7)} B  ${site}\n`);
}
await c.end();
await server.close();
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
