/**
 * The Coordinator (coordinator.ts) on etcd (npm etcd3). Each coordinator holds ONE lease,
 * kept alive by etcd3: its election keys and node registrations are bound to it, so they
 * all vanish together when the node stops renewing (killed, cut off) — after the TTL — or
 * at once when it closes. Every key lives under `prefix` (default "quiver/").
 *
 * Elections are etcd's recipe (the Go client's concurrency.Election), written here
 * because etcd3's Campaign insists on a lease of its own: a candidate puts
 * `election/<name>/<lease id>` if absent, and leads once every key created before it
 * (lower create revision) is deleted; the leader is the oldest key. (etcd3's Election
 * uses the same layout; its observer was not used: in one run of the test it never
 * reported a leader that was elected while it waited.)
 */
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { Etcd3, isRecoverableError, type Lease, type Namespace, type Watcher, type WatchBuilder } from 'etcd3';
import type { Coordinator, Leadership, NodeInfo } from './coordinator.js';

/** The etcd cluster to use and this node's lease. */
/** An etcd user and password (etcd's authentication; --etcd-user, QUIVER_ETCD_PASSWORD). */
export interface EtcdAuth {
  readonly username: string;
  readonly password: string;
}

export interface EtcdCoordinatorOptions {
  /** client endpoints, e.g. ["http://127.0.0.1:2379"] */
  readonly endpoints: readonly string[];
  /** etcd's user and password when it has authentication enabled */
  readonly auth?: EtcdAuth;
  /** the CA (PEM) etcd's certificate is checked against, for https:// endpoints (--etcd-tls-ca) */
  readonly ca?: Buffer;
  /** default "quiver/" */
  readonly prefix?: string;
  /** seconds until a silent node's lease (registrations, leadership) expires; default 5 */
  readonly leaseTtlSeconds?: number;
}

/**
 * One granted lease and the moment it is known lost. etcd3 says 'lost' when etcd answers
 * that the lease is gone, but when etcd is unreachable only 2 × TTL after the last renewal,
 * while etcd itself expires the lease (and may elect another leader) after 1 × TTL. So the
 * lease also counts as lost once TTL has passed since the SENDING of the last renewal etcd
 * acknowledged (etcd restarted the TTL no earlier than that).
 */
class LeaseSession {
  readonly lease: Lease;
  readonly lost: Promise<void>;
  isLost = false;
  /** why the lease counts as lost (in a campaign's rejection) */
  lostBecause = '';
  /** the best-effort revocation started when the lease ended */
  revoked: Promise<void> = Promise.resolve();
  private markLost: () => void = () => {};
  private timer: NodeJS.Timeout | undefined;
  /** send times of renewals not yet answered (answers come in order on the stream) */
  private unanswered: number[] = [];

  constructor(ns: Namespace, private readonly ttlMs: number) {
    this.lost = new Promise<void>((resolve) => { this.markLost = resolve; });
    const requested = Date.now();
    this.lease = ns.lease(ttlMs / 1000);
    this.lease.on('lost', (e: Error) => this.end(`etcd: ${e.message}`));
    this.lease.on('keepaliveEstablished', () => { this.unanswered = []; });
    this.lease.on('keepaliveFired', () => this.unanswered.push(Date.now()));
    this.lease.on('keepaliveSucceeded', () => {
      const sent = this.unanswered.shift();
      if (sent !== undefined) this.expireAt(sent + this.ttlMs);
    });
    this.lease.grant().then(() => this.expireAt(requested + this.ttlMs), (e: Error) => this.end(`not granted: ${e.message}`));
  }

  private expireAt(at: number): void {
    if (this.isLost) return;
    clearTimeout(this.timer);
    const since = at - this.ttlMs;
    this.timer = setTimeout(() => this.end(`no renewal acknowledged for ${Date.now() - since} ms (TTL ${this.ttlMs} ms)`), Math.max(0, at - Date.now()));
    this.timer.unref();
  }

  /**
   * Tell the waiters, stop renewing and revoke if etcd can still be reached: a lease we
   * call lost must not keep our election key alive.
   */
  end(because: string): void {
    if (this.isLost) return;
    this.isLost = true;
    this.lostBecause = because;
    clearTimeout(this.timer);
    this.markLost();
    this.revoked = this.lease.revoke().catch(() => {});
  }
}

/** How long one unary etcd call may take before it is retried (see the constructor). */
const UNARY_DEADLINE_MS = 2_000;
/** How long etcd may take to start a watch (etcd3 reconnects the stream meanwhile). */
const WATCH_START_MS = 10_000;

/** The Coordinator on etcd, one lease per instance (see the top of this file). */
export class EtcdCoordinator implements Coordinator {
  private readonly client: Etcd3;
  private readonly ns: Namespace;
  private readonly ttlMs: number;
  private session: LeaseSession | undefined;
  /** put again under the next lease when one is lost (a cut-off node reappears when it reconnects) */
  private readonly registrations = new Map<string, NodeInfo>();
  /** cancelled at close: etcd3's close leaves watchers reconnecting (and the process alive) */
  private readonly watchers = new Set<Watcher>();
  private closed = false;
  /** this coordinator's candidate per election (its key: the lease id), for takeover() */
  private readonly candidacies = new Map<string, Candidacy>();

  constructor(opts: EtcdCoordinatorOptions) {
    this.client = new Etcd3({
      hosts: [...opts.endpoints], dialTimeout: 3000,
      ...(opts.auth ? { auth: { username: opts.auth.username, password: opts.auth.password } } : {}),
      ...(opts.ca ? { credentials: { rootCertificate: opts.ca } } : {}),
      // A request in flight when etcd's raft leader dies is answered only by etcd's own
      // request timeout (5 s + 2 election timeouts: a put took 7,010 ms in 3 of 3 kills);
      // a 2 s deadline lets etcd3 retry it (DEADLINE_EXCEEDED is retryable) once a new
      // leader is elected (~1 s). Watches and lease keep-alives are streams: no deadline.
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + UNARY_DEADLINE_MS }),
      // etcd3's own policy tries a call 3 times at once, each time on a member picked at
      // random: while a raft election follows a member's death, two tries can wait out
      // their deadline on live members and the third be refused by the dead one (a put
      // failed so with UNAVAILABLE 4.6 s after etcd's raft leader was killed, in 1 of 30
      // runs under load); 5 retries 0.1-1 s apart outlast an election (~1-2 s)
      faultHandling: { global: retry(handleWhen(isRecoverableError), { maxAttempts: 5, backoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1000 }) }) },
    });
    this.ns = this.client.namespace(opts.prefix ?? 'quiver/');
    this.ttlMs = (opts.leaseTtlSeconds ?? 5) * 1000;
  }

  /** The live lease; a new one once the last was lost. */
  private live(): LeaseSession {
    if (this.closed) throw new Error('the coordinator is closed');
    if (!this.session || this.session.isLost) {
      const s = new LeaseSession(this.ns, this.ttlMs);
      this.session = s;
      void s.lost.then(() => this.reregister());
    }
    return this.session;
  }

  private async reregister(): Promise<void> {
    if (this.registrations.size === 0) return;
    // a second's pause: a lease lost because etcd is unreachable is not granted again at once
    await new Promise((r) => setTimeout(r, 1000).unref());
    if (this.closed) return;
    try {
      for (const node of this.registrations.values()) await this.putNode(node);
    } catch {
      // the new lease was lost too: its own loss schedules the next attempt
    }
  }

  private async putNode(node: NodeInfo): Promise<void> {
    await this.live().lease.put(`nodes/${node.role}/${node.id}`).value(JSON.stringify(node));
  }

  async campaign(election: string, value: string, signal?: AbortSignal): Promise<Leadership> {
    signal?.throwIfAborted();
    const session = this.live();
    const id = await session.lease.grant();
    const candidates = this.ns.namespace(`election/${election}/`);
    const me: Candidacy = { id, value, revision: await this.putCandidate(candidates, id, value, election) };
    this.candidacies.set(election, me);
    const withdraw = () => {
      if (this.candidacies.get(election) === me) this.candidacies.delete(election);
      return candidates.delete().key(id).exec().then(() => {}, () => {});
    };
    try {
      await this.waitForPredecessors(candidates, me, stopOn(session, signal));
    } catch (e) {
      await withdraw();
      throw e;
    }
    return {
      lost: Promise.race([session.lost, this.deposed(candidates, me, session)]),
      lostBecause: () => (session.isLost ? `its lease: ${session.lostBecause}` : 'its election key is gone or another candidate is ahead (a revoked lease, a takeover)'),
      resign: withdraw,
    };
  }

  /** Put this candidate's key if absent; its create revision. */
  private async putCandidate(candidates: Namespace, id: string, value: string, election: string): Promise<string> {
    const put = await candidates.if(id, 'Create', '==', 0).then(candidates.put(id).value(value).lease(id)).commit();
    if (!put.succeeded) throw new Error(`already campaigning in election ${election}`);
    return put.header.revision;
  }

  async takeover(election: string): Promise<void> {
    const me = this.candidacies.get(election);
    if (!me) throw new Error(`this node is not a candidate in election ${election}`);
    const candidates = this.ns.namespace(`election/${election}/`);
    for (;;) {
      const all = await candidates.getAll().sort('Create', 'Ascend').exec();
      const before = all.kvs.filter((kv) => BigInt(kv.create_revision) < BigInt(me.revision)).map((kv) => kv.key.toString());
      if (before.length === 0) return;
      // only while this candidate's key is the one we know (it may be re-queued meanwhile)
      let txn = candidates.if(me.id, 'Create', '==', me.revision);
      for (const key of before) txn = txn.and(key, 'Create', '>', 0);
      const done = await txn.then(...before.map((key) => candidates.delete().key(key))).commit();
      if (done.succeeded) return;
    }
  }

  /**
   * Resolves once this leader's key is gone while its lease lives (another candidate took
   * over: takeover). Watched, and read again after each TTL (a watch can miss the delete).
   */
  private deposed(candidates: Namespace, me: Candidacy, session: LeaseSession): Promise<void> {
    return new Promise<void>((resolve) => {
      const watcher = this.startWatch(candidates.watch().key(me.id).only('delete'));
      let timer: NodeJS.Timeout | undefined;
      const end = () => {
        clearInterval(timer);
        void this.unwatch(watcher);
      };
      const gone = () => {
        end();
        resolve();
      };
      watcher.once('delete', gone);
      timer = setInterval(() => {
        candidates.get(me.id).exec().then((r) => { if (r.kvs.length === 0 && !session.isLost) gone(); }, () => {});
      }, this.ttlMs);
      timer.unref();
      void session.lost.then(end);
    });
  }

  /** A watch, tracked from the start: close() cancels it even if etcd never started it. */
  private startWatch(builder: WatchBuilder): Watcher {
    const watcher = builder.watcher();
    this.watchers.add(watcher);
    return watcher;
  }

  /**
   * Cancel once (etcd3 waits for an answer to a second cancellation that never comes), and
   * wait for etcd's answer no longer than a unary call: a stream on a member that went
   * silent never answers (nor does one that is not started yet).
   */
  private async unwatch(watcher: Watcher): Promise<void> {
    if (!this.watchers.delete(watcher)) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.resolve().then(() => watcher.cancel()).catch(() => {}),
      new Promise((r) => { timer = setTimeout(r, UNARY_DEADLINE_MS); }),
    ]);
    clearTimeout(timer);
  }

  /**
   * Resolves once no candidate created before `revision` remains (this candidate leads).
   * The predecessor's key is read again when its watch reports the delete, and also after
   * a TTL without one, as a watch can miss it for good: etcd3 resumes a broken watch stream
   * from the revision of the creation answer, past the events etcd replays after that
   * answer (the delete may be one), and a stream on a member cut off from its peers stays
   * open and silent (etcd3 does not ask etcd to require a leader) while our lease renews
   * through another member. So neither the watch's creation nor its cancellation is waited
   * for: either could wait for that member.
   */
  private async waitForPredecessors(candidates: Namespace, me: Candidacy, stop: Promise<never>): Promise<void> {
    for (;;) {
      // one read: this candidate's own key and those before it, as of one revision
      const all = await Promise.race([candidates.getAll().sort('Create', 'Ascend').exec(), stop]);
      if (!all.kvs.some((kv) => kv.key.toString() === me.id && kv.create_revision === me.revision)) {
        // removed by another candidate's takeover (pg_promote): in the queue again, at its end
        me.revision = await Promise.race([this.putCandidate(candidates, me.id, me.value, 'this one'), stop]);
        continue;
      }
      const before = all.kvs.filter((kv) => BigInt(kv.create_revision) < BigInt(me.revision));
      if (before.length === 0) return;
      // the newest older candidate: when it goes, look again (older ones may remain)
      const watcher = this.startWatch(candidates.watch().key(before[before.length - 1].key).startRevision(String(BigInt(all.header.revision) + 1n)).only('delete'));
      let recheck: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          new Promise<void>((resolve) => {
            watcher.once('delete', () => resolve());
            // a watch that failed (e.g. compacted): look again
            watcher.on('error', () => resolve());
            recheck = setTimeout(resolve, this.ttlMs);
          }),
          stop,
        ]);
      } finally {
        clearTimeout(recheck);
        void this.unwatch(watcher);
      }
    }
  }

  async leader(election: string): Promise<string | undefined> {
    return oldest(this.ns.namespace(`election/${election}/`));
  }

  async watchLeader(election: string, onChange: (value: string | undefined) => void): Promise<() => Promise<void>> {
    const candidates = this.ns.namespace(`election/${election}/`);
    let last: string | undefined | null = null;
    return this.watchPrefix(candidates, `election ${election}`, () => oldest(candidates), (v) => {
      if (v === last) return;
      last = v;
      onChange(v);
    });
  }

  async watchNodes(role: string, onChange: (nodes: NodeInfo[]) => void): Promise<() => Promise<void>> {
    return this.watchPrefix(this.ns.namespace(`nodes/${role}/`), `the ${role} nodes`, () => this.nodes(role), onChange);
  }

  /**
   * Watch every key of `keys`: `read` the state now and after each change (one read after
   * another, so that the last report is the newest state), `report` each read.
   */
  private async watchPrefix<T>(keys: Namespace, what: string, read: () => Promise<T>, report: (state: T) => void): Promise<() => Promise<void>> {
    let reads = Promise.resolve();
    const readAgain = () => {
      // a failed read (or report) must not stop the later ones
      reads = reads.then(read).then(report).catch(() => {});
    };
    // watching first, then reading: a change in between is not missed
    const watcher = this.startWatch(keys.watch().prefix(''));
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        watcher.once('connected', () => resolve());
        watcher.once('error', reject);
        timer = setTimeout(() => reject(new Error(`etcd did not start the watch of ${what} within ${WATCH_START_MS} ms`)), WATCH_START_MS);
      });
    } catch (e) {
      void this.unwatch(watcher);
      throw e;
    } finally {
      clearTimeout(timer);
    }
    watcher.on('data', readAgain);
    // after a reconnection (changes while disconnected are replayed, but read anyway)
    watcher.on('connected', readAgain);
    watcher.on('error', readAgain);
    readAgain();
    await reads;
    return () => this.unwatch(watcher);
  }

  async register(node: NodeInfo): Promise<void> {
    this.registrations.set(`${node.role}/${node.id}`, node);
    await this.putNode(node);
  }

  async nodes(role?: string): Promise<NodeInfo[]> {
    const all = await this.ns.getAll().prefix(role ? `nodes/${role}/` : 'nodes/').strings();
    return Object.values(all).map((v) => JSON.parse(v) as NodeInfo);
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.ns.get(`keys/${key}`).string()) ?? undefined;
  }

  async put(key: string, value: string): Promise<void> {
    await this.ns.put(`keys/${key}`).value(value);
  }

  async putIfAbsent(key: string, value: string): Promise<string> {
    // one transaction: of two nodes starting at once, one puts and the other reads its value
    const r = await this.ns.if(`keys/${key}`, 'Create', '==', 0).then(this.ns.put(`keys/${key}`).value(value)).else(this.ns.get(`keys/${key}`)).commit();
    if (r.succeeded) return value;
    const found = r.responses[0]?.response_range?.kvs[0]?.value.toString();
    // deleted between the compare and the read cannot be (one transaction); absent means a bug
    if (found === undefined) throw new Error(`etcd answered key ${key} exists without its value`);
    return found;
  }

  async compareAndPut(key: string, expected: string | undefined, value: string): Promise<boolean> {
    const k = `keys/${key}`;
    const compare = expected === undefined ? this.ns.if(k, 'Create', '==', 0) : this.ns.if(k, 'Value', '==', expected);
    return (await compare.then(this.ns.put(k).value(value)).commit()).succeeded;
  }

  async delete(key: string): Promise<void> {
    await this.ns.delete().key(`keys/${key}`);
  }

  async list(prefix: string): Promise<Map<string, string>> {
    const all = await this.ns.getAll().prefix(`keys/${prefix}`).strings();
    return new Map(Object.entries(all).map(([k, v]) => [k.slice('keys/'.length), v]));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const s = this.session;
    if (s) {
      // our leadership ends now, whatever else happens; the revocation is a courtesy
      // (the lease expires anyway), not waited for longer than the TTL
      s.end('the coordinator closed');
      await Promise.race([s.revoked, new Promise((r) => setTimeout(r, this.ttlMs).unref())]);
    }
    await Promise.all([...this.watchers].map((w) => this.unwatch(w)));
    this.client.close();
  }
}

/** A campaign's key in its election: the lease id, the value, the key's create revision. */
interface Candidacy {
  readonly id: string;
  readonly value: string;
  revision: string;
}

/** A promise that rejects when the campaign must stop waiting: the lease is lost, or `signal` aborts. */
function stopOn(session: LeaseSession, signal: AbortSignal | undefined): Promise<never> {
  const stop = new Promise<never>((_, reject) => {
    void session.lost.then(() => reject(new Error(`the lease was lost before this candidate was elected (${session.lostBecause})`)));
    // aborted already: while the lease was granted or the key put (an abort event does not
    // come again for a listener added later: the campaign waited for good, seen under load)
    if (signal?.aborted) reject(new Error('campaign aborted'));
    signal?.addEventListener('abort', () => reject(new Error('campaign aborted')), { once: true });
  });
  stop.catch(() => {});
  return stop;
}

/** The oldest candidate's value: the leader's. */
async function oldest(candidates: Namespace): Promise<string | undefined> {
  const r = await candidates.getAll().sort('Create', 'Ascend').limit(1).exec();
  return r.kvs[0]?.value.toString();
}

/** Connects (rejecting with the reason when no endpoint answers) and returns the coordinator. */
export async function openEtcdCoordinator(opts: EtcdCoordinatorOptions): Promise<Coordinator> {
  const c = new EtcdCoordinator(opts);
  try {
    await c.get('ping');
  } catch (e) {
    await c.close();
    throw e;
  }
  return c;
}
