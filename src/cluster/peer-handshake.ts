/**
 * Mutual authentication of the cluster's own TCP links (query-node and index-node
 * protocols) by a shared secret (`--cluster-secret`, README "Cluster mode"): before the
 * first frame, each side proves it knows the secret without sending it, and nothing the
 * peer sends is deserialized until it has.
 *
 *   node   → caller: MAGIC, nonceN (32 bytes)
 *   caller → node:   nonceC (32), HMAC-SHA256(secret, "caller" | nonceN | nonceC)
 *   node   → caller: HMAC-SHA256(secret, "node" | nonceC | nonceN)
 *
 * Fresh nonces on both sides make a recorded exchange useless to replay; the two labels
 * keep one side's proof from being echoed back as the other's. Without a secret on either
 * side there is no handshake (the links of a cluster started without one, as before).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';

const MAGIC = Buffer.from('QVRP');
const NONCE = 32;
const MAC = 32;
/** a peer that says nothing for this long is not one of ours (or lacks --cluster-secret) */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

export class PeerAuthFailed extends Error {}

function mac(secret: string, label: string, a: Buffer, b: Buffer): Buffer {
  return createHmac('sha256', secret).update(label).update(a).update(b).digest();
}

/**
 * Reads exactly `n` bytes from `socket` ahead of everything else; resolves with them and
 * whatever arrived after them (handed to the protocol's reader next).
 */
function readBytes(socket: Socket, n: number, timeoutMs: number, what: string): Promise<{ bytes: Buffer; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let got: Buffer = Buffer.alloc(0);
    const done = (e?: Error) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      if (e) reject(e);
    };
    const onData = (chunk: Buffer) => {
      got = got.length === 0 ? chunk : Buffer.concat([got, chunk]);
      if (got.length < n) return;
      done();
      resolve({ bytes: got.subarray(0, n), rest: got.subarray(n) });
    };
    const onClose = () => done(new PeerAuthFailed(`the peer closed the connection during the cluster handshake (${what})`));
    const onError = (e: Error) => done(new PeerAuthFailed(`${e.message} during the cluster handshake (${what})`));
    const timer = setTimeout(() => done(new PeerAuthFailed(`no cluster handshake from the peer within ${timeoutMs} ms (${what}); is --cluster-secret the same on both nodes?`)), timeoutMs);
    timer.unref();
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onError);
  });
}

/**
 * The serving node's side: resolves with the bytes that followed the caller's proof (the
 * start of its first frame) once the caller proved the secret; rejects (PeerAuthFailed)
 * otherwise. The caller of this destroys the socket on rejection.
 */
export async function acceptPeer(socket: Socket, secret: string, timeoutMs = HANDSHAKE_TIMEOUT_MS): Promise<Buffer> {
  const nodeNonce = randomBytes(NONCE);
  socket.write(Buffer.concat([MAGIC, nodeNonce]));
  const { bytes, rest } = await readBytes(socket, NONCE + MAC, timeoutMs, 'waiting for the caller\'s proof');
  const callerNonce = bytes.subarray(0, NONCE);
  const expected = mac(secret, 'caller', nodeNonce, callerNonce);
  if (!timingSafeEqual(bytes.subarray(NONCE), expected)) throw new PeerAuthFailed('a peer failed the cluster handshake (wrong or missing --cluster-secret)');
  socket.write(mac(secret, 'node', callerNonce, nodeNonce));
  return rest;
}

/**
 * The calling side (a data node reaching a query or index node): resolves with the bytes
 * after the node's proof once the node proved the secret too.
 */
export async function greetPeer(socket: Socket, secret: string, timeoutMs = HANDSHAKE_TIMEOUT_MS): Promise<Buffer> {
  const hello = await readBytes(socket, MAGIC.length + NONCE, timeoutMs, 'waiting for the node\'s greeting');
  if (!hello.bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new PeerAuthFailed('the peer does not speak the cluster handshake (is --cluster-secret set on it?)');
  const nodeNonce = hello.bytes.subarray(MAGIC.length);
  const callerNonce = randomBytes(NONCE);
  socket.write(Buffer.concat([callerNonce, mac(secret, 'caller', nodeNonce, callerNonce)]));
  const proof = hello.rest.length >= MAC
    ? { bytes: hello.rest.subarray(0, MAC), rest: hello.rest.subarray(MAC) }
    : await readRest(socket, hello.rest, timeoutMs);
  if (!timingSafeEqual(proof.bytes, mac(secret, 'node', callerNonce, nodeNonce))) throw new PeerAuthFailed('the node failed the cluster handshake (wrong --cluster-secret)');
  return proof.rest;
}

/** The node's proof, part of which may have come with its greeting. */
async function readRest(socket: Socket, head: Buffer, timeoutMs: number): Promise<{ bytes: Buffer; rest: Buffer }> {
  const more = await readBytes(socket, MAC - head.length, timeoutMs, 'waiting for the node\'s proof');
  const all = Buffer.concat([head, more.bytes, more.rest]);
  return { bytes: all.subarray(0, MAC), rest: all.subarray(MAC) };
}

/**
 * A server's connection handler behind the handshake: `serve` gets the socket once the
 * caller proved the secret, and the bytes that came after the proof are delivered to the
 * 'data' handlers `serve` attached. Without a secret, `serve` as it is.
 */
export function behindHandshake(secret: string | undefined, serve: (socket: Socket) => void, onRefused: (socket: Socket, e: Error) => void): (socket: Socket) => void {
  if (!secret) return serve;
  return (socket) => {
    socket.on('error', () => {});
    acceptPeer(socket, secret).then((rest) => {
      serve(socket);
      if (rest.length > 0) socket.emit('data', rest);
    }, (e: Error) => {
      onRefused(socket, e);
      socket.destroy();
    });
  };
}
