/**
 * The shared log (src/storage/shared-log.ts) on NATS JetStream: one stream with one
 * subject, file storage, `num_replicas` copies (3 in a cluster). JetStream acknowledges a
 * message once a quorum of the stream's replicas has it.
 *
 * A batch larger than `maxMessage` goes as several messages ("parts") carrying headers
 * Quiver-Batch (the writer's id and the position it appends after) and Quiver-Part (i/n).
 * Each part is published with JetStream's expected-last-sequence check (a second writer
 * is fenced: LogFenced) and a message id derived from batch and part, so a retry after a
 * lost acknowledgement is de-duplicated by the stream instead of stored twice.
 *
 * Positions are JetStream sequences: a batch's seq is its last part's. A writer that died
 * mid-batch leaves parts no reader ever visits (a batch is visited whole or not at all);
 * the next writer appends after them (log-replica.ts settles its position past them).
 */
import { randomUUID } from 'node:crypto';
import { connect, headers as natsHeaders, type JetStreamClient, type JetStreamManager, type NatsConnection, type JsMsg } from 'nats';
import { LogFenced, type LogBatch, type SharedLog } from '../storage/shared-log.js';

export interface JetStreamLogOptions {
  /** NATS server URLs */
  readonly servers: readonly string[];
  /** the stream's name (one stream a log; letters, digits, - and _) */
  readonly stream: string;
  /** replicas of the stream when it is created (default 3) */
  readonly replicas?: number;
  /** largest message body; a batch is split above it (default 1 MiB, NATS' default max_payload) */
  readonly maxMessage?: number;
  /** how long an append keeps retrying while the stream has no leader (default 30 s) */
  readonly retryMs?: number;
}

const BATCH = 'Quiver-Batch';
const PART = 'Quiver-Part';
/** JetStream's error code for a failed expected-last-sequence check */
const WRONG_LAST_SEQUENCE = 10071;

/** The error of a failed publish, as nats.js reports JetStream API errors. */
function apiErrorCode(e: unknown): number | undefined {
  const err = e as { api_error?: { err_code?: number }; code?: string; message?: string };
  if (err?.api_error?.err_code !== undefined) return err.api_error.err_code;
  const m = /wrong last sequence/i.exec(err?.message ?? '');
  return m ? WRONG_LAST_SEQUENCE : undefined;
}

function lastFromMessage(e: unknown): number | undefined {
  const m = /wrong last sequence: (\d+)/i.exec((e as Error)?.message ?? '');
  return m ? Number(m[1]) : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class JetStreamLog implements SharedLog {
  private readonly writer = randomUUID();
  private readonly subject: string;

  private constructor(private readonly nc: NatsConnection, private readonly js: JetStreamClient, private readonly jsm: JetStreamManager, private readonly opts: JetStreamLogOptions) {
    this.subject = `quiver.log.${opts.stream}`;
  }

  static async open(opts: JetStreamLogOptions): Promise<JetStreamLog> {
    const nc = await connect({ servers: [...opts.servers], maxReconnectAttempts: -1, reconnectTimeWait: 250, timeout: 5000 });
    try {
      const jsm = await nc.jetstreamManager({ timeout: 5000 });
      const log = new JetStreamLog(nc, nc.jetstream({ timeout: 5000 }), jsm, opts);
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
    } catch (e) {
      if (!/stream not found/i.test((e as Error).message)) throw e;
      await this.jsm.streams.add({
        name: this.opts.stream,
        subjects: [this.subject],
        num_replicas: this.opts.replicas ?? 3,
        // keep everything: the log is the data (no age, size or count limits)
        duplicate_window: 5 * 60 * 1_000_000_000,
      } as never);
    }
  }

  /** Run `fn`, retrying while JetStream has no answer (a leader election, a server restarting). */
  private async retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + (this.opts.retryMs ?? 30_000);
    let wait = 100;
    for (;;) {
      try {
        return await fn();
      } catch (e) {
        if (e instanceof LogFenced || apiErrorCode(e) === WRONG_LAST_SEQUENCE || Date.now() > deadline) {
          if (Date.now() > deadline && !(e instanceof LogFenced)) throw new Error(`JetStream: could not ${what} within ${this.opts.retryMs ?? 30_000} ms: ${(e as Error).message}`);
          throw e;
        }
        await sleep(wait);
        wait = Math.min(wait * 2, 1000);
      }
    }
  }

  async append(payload: Uint8Array, expectedLast: number): Promise<number> {
    const max = this.opts.maxMessage ?? 1024 * 1024;
    const count = Math.max(1, Math.ceil(payload.byteLength / max));
    const batch = `${this.writer}.${expectedLast}`;
    let last = expectedLast;
    for (let i = 0; i < count; i++) {
      const h = natsHeaders();
      h.set(BATCH, batch);
      h.set(PART, `${i}/${count}`);
      const body = payload.subarray(i * max, Math.min(payload.byteLength, (i + 1) * max));
      const after = last;
      const ack = await this.retrying('append to the log', async () => {
        try {
          return await this.js.publish(this.subject, body, { msgID: `${batch}.${i}`, expect: { lastSequence: after }, headers: h });
        } catch (e) {
          if (apiErrorCode(e) === WRONG_LAST_SEQUENCE) throw new LogFenced(after, lastFromMessage(e));
          throw e;
        }
      });
      last = ack.seq;
    }
    return last;
  }

  async lastSeq(): Promise<number> {
    return this.retrying('read the log\'s state', async () => (await this.jsm.streams.info(this.opts.stream)).state.last_seq);
  }

  async read(afterSeq: number, visit: (batch: LogBatch) => void | Promise<void>, options: { follow?: boolean; signal?: AbortSignal } = {}): Promise<number> {
    const end = options.follow ? Infinity : await this.lastSeq();
    if (end <= afterSeq) return afterSeq;
    let visited = afterSeq;
    let pending: { batch: string; count: number; parts: Uint8Array[] } | undefined;
    const take = async (m: JsMsg): Promise<void> => {
      const batch = m.headers?.get(BATCH) ?? '';
      const [i, n] = (m.headers?.get(PART) ?? '0/1').split('/').map(Number);
      if (i === 0) pending = { batch, count: n, parts: [] };
      // a part that does not continue the batch begun: the rest of a torn batch, skipped
      if (!pending || pending.batch !== batch || pending.parts.length !== i) {
        pending = undefined;
        return;
      }
      pending.parts.push(m.data);
      if (pending.parts.length === pending.count) {
        const payload = pending.count === 1 ? pending.parts[0] : Buffer.concat(pending.parts);
        pending = undefined;
        await visit({ seq: m.seq, payload });
        visited = m.seq;
      }
    };
    const consumer = await this.retrying('open a reader', () => this.js.consumers.get(this.opts.stream, { opt_start_seq: afterSeq + 1 } as never));
    const messages = await consumer.consume({ max_messages: 256 });
    const stop = () => { void messages.close(); };
    options.signal?.addEventListener('abort', stop, { once: true });
    try {
      if (options.signal?.aborted) return visited;
      for await (const m of messages) {
        await take(m);
        if (m.seq >= end) break;
      }
    } finally {
      options.signal?.removeEventListener('abort', stop);
      await messages.close()?.catch?.(() => {});
    }
    return visited;
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => this.nc.close());
  }
}

export function openJetStreamLog(opts: JetStreamLogOptions): Promise<SharedLog> {
  return JetStreamLog.open(opts);
}
