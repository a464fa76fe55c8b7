/**
 * A client that keeps writing through failures, for failover tests: it inserts rows with
 * ids it chooses, one INSERT at a time, reconnecting after any error, and remembers which
 * ids were acknowledged (the INSERT returned) and which are in doubt (the connection broke
 * before an answer: committed or not). Afterwards `check` holds the database to the rule
 * that no acknowledged write is lost or duplicated.
 */
import pg from 'pg';

export interface AckedWriter {
  readonly acked: ReadonlySet<number>;
  readonly inDoubt: ReadonlySet<number>;
  /** errors seen, by message (how the outage looked to a client) */
  readonly errors: Map<string, number>;
  /** resolves after at least `n` more acknowledgements (or rejects after `timeoutMs`) */
  progress(n: number, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export function startAckedWriter(connect: () => pg.ClientConfig, table: string, firstId: number, rowSql: (id: number) => string): AckedWriter {
  const acked = new Set<number>();
  const inDoubt = new Set<number>();
  const errors = new Map<string, number>();
  let stopped = false;
  let waiters: { target: number; resolve: () => void }[] = [];
  const loop = (async () => {
    let id = firstId;
    let client: pg.Client | undefined;
    while (!stopped) {
      try {
        if (!client) {
          client = new pg.Client({ ...connect(), connectionTimeoutMillis: 3000 });
          client.on('error', () => {});
          await client.connect();
        }
        const mine = id++;
        try {
          await client.query(`INSERT INTO ${table} VALUES (${rowSql(mine)})`);
          acked.add(mine);
          waiters = waiters.filter((w) => (acked.size >= w.target ? (w.resolve(), false) : true));
        } catch (e) {
          // an error answer means not committed; a broken connection leaves it in doubt
          if (!(e as { code?: string }).code) inDoubt.add(mine);
          throw e;
        }
      } catch (e) {
        const msg = (e as Error).message.slice(0, 80);
        errors.set(msg, (errors.get(msg) ?? 0) + 1);
        await client?.end().catch(() => {});
        client = undefined;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    await client?.end().catch(() => {});
  })();
  return {
    acked, inDoubt, errors,
    progress(n, timeoutMs) {
      return new Promise((resolve, reject) => {
        const target = acked.size + n;
        const timer = setTimeout(() => reject(new Error(`writer made no progress: ${acked.size}/${target} acknowledged after ${timeoutMs} ms; errors ${JSON.stringify([...errors])}`)), timeoutMs);
        waiters.push({ target, resolve: () => { clearTimeout(timer); resolve(); } });
      });
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/**
 * The rule: every acknowledged id present exactly once, an in-doubt id at most once, and
 * no id the writer never sent. `ids` are the table's ids (duplicates kept).
 */
export function checkAcked(ids: readonly number[], w: Pick<AckedWriter, 'acked' | 'inDoubt'>, firstId: number): string[] {
  const problems: string[] = [];
  const count = new Map<number, number>();
  for (const id of ids) if (id >= firstId) count.set(id, (count.get(id) ?? 0) + 1);
  for (const id of w.acked) if (count.get(id) !== 1) problems.push(`acknowledged id ${id} present ${count.get(id) ?? 0} times`);
  for (const [id, n] of count) {
    if (!w.acked.has(id) && !w.inDoubt.has(id)) problems.push(`id ${id} was never acknowledged nor in doubt`);
    else if (n > 1) problems.push(`id ${id} present ${n} times`);
  }
  return problems;
}
