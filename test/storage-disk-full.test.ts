/** Disk full: a write-ahead log write that hits ENOSPC / EDQUOT is reported as SQLSTATE 53100. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDiskFull } from '../src/storage/wal.js';

test('isDiskFull recognises errno codes and LevelDB status text', () => {
  const enospc = Object.assign(new Error('write failed'), { code: 'ENOSPC' });
  const edquot = Object.assign(new Error('write failed'), { code: 'EDQUOT' });
  assert.equal(isDiskFull(enospc), true);
  assert.equal(isDiskFull(edquot), true);
  assert.equal(isDiskFull(new Error('IO error: /data/wal/000005.log: No space left on device')), true);
  assert.equal(isDiskFull(new Error('IO error: /data/wal/000005.log: Disk quota exceeded')), true);
  assert.equal(isDiskFull(Object.assign(new Error('x'), { code: 'EIO' })), false);
  assert.equal(isDiskFull(new Error('Corruption: bad block')), false);
});
