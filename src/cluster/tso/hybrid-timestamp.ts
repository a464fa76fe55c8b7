/**
 * Hybrid timestamps, as TiDB's PD hands them out: the physical time in milliseconds shifted
 * left by 18 bits, plus an 18-bit logical counter (262,144 timestamps per millisecond). They
 * exceed 2^53, so they are bigints here and decimal text on the wire and in settings.
 */

export const LOGICAL_BITS = 18n;

/** The timestamp of millisecond `ms`, logical part `logical`. */
export function composeTimestamp(ms: number, logical = 0): bigint {
  return (BigInt(Math.floor(ms)) << LOGICAL_BITS) | BigInt(logical);
}

/** The physical part (milliseconds since the epoch). */
export function physicalMs(ts: bigint): number {
  return Number(ts >> LOGICAL_BITS);
}

/** A timestamp written as text (a setting, a record); undefined when it is not one. */
export function parseTimestamp(text: string | undefined): bigint | undefined {
  if (text === undefined || !/^\d{1,20}$/.test(text.trim())) return undefined;
  return BigInt(text.trim());
}
