/**
 * Reads a V8 .cpuprofile (`node --cpu-prof`) within a measured window: the top self-time
 * entries, self time per group (idle, GC, Quiver's JavaScript, native search, socket
 * writes), and inclusive time per phase of a query — a sample counts towards a phase when
 * one of the phase's functions is on its stack. An async function's code after an `await`
 * runs from the microtask queue, so its callers are not on that stack: a phase then holds
 * what its functions did synchronously, not everything done on its behalf.
 */
import { readFileSync } from 'node:fs';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number }

/** A phase: functions of Quiver's dist/src (by name, and the file they are in). */
export interface Phase { name: string; functions: readonly { fn: string; file: string }[] }

/** The extended-query path of one prepared statement, as src/ names it. */
export const QUERY_PHASES: readonly Phase[] = [
  { name: 'read + frame messages', functions: [{ fn: 'onData', file: 'wire/connection.js' }, { fn: 'nextFrame', file: 'wire/connection.js' }] },
  { name: 'Bind (parameter decode included)', functions: [{ fn: 'bind', file: 'wire/connection.js' }] },
  { name: '  parameter decode', functions: [{ fn: 'decodeParam', file: 'wire/codecs.js' }] },
  { name: 'Describe', functions: [{ fn: 'describe', file: 'wire/connection.js' }] },
  { name: 'Execute: statement start/end bookkeeping', functions: [{ fn: 'statementStarted', file: '' }, { fn: 'statementEnded', file: '' }] },
  { name: 'Execute: re-bind check, access checks', functions: [{ fn: 'rebindIfStale', file: 'engine/prepare.js' }, { fn: 'checkTableAccess', file: 'engine/table-access.js' }, { fn: 'holdRelations', file: '' }] },
  { name: 'Execute: run context / env', functions: [{ fn: 'runContext', file: '' }, { fn: 'execEnv', file: '' }] },
  { name: 'Execute: plan run (runPlan and below)', functions: [{ fn: 'runPlan', file: 'executor/operators.js' }, { fn: 'next', file: 'executor/suspend.js' }] },
  { name: 'Execute: whole (runStatement, sync part)', functions: [{ fn: 'runStatement', file: 'engine/dispatch.js' }, { fn: 'runToResult', file: 'engine/dispatch.js' }, { fn: 'run', file: 'engine/dispatch.js' }] },
  { name: 'encode rows (sendResult)', functions: [{ fn: 'sendResult', file: 'wire/connection.js' }, { fn: 'sendRowsOf', file: 'wire/connection.js' }] },
  { name: 'Sync / ReadyForQuery / socket write', functions: [{ fn: 'sync', file: 'wire/connection.js' }, { fn: 'flushNow', file: 'wire/connection.js' }] },
  { name: 'socket write (native)', functions: [{ fn: 'writeBuffer', file: '' }, { fn: 'writev', file: '' }, { fn: 'writeGeneric', file: '' }] },
  { name: 'GC', functions: [{ fn: '(garbage collector)', file: '' }] },
  { name: 'idle', functions: [{ fn: '(idle)', file: '' }] },
];

const where = (f: CallFrame): string => (f.url ? `${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}` : '');

/**
 * The summary as printed lines: groups, phases (inclusive ms and µs per query over
 * `queries`), top `top` self-time entries, for samples taken within the windows ([from, to]
 * in µs of the monotonic clock, which V8's profile timestamps and process.hrtime share on Linux).
 */
export function profileSummary(file: string, top: number, windows: readonly (readonly [number, number])[], queries: number, phases: readonly Phase[] = QUERY_PHASES): string {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const matches = (f: CallFrame, p: Phase): boolean => p.functions.some((m) => f.functionName === m.fn && (m.file === '' || f.url.endsWith(m.file)));
  // the phases on each node's stack, memoized (the profile is a tree)
  const onStack = new Map<number, ReadonlySet<number>>();
  const phasesOf = (id: number): ReadonlySet<number> => {
    const known = onStack.get(id);
    if (known) return known;
    const up = parent.get(id);
    const set = new Set(up === undefined ? [] : phasesOf(up));
    const f = byId.get(id)!.callFrame;
    phases.forEach((p, i) => { if (matches(f, p)) set.add(i); });
    onStack.set(id, set);
    return set;
  };
  const self = new Map<string, number>();
  const groups = new Map<string, number>();
  const inclusive = new Float64Array(phases.length);
  let total = 0;
  let at = prof.startTime;
  prof.samples.forEach((id, i) => {
    const dt = prof.timeDeltas[i] ?? 0;
    at += dt;
    if (!windows.some(([from, to]) => at >= from && at <= to)) return;
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${where(f)}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    const g = key.startsWith('(idle)') ? 'idle (waiting for the client)' : key.startsWith('search dist/esm/usearch') ? 'usearch search (native)'
      : key.startsWith('writeBuffer') || key.startsWith('writev') || key.startsWith('writeGeneric') ? 'socket writes' : key.startsWith('postMessage') ? 'postMessage (worker hop)'
      : key.includes('dist/src/') ? 'Quiver JS' : key.startsWith('(garbage') ? 'GC' : 'other (node, libraries, native)';
    groups.set(g, (groups.get(g) ?? 0) + dt);
    for (const p of phasesOf(id)) inclusive[p] += dt;
    total += dt;
  });
  const perQuery = (us: number): string => `${(us / queries).toFixed(1).padStart(7)} µs/query`;
  const line = (k: string, us: number): string => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)} % ${perQuery(us)}  ${k}`;
  return [
    `profile ${file}: ${(total / 1000).toFixed(0)} ms sampled over ${queries} queries`,
    'self time per group:',
    ...[...groups].sort((a, b) => b[1] - a[1]).map(([g, us]) => line(`[${g}]`, us)),
    'inclusive time per phase:',
    ...phases.map((p, i) => line(p.name, inclusive[i]!)),
    `top ${top} self-time entries:`,
    ...[...self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => line(k, us)),
  ].join('\n');
}
