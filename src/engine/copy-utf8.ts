/**
 * COPY's text input is checked as UTF-8 the way PostgreSQL converts it: an invalid byte
 * sequence is 22021 `invalid byte sequence for encoding "UTF8": 0xc3 0x28`, never a U+FFFD
 * stored in its place. A decoder over CopyData payloads that may split a character.
 */
import { isUtf8 } from 'node:buffer';
import { SqlError } from '../errors.js';
import { firstInvalidUtf8, invalidUtf8 } from '../types/binary-format.js';

/** An invalid sequence, and how many newlines came before it in the text not yet returned. */
export class InvalidCopyText extends Error {
  constructor(readonly error: SqlError, readonly newlinesBefore: number) {
    super(error.message);
  }
}

export class CheckedUtf8Decoder {
  /** the bytes of a character cut by the payload's end */
  private carry = Buffer.alloc(0);

  /** the text of `chunk` up to its last whole character; throws InvalidCopyText */
  write(chunk: Buffer): string {
    const bytes = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const whole = completeLength(bytes);
    const head = bytes.subarray(0, whole);
    if (!isUtf8(head)) throw invalidAt(head);
    this.carry = Buffer.from(bytes.subarray(whole));
    return head.toString('utf8');
  }

  /** the end of the input: a character still cut is invalid */
  end(): string {
    const rest = this.carry;
    this.carry = Buffer.alloc(0);
    if (rest.length && !isUtf8(rest)) throw invalidAt(rest);
    return rest.toString('utf8');
  }
}

/** bytes up to the start of a multi-byte character the buffer ends inside */
function completeLength(b: Buffer): number {
  for (let back = 1; back <= Math.min(3, b.length); back++) {
    const c = b[b.length - back];
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return need > back ? b.length - back : b.length;
  }
  return b.length;
}

function invalidAt(b: Buffer): InvalidCopyText {
  const at = firstInvalidUtf8(b);
  let newlines = 0;
  for (let i = 0; i < at; i++) if (b[i] === 0x0a) newlines++;
  return new InvalidCopyText(invalidUtf8(b), newlines);
}
