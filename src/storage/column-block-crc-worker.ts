/** Worker thread of column-block-crc.ts: the crc32 of a range of a column block, continued from the crc before it. */
import { crc32 } from 'node:zlib';
import type { BlockCrcReply, BlockCrcRequest } from './column-block-crc.js';
import { serveSerially } from './serial-worker.js';

serveSerially<BlockCrcRequest, BlockCrcReply>(({ block, from, to, crc }) => ({ crc: crc32(new Uint8Array(block, from, to - from), crc) }));
