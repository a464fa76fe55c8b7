/**
 * FrameReader.nextCopyPiece (wire/reader.ts): during COPY FROM STDIN a CopyData message is
 * handed on in pieces as its TCP chunks arrive, without joining them (a 3 MB CopyData was
 * copied once more to be whole); the pieces are the message's bytes in order, any other
 * message comes whole, and the rest of a message a COPY left early is read as CopyData
 * pieces (dropped by the main loop), not as a message header.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameReader } from '../src/wire/reader.js';
import { FrontendCode } from '../src/wire/message-codes.js';

function message(code: number, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = code;
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function typedReader(): FrameReader {
  const r = new FrameReader();
  r.expectStartup = false;
  return r;
}

const payload = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255));

test('a CopyData split over chunks comes as pieces of the chunks, not copies, then CopyDone whole', () => {
  const body = payload(10_000, 1);
  const stream = Buffer.concat([message(FrontendCode.CopyData, body), message(FrontendCode.CopyData, Buffer.alloc(0)), message(FrontendCode.CopyData, payload(300, 2)), message(FrontendCode.CopyDone, Buffer.alloc(0))]);
  const r = typedReader();
  const chunks: Buffer[] = [];
  for (let at = 0; at < stream.length; at += 4096) chunks.push(stream.subarray(at, at + 4096));
  for (const c of chunks) r.push(c);
  const got: Buffer[] = [];
  let done = false;
  for (let f = r.nextCopyPiece(); f; f = r.nextCopyPiece()) {
    if (f.code === FrontendCode.CopyDone) {
      done = true;
      break;
    }
    assert.equal(f.code, FrontendCode.CopyData);
    // every piece lies in one of the chunks as it arrived
    if (f.body.length > 0) assert.ok(chunks.some((c) => c.buffer === f.body.buffer && f.body.byteOffset >= c.byteOffset && f.body.byteOffset + f.body.length <= c.byteOffset + c.length), 'a piece of a chunk');
    got.push(f.body);
  }
  assert.ok(done, 'CopyDone came');
  assert.ok(got.length > 3, `${got.length} pieces`);
  assert.deepEqual(Buffer.concat(got), Buffer.concat([body, payload(300, 2)]));
  assert.equal(r.buffered, 0);
});

test('pieces come as bytes arrive; the rest of a message left by a COPY is read as CopyData, then the next message whole', () => {
  const body = payload(5_000, 3);
  const stream = Buffer.concat([message(FrontendCode.CopyData, body), message(FrontendCode.Sync, Buffer.alloc(0))]);
  const r = typedReader();
  r.push(stream.subarray(0, 3));
  assert.equal(r.nextCopyPiece(), undefined, 'no whole header yet');
  r.push(stream.subarray(3, 1000));
  const first = r.nextCopyPiece()!;
  assert.deepEqual(first.body, body.subarray(0, 995));
  assert.equal(r.nextCopyPiece(), undefined, 'nothing more arrived');
  r.push(stream.subarray(1000));
  // the COPY ended here (a cancel): the main loop reads on with next()
  const rest = r.next()!;
  assert.equal(rest.code, FrontendCode.CopyData);
  assert.deepEqual(rest.body, body.subarray(995));
  assert.equal(r.next()!.code, FrontendCode.Sync);
  assert.equal(r.next(), undefined);
});

test('an oversized CopyData is refused on its length word, as whole messages are', () => {
  const r = typedReader();
  r.maxMessageSize = 1024;
  r.push(message(FrontendCode.CopyData, Buffer.alloc(2000)).subarray(0, 10));
  assert.throws(() => r.nextCopyPiece(), /invalid message length/);
});
