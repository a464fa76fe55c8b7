/**
 * The shared log (src/storage/shared-log.ts) on NATS JetStream: one stream with one
 * subject (`quiver.log.<stream>`), file storage, `num_replicas` copies (3 in a cluster),
 * no age, size or count limits. JetStream acknowledges a message once a quorum of the
 * stream's replicas has it.
 *
 * A batch larger than `maxMessage` goes as several messages ("parts") carrying the headers
 * Quiver-Batch (the batch's id) and Quiver-Part (`index/count`). Every part is published
 * with JetStream's expected-last-sequence check, so a second writer is fenced (LogFenced)
 * at any part, and with a message id derived from the batch id and the part index, so a
 * retry after a lost acknowledgement is de-duplicated by the stream instead of stored
 * twice. The batch id is the writer's id, the position the batch goes after and a digest
 * of its payload: the same writer appending *another* payload after the same position is
 * never mistaken for a retry (it is fenced if the first one got in).
 *
 * Positions are JetStream stream sequences, i.e. message positions:
 * - a batch's seq is the sequence of its last part;
 * - `lastSeq()` is the stream's last sequence: the `expectedLast` of the next append. It
 *   equals the last complete batch's seq unless a writer died mid-batch; then it is the
 *   last of that batch's parts (a "torn" batch), which no reader ever visits;
 * - `read(after)` visits the complete batches among the messages after `after`, skipping a
 *   batch whose parts stop short: at the end of the log, or followed by another batch's
 *   first part (the next writer appended after the torn parts, as it must).
 * Only one writer can append after a given position (the expected-last-sequence check), so
 * parts of two batches never interleave: a torn batch is always a prefix of its parts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AckPolicy, connect, DeliverPolicy, headers as natsHeaders, nanos, StorageType, type Consumer, type JetStreamClient, type JetStreamManager, type JsMsg, type MsgHdrs, type NatsConnection, type PubAck } from 'nats';
import { LogFenced, LogTrimmed, type LogBatch, type SharedLog } from '../storage/shared-log.js';

/** How to reach and shape the log's stream. */
export interface JetStreamLogOptions {
  /** NATS server URLs */
  readonly servers: readonly string[];
  /** the NATS user and password when the servers require them (--nats-user, QUIVER_NATS_PASSWORD) */
  readonly user?: string;
  readonly pass?: string;
  /** the CA (PEM) the servers' certificates are checked against: the connection is TLS (--nats-tls-ca) */
  readonly tlsCa?: string;
  /** the stream's name (one stream a log; letters, digits, - and _) */
  readonly stream: string;
  /** replicas of the stream when it is created (default 3; an existing stream keeps its own) */
  readonly replicas?: number;
  /** largest part body (default 1 MiB; clamped below the servers' max_payload) */
  readonly maxMessage?: number;
  /** how long an append keeps retrying while the stream does not answer (default 30 s) */
  readonly retryMs?: number;
  /** how long one request (a publish's acknowledgement, a query) waits for JetStream before it is retried (default 2 s) */
  readonly timeoutMs?: number;
}

/** Header naming a part's batch. */
export const BATCH_HEADER = 'Quiver-Batch';
/** Header with a part's `index/count` (0-based index). */
export const PART_HEADER = 'Quiver-Part';
/** JetStream's error code for a failed expected-last-sequence check */
const WRONG_LAST_SEQUENCE = 10071;
/** JetStream's error code for "no message found" (a direct read past the end) */
const NO_MESSAGE_FOUND = 10037;
/** room left under max_payload for the headers of a part */
const HEADER_ROOM = 4096;
const DEFAULT_PART = 1024 * 1024;
/** how long a reader waits for messages in one pull before it checks its consumer is alive */
const READ_WAIT_MS = 2000;
/** bytes of parts a reader asks for at once (a count of messages, in fact: see readBatch) */
const READ_BUFFER = 32 * 1024 * 1024;
/** how long duplicates of a message id are recognised: far longer than an append's retries */
const DUPLICATE_WINDOW_NS = 5 * 60 * 1_000_000_000;

/** The subject a log's stream holds. */
export function logSubject(stream: string): string {
  return `quiver.log.${stream}`;
}

/** The headers of part `index` of `count` of batch `batch` (exported for tests that forge a torn batch). */
export function partHeaders(batch: string, index: number, count: number): MsgHdrs {
  const h = natsHeaders();
  h.set(BATCH_HEADER, batch);
  h.set(PART_HEADER, `${index}/${count}`);
  return h;
}

/** The id of a batch: who wrote it, after which position, and what it holds. */
function batchId(writer: string, expectedLast: number, payload: Uint8Array): string {
  const digest = createHash('sha256').update(payload).digest('base64url').slice(0, 22);
  return `${writer}.${expectedLast}.${digest}`;
}

function apiErrorCode(e: unknown): number | undefined {
  return (e as { api_error?: { err_code?: number } })?.api_error?.err_code;
}

function isWrongLastSequence(e: unknown): boolean {
  return apiErrorCode(e) === WRONG_LAST_SEQUENCE || /wrong last sequence/i.test((e as Error)?.message ?? '');
}

function lastFromMessage(e: unknown): number | undefined {
  const m = /wrong last sequence: (\d+)/i.exec((e as Error)?.message ?? '');
  return m ? Number(m[1]) : undefined;
}

/** Errors no retry can cure: the connection was closed by us, or the part is too large. */
function isPermanent(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return e instanceof LogFenced || code === 'CONNECTION_CLOSED' || code === 'CONNECTION_DRAINING' || code === 'MAX_PAYLOAD_EXCEEDED';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Run `fn`, retrying with backoff for `limit` ms while NATS or JetStream does not answer
 * (a leader election, a server restarting); then fail with what was being done.
 */
async function retrying<T>(limit: number, what: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + limit;
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    try {
      return await fn();
    } catch (e) {
      if (isPermanent(e)) throw e;
      if (Date.now() + wait > deadline) throw new Error(`JetStream: could not ${what} within ${limit} ms: ${(e as Error).message}`, { cause: e });
      await sleep(wait);
    }
  }
}

/** The part of one message that reassembly needs. */
interface Part {
  readonly seq: number;
  readonly batch: string;
  readonly index: number;
  readonly count: number;
  readonly data: Uint8Array;
}

function partOf(m: JsMsg): Part {
  const [index, count] = (m.headers?.get(PART_HEADER) || '0/1').split('/').map(Number);
  return { seq: m.seq, batch: m.headers?.get(BATCH_HEADER) ?? '', index, count, data: m.data };
}

/**
 * Turns the stream's messages, in order, into whole batches. A part that does not continue
 * the batch begun (another batch's first part, or a part whose predecessors were not seen)
 * drops what was gathered: those were the parts of a torn batch.
 */
export class BatchAssembler {
  private batch = '';
  private count = 0;
  private parts: Uint8Array[] = [];

  /** Feed the next message's part; returns the batch it completes, if any. */
  push(p: Part): LogBatch | undefined {
    if (p.index === 0) {
      this.batch = p.batch;
      this.count = p.count;
      this.parts = [];
    } else if (p.batch !== this.batch || p.index !== this.parts.length || p.count !== this.count) {
      this.parts = [];
      this.batch = '';
      return undefined;
    }
    this.parts.push(p.data);
    if (this.parts.length < this.count) return undefined;
    const payload = this.count === 1 ? this.parts[0] : Buffer.concat(this.parts);
    this.parts = [];
    this.batch = '';
    return { seq: p.seq, payload };
  }
}

/** A SharedLog on one JetStream stream (see the top of this file). */
export class JetStreamLog implements SharedLog {
  /** distinguishes this writer's message ids from any other's */
  private readonly writer = randomUUID();
  private readonly subject: string;
  private readonly partSize: number;
  /** messages a reader asks for in one pull: about READ_BUFFER bytes of full parts */
  private readonly readBatch: number;

  private constructor(private readonly nc: NatsConnection, private readonly js: JetStreamClient, private readonly jsm: JetStreamManager, private readonly opts: JetStreamLogOptions) {
    this.subject = logSubject(opts.stream);
    this.partSize = Math.max(1, Math.min(opts.maxMessage ?? DEFAULT_PART, nc.info!.max_payload - HEADER_ROOM));
    this.readBatch = Math.min(256, Math.max(16, Math.floor(READ_BUFFER / this.partSize)));
  }

  /**
   * Connect, and create the stream unless it exists. Servers that do not answer yet (a
   * cluster starting, JetStream electing its meta leader: its API requests time out) are
   * retried for `retryMs`, as every other request: a node starting then does not die of a
   * raw TIMEOUT.
   */
  static async open(opts: JetStreamLogOptions): Promise<JetStreamLog> {
    const limit = opts.retryMs ?? 30_000;
    const nc = await retrying(limit, 'connect to NATS', () => connect({ servers: [...opts.servers], ...(opts.user !== undefined ? { user: opts.user, pass: opts.pass ?? '' } : {}), ...(opts.tlsCa ? { tls: { ca: opts.tlsCa } } : {}), maxReconnectAttempts: -1, reconnectTimeWait: 250, timeout: Math.min(5000, limit) }));
    try {
      // short timeouts: a request to a leader that just died is only answered by its successor, when retried
      const timeout = opts.timeoutMs ?? 2000;
      // (it asks JetStream for the account's info: the first JetStream request)
      const jsm = await retrying(limit, 'reach JetStream', () => nc.jetstreamManager({ timeout }));
      const log = new JetStreamLog(nc, nc.jetstream({ timeout }), jsm, opts);
      await log.retrying('create the stream', () => log.ensureStream());
      return log;
    } catch (e) {
      await nc.close().catch(() => {});
      throw e;
    }
  }

  private async ensureStream(): Promise<void> {
    try {
      await this.jsm.streams.info(this.opts.stream);
      return;
    } catch (e) {
      if (!/stream not found/i.test((e as Error).message)) throw e;
    }
    try {
      await this.jsm.streams.add({
        name: this.opts.stream,
        subjects: [this.subject],
        storage: StorageType.File,
        num_replicas: this.opts.replicas ?? 3,
        // the log is the data: no age, size or count limits (-1: none), nothing discarded
        max_age: 0,
        max_msgs: -1,
        max_bytes: -1,
        max_msgs_per_subject: -1,
        duplicate_window: DUPLICATE_WINDOW_NS,
      });
    } catch (e) {
      // another node created it at the same moment (with other settings: it stays theirs)
      if (!/already in use/i.test((e as Error).message)) throw e;
    }
  }

  /** Run `fn`, retrying with backoff while JetStream does not answer (a leader election, a server restarting). */
  private retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return retrying(this.opts.retryMs ?? 30_000, what, fn);
  }

  async append(payload: Uint8Array, expectedLast: number): Promise<number> {
    const count = Math.max(1, Math.ceil(payload.byteLength / this.partSize));
    const batch = batchId(this.writer, expectedLast, payload);
    let last = expectedLast;
    for (let i = 0; i < count; i++) {
      const body = payload.subarray(i * this.partSize, Math.min(payload.byteLength, (i + 1) * this.partSize));
      last = await this.publishPart(batch, i, count, body, last);
    }
    return last;
  }

  /** Publish one part after position `after`; resolves with its sequence once JetStream acknowledged it. */
  private publishPart(batch: string, index: number, count: number, body: Uint8Array, after: number): Promise<number> {
    const msgID = `${batch}.${index}`;
    return this.retrying('append to the log', async () => {
      let ack: PubAck;
      try {
        ack = await this.js.publish(this.subject, body, { msgID, expect: { lastSequence: after }, headers: partHeaders(batch, index, count) });
      } catch (e) {
        if (!isWrongLastSequence(e)) throw e;
        // An earlier attempt of ours may be what moved the log on, its id no longer known
        // as a duplicate (a new stream leader that had not yet applied it, or the window
        // passed): then the part is in, right after `after`.
        if (await this.messageIdAt(after + 1) === msgID) return after + 1;
        throw new LogFenced(after, lastFromMessage(e));
      }
      // a duplicate of an attempt still being stored has no sequence yet: ask again
      if (ack.duplicate && !(ack.seq > 0)) throw new Error('a duplicate of a part still being stored');
      return ack.seq;
    });
  }

  /** The message id of the message at `seq` (undefined: none there). */
  private async messageIdAt(seq: number): Promise<string | undefined> {
    try {
      return (await this.jsm.streams.getMessage(this.opts.stream, { seq })).header.get('Nats-Msg-Id') || undefined;
    } catch (e) {
      if (apiErrorCode(e) === NO_MESSAGE_FOUND || /no message found/i.test((e as Error).message)) return undefined;
      throw e;
    }
  }

  /** The stream's last sequence: the next append's `expectedLast` (past a torn batch's parts, if the log ends in one). */
  async lastSeq(): Promise<number> {
    return this.retrying("read the log's state", async () => (await this.jsm.streams.info(this.opts.stream)).state.last_seq);
  }

  async trimmedTo(): Promise<number> {
    return this.retrying("read the log's state", async () => Math.max(0, (await this.jsm.streams.info(this.opts.stream)).state.first_seq - 1));
  }

  async trim(seq: number): Promise<void> {
    // purge keeps messages from `seq` on: a batch's seq is its last part, so whole batches go
    await this.retrying('trim the log', () => this.jsm.streams.purge(this.opts.stream, { seq: seq + 1 }));
  }

  async read(afterSeq: number, visit: (batch: LogBatch) => void | Promise<void>, options: { follow?: boolean; signal?: AbortSignal } = {}): Promise<number> {
    const { follow = false, signal } = options;
    const trimmed = await this.trimmedTo();
    if (afterSeq < trimmed) throw new LogTrimmed(afterSeq, trimmed);
    const end = follow ? Infinity : await this.lastSeq();
    const state = { cursor: afterSeq, visited: afterSeq, assembler: new BatchAssembler() };
    let fetching: { close(): Promise<void | Error> } | undefined;
    const stop = () => { void fetching?.close().catch(() => {}); };
    signal?.addEventListener('abort', stop, { once: true });
    const limit = this.opts.retryMs ?? 30_000;
    let progressAt = Date.now();
    try {
      while (state.cursor < end && !signal?.aborted) {
        const consumer = await this.retrying('open a reader', () => this.openReader(state.cursor + 1));
        try {
          // pull until the consumer stalls (its server died, a delivery was lost); then a new one from the cursor
          for (;;) {
            const before = state.cursor;
            // by count, not max_bytes: nats.js 2.29 ends a fetch early only once its byte count
            // runs out too, so a byte limit made every pull wait out READ_WAIT_MS (50 batches/s)
            const messages = await consumer.fetch({ max_messages: this.readBatch, expires: READ_WAIT_MS });
            fetching = messages;
            const healthy = await this.take(messages, state, end, visit, signal);
            if (state.cursor > before) progressAt = Date.now();
            if (!healthy || state.cursor >= end || signal?.aborted) break;
            // nothing within READ_WAIT_MS although the log has more: this consumer is lost
            if (state.cursor === before && (follow ? await this.lastSeq() : end) > state.cursor) break;
          }
        } finally {
          // best effort (the server holding it may be gone): unused, it expires by itself
          this.jsm.consumers.delete(this.opts.stream, consumer.name).catch(() => {});
        }
        if (state.cursor >= end || signal?.aborted) break;
        // a gap: the batches after the cursor may have been trimmed meanwhile (a follower left behind)
        const trimmedNow = await this.trimmedTo();
        if (state.cursor < trimmedNow) throw new LogTrimmed(state.cursor, trimmedNow);
        if (Date.now() - progressAt > limit) throw new Error(`JetStream: the log could not be read past ${state.cursor} within ${limit} ms`);
        await sleep(100);
      }
    } catch (e) {
      if (!signal?.aborted) throw e;
    } finally {
      signal?.removeEventListener('abort', stop);
    }
    return state.visited;
  }

  /**
   * Visit the whole batches among one pull's messages; false if the pull failed or skipped
   * a message (the stream has no holes, nothing is ever deleted: a gap is a lost delivery).
   */
  private async take(messages: AsyncIterable<JsMsg> & { close(): Promise<void | Error> }, state: { cursor: number; visited: number; assembler: BatchAssembler }, end: number, visit: (batch: LogBatch) => void | Promise<void>, signal?: AbortSignal): Promise<boolean> {
    let visiting = false;
    try {
      if (signal?.aborted) return true;
      for await (const m of messages) {
        if (m.seq <= state.cursor) continue;
        if (m.seq !== state.cursor + 1) return false;
        state.cursor = m.seq;
        const batch = state.assembler.push(partOf(m));
        if (batch) {
          visiting = true;
          await visit(batch);
          visiting = false;
          state.visited = batch.seq;
        }
        if (state.cursor >= end) break;
      }
      return true;
    } catch (e) {
      // the visitor's own errors are the caller's; the pull's are cured by a new consumer
      if (visiting || isPermanent(e)) throw e;
      return false;
    } finally {
      // not awaited: a pull left early only settles once its queue is read
      void messages.close().catch(() => {});
    }
  }

  /**
   * An ephemeral pull consumer delivering the stream from `seq` on: no acknowledgements,
   * one replica in memory (a reader makes a new one from where it got to if it is lost),
   * removed by the server after a minute unused.
   */
  private async openReader(seq: number): Promise<Consumer & { name: string }> {
    const ci = await this.jsm.consumers.add(this.opts.stream, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: seq,
      ack_policy: AckPolicy.None,
      mem_storage: true,
      num_replicas: 1,
      inactive_threshold: nanos(60_000),
    });
    const consumer = await this.js.consumers.get(this.opts.stream, ci.name);
    return Object.assign(consumer, { name: ci.name });
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => this.nc.close());
  }
}

/** Open the shared log of `opts.stream` (creating its stream if missing). */
export function openJetStreamLog(opts: JetStreamLogOptions): Promise<SharedLog> {
  return JetStreamLog.open(opts);
}
