/**
 * The --hba file as the listener uses it: read and parsed at start (a bad file stops the
 * server), re-read on reload (SIGHUP); a bad file on reload keeps the rules in force and
 * reports why, as PostgreSQL does ("pg_hba.conf was not reloaded").
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { SqlError, SqlState } from '../errors.js';
import { HbaConfigError, describeHba, matchHba, parseHba, type HbaDecision, type HbaLineReport, type HbaRequest, type HbaRule, type LocalAddress } from './hba.js';

export class HbaFile {
  private current: readonly HbaRule[];
  /** set by the server: role membership from the catalog (the wire layer does not read it) */
  isMemberOf: ((user: string, role: string) => boolean) | undefined;

  /** Throws HbaConfigError (or the file system's error) when the file is unusable. */
  constructor(readonly path: string) {
    this.current = HbaFile.read(path);
  }

  private static read(path: string): HbaRule[] {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`could not open configuration file "${path}": ${(e as Error).message}`);
    }
    return parseHba(text, path);
  }

  get rules(): readonly HbaRule[] {
    return this.current;
  }

  /** Re-reads the file; on error the old rules stay and the error is returned. */
  reload(): { ok: true; rules: number } | { ok: false; error: Error } {
    try {
      this.current = HbaFile.read(this.path);
      return { ok: true, rules: this.current.length };
    } catch (e) {
      return { ok: false, error: e instanceof HbaConfigError || e instanceof Error ? e : new Error(String(e)) };
    }
  }

  /** The file as it is on disk now (not necessarily the rules in force), line by line: pg_hba_file_rules. */
  describe(): HbaLineReport[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      throw new SqlError(SqlState.undefinedFile, `could not open file "${this.path}": ${(e as Error).message}`);
    }
    return describeHba(text, this.path);
  }

  decide(req: HbaRequest): HbaDecision {
    const needsLocal = this.current.some((r) => r.address.kind === 'samehost' || r.address.kind === 'samenet');
    return matchHba(this.current, { ...req, isMemberOf: this.isMemberOf }, needsLocal ? localAddresses() : []);
  }
}

/** The server's own addresses, for samehost/samenet (asked per connection: interfaces change). */
function localAddresses(): LocalAddress[] {
  const out: LocalAddress[] = [];
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) out.push({ address: i.address, netmask: i.netmask });
  return out;
}
