/**
 * The infrastructure's own links under `npm run cluster -- --tls`: three nats-server processes
 * whose routes speak TLS (node certificate on both ends, checked against the cluster CA) and
 * three etcd members whose peer links are https:// with client certificates. JetStream still
 * elects a meta leader and keeps a 3-replica stream (only possible over the routes), etcd's
 * members agree on a write (only possible over the peer links); a plaintext route or a peer
 * request without the CA's client certificate is refused.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { Etcd3 } from 'etcd3';
import { clusterSkip } from './support/cluster-binaries.js';
import { opensslAvailable, clusterCerts } from '../src/cluster/local/certs.js';
import { freePorts } from '../src/cluster/local/processes.js';
import { startNatsCluster, type NatsCluster } from '../src/cluster/local/nats.js';
import { startEtcdCluster, type EtcdCluster } from '../src/cluster/local/etcd.js';

const skip = clusterSkip() || (!opensslAvailable() && 'the openssl command is not installed');
const dir = mkdtempSync(join(tmpdir(), 'quiver-infra-peer-tls-'));
let nats: NatsCluster | undefined;
let etcd: EtcdCluster | undefined;
let natsPorts: number[] = [];
let etcdPorts: number[] = [];

before(async () => {
  if (skip) return;
  const certs = clusterCerts(dir);
  const tls = { cert: certs.cert, key: certs.key, ca: certs.ca };
  natsPorts = await freePorts(6);
  etcdPorts = await freePorts(6);
  [nats, etcd] = await Promise.all([
    startNatsCluster(join(dir, 'nats'), 3, natsPorts, { tls }),
    startEtcdCluster(join(dir, 'etcd'), 3, etcdPorts, { tls }),
  ]);
});

after(async () => {
  await Promise.all([nats?.stop(), etcd?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

/** what a plaintext client that says CONNECT and PING hears on `port` within 2 s */
function plaintextReply(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = tcpConnect(port, '127.0.0.1', () => s.write('CONNECT {"verbose":false}\r\nPING\r\n'));
    let text = '';
    s.on('data', (d: Buffer) => { text += d.toString('latin1'); });
    s.on('error', () => {});
    s.on('close', () => resolve(text));
    setTimeout(() => { s.destroy(); resolve(text); }, 2000);
  });
}

/** whether a TLS handshake with the node certificate on `port` is authorized against the CA */
function tlsHandshake(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = tlsConnect({ host: '127.0.0.1', port, ca: readFileSync(join(dir, 'tls', 'ca.crt')), cert: readFileSync(join(dir, 'tls', 'node.crt')), key: readFileSync(join(dir, 'tls', 'node.key')) });
    t.on('secureConnect', () => { resolve(t.authorized); t.destroy(); });
    t.on('error', () => resolve(false));
  });
}

test('NATS routes speak TLS: JetStream replicates over them, a plaintext client of a route port hears nothing', { skip, timeout: 120_000 }, async () => {
  const nc = await connect({ servers: nats!.urls[0], timeout: 3000, tls: { caFile: join(dir, 'tls', 'ca.crt') } });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'peer_tls', subjects: ['peer_tls.*'], num_replicas: 3 });
    const js = nc.jetstream();
    const ack = await js.publish('peer_tls.a', new TextEncoder().encode('x'));
    assert.equal(ack.seq, 1);
    const info = await jsm.streams.info('peer_tls');
    // three replicas: the leader and two followers, which only the routes can reach
    assert.equal(info.cluster?.replicas?.length, 2);
  } finally {
    await nc.close();
  }
  for (const routePort of natsPorts.slice(3)) {
    assert.equal(await tlsHandshake(routePort), true, `route port ${routePort}: TLS with the node certificate`);
    const heard = await plaintextReply(routePort);
    assert.doesNotMatch(heard, /INFO|PONG/, `route port ${routePort} answered plaintext: ${heard.slice(0, 80)}`);
  }
  const conf = readFileSync(join(dir, 'nats', 'nats-1.conf'), 'utf8');
  assert.match(conf, /cluster \{[^\n]*tls \{[^\n]*ca_file/);
});

/** an https request to an etcd peer port: its status, or the error that ended it */
function peerRequest(port: number, options: { ca?: Buffer; cert?: Buffer; key?: Buffer }): Promise<string> {
  return new Promise((resolve) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/version', method: 'GET', timeout: 5000, ...options }, (res) => {
      res.resume();
      resolve(`status ${res.statusCode}`);
    });
    req.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

test('etcd peers speak https with client certificates: the members agree, a peer without the certificate is refused', { skip, timeout: 120_000 }, async () => {
  const ca = readFileSync(join(dir, 'tls', 'ca.crt'));
  const client = new Etcd3({ hosts: [...etcd!.endpoints], credentials: { rootCertificate: ca } });
  try {
    await client.put('quiver/peer-tls').value('agreed');
    const members = await client.cluster.memberList({});
    assert.equal(members.members.length, 3);
    for (const m of members.members) for (const u of m.peerURLs) assert.match(u, /^https:\/\//);
    // a write is committed only once a quorum has it over the peer links: read it from each member
    for (const endpoint of etcd!.endpoints) {
      const one = new Etcd3({ hosts: [endpoint], credentials: { rootCertificate: ca } });
      try {
        assert.equal(await one.get('quiver/peer-tls').string(), 'agreed');
      } finally {
        one.close();
      }
    }
  } finally {
    client.close();
  }
  const peerPort = etcdPorts[3]!;
  const withCert = await peerRequest(peerPort, { ca, cert: readFileSync(join(dir, 'tls', 'node.crt')), key: readFileSync(join(dir, 'tls', 'node.key')) });
  assert.equal(withCert, 'status 200');
  const withoutCert = await peerRequest(peerPort, { ca });
  assert.notEqual(withoutCert, 'status 200', 'a peer request without a client certificate');
  assert.match(withoutCert, /^error |^status 4/);
});
