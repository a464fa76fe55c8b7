/**
 * The set-up the shard router tests share: standalone Quiver servers as shards, each given
 * the same DDL directly (DDL through the router would need two-phase commit on every shard),
 * a router over them by a static directory, a client of the router, and optionally one more
 * server holding every row to compare answers with. `close()` ends exactly what was started.
 */
import pg from 'pg';
import pino from 'pino';
import { loopbackClient, rowsOnEach } from './shard-keys.js';
import { startQuiver, type QuiverServer } from './server.js';
import { startShardRouter, type ShardRouter } from '../../src/cluster/router/server.js';
import { staticShardDirectory } from '../../src/cluster/shard-directory.js';
import { planFanout } from '../../src/cluster/router/fanout-plan.js';

export const routerTestLogger = pino({ level: process.env.QUIVER_TEST_LOG_LEVEL ?? 'warn' });

export interface ShardedRouterOptions {
  /** statements run on every shard (and on the standalone server), in order */
  ddl: readonly string[];
  /** number of shards; default 2 */
  shards?: number;
  /** give the router the real fan-out planner; default true */
  planner?: boolean;
  /** start one more server with the same DDL, to hold every row; default false */
  standalone?: boolean;
  /** open pg clients of the router (and the standalone server); default true */
  connect?: boolean;
  /** also open a pg client of each shard (`direct`); default false */
  direct?: boolean;
  /** statements then run through the router client, in order (rows, views, session settings) */
  setup?: readonly string[];
}

export interface ShardedRouter {
  shards: QuiverServer[];
  router: ShardRouter;
  /** a pg client of the router (unless `connect: false`) */
  client: pg.Client;
  standalone?: QuiverServer;
  /** a pg client of the standalone server (with `standalone`, unless `connect: false`) */
  alone?: pg.Client;
  /** a pg client of each shard (with `direct`; else empty) */
  direct: pg.Client[];
  /** rows of `sql` on each shard, read there directly, as arrays */
  onShards(sql: string): Promise<any[][][]>;
  close(): Promise<void>;
}

export async function startShardedRouter(opts: ShardedRouterOptions): Promise<ShardedRouter> {
  const count = opts.shards ?? 2;
  // prepared transactions on: multi-shard writes commit by two-phase commit (PostgreSQL's default, 0, turns it off)
  const env = { QUIVER_MAX_PREPARED_TRANSACTIONS: '10' };
  const servers = await Promise.all(Array.from({ length: count + (opts.standalone ? 1 : 0) }, () => startQuiver({ env })));
  const shards = servers.slice(0, count);
  const standalone = opts.standalone ? servers[count] : undefined;
  let router: ShardRouter | undefined;
  const clients: pg.Client[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await router?.close();
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    for (const s of servers) {
      const d = await loopbackClient(s.port);
      try {
        for (const ddl of opts.ddl) await d.query(ddl);
      } finally {
        await d.end();
      }
    }
    router = await startShardRouter({
      host: '127.0.0.1', port: 0, directory: staticShardDirectory(shards.map((s) => `127.0.0.1:${s.port}`)), logger: routerTestLogger,
      ...(opts.planner ?? true ? { planFanout } : {}),
    });
    const connect = opts.connect ?? true;
    const client = connect ? await loopbackClient(router.port) : (undefined as unknown as pg.Client);
    if (connect) clients.push(client);
    const alone = connect && standalone ? await loopbackClient(standalone.port) : undefined;
    if (alone) clients.push(alone);
    const direct = opts.direct ? await Promise.all(shards.map((s) => loopbackClient(s.port))) : [];
    clients.push(...direct);
    for (const sql of opts.setup ?? []) await client.query(sql);
    return {
      shards, router, client, direct,
      ...(standalone ? { standalone } : {}),
      ...(alone ? { alone } : {}),
      onShards: (sql) => rowsOnEach(shards, sql),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
