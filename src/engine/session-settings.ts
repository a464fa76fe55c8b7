/**
 * A session's configuration values (SET / SHOW / RESET): their startup values, and what
 * a transaction's SET LOCAL or rolled-back SET must restore at its end.
 */
import { SqlError, SqlState } from '../errors.js';
import type { SettingRow } from '../catalog/catalog.js';
import { SettingNesting } from './setting-nesting.js';
import { allSettingDefs, checkSettable, isListedSetting, normalizeSetting, settingCatalogEntry, settingDef, settingDescription, settingInBaseUnit, type SettingKind } from './settings.js';

export class SessionSettings {
  private readonly values = new Map<string, string>();
  /** what RESET returns to: the defaults overridden by startup parameters */
  private readonly resetValues = new Map<string, string>();
  /** what a savepoint's or the transaction's end restores */
  private readonly nesting = new SettingNesting();
  private parameterChanges: [string, string][] = [];

  constructor() {
    for (const d of allSettingDefs()) this.values.set(d.name.toLowerCase(), d.value);
  }

  /**
   * Bumped whenever a value changes: what was planned under the settings (a session's cached
   * statements, statement-cache.ts) is stale once it moved.
   */
  get generation(): number {
    return this.changes;
  }

  private changes = 0;

  private put(key: string, value: string): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    this.changes++;
  }

  private remove(key: string): void {
    if (this.values.delete(key)) this.changes++;
  }

  get(name: string): string | undefined {
    // keys are lower case: a name written so (every caller in the engine) is found without
    // lower-casing it first (a few of these a statement: profile 16-39 us a query at load 17)
    return this.values.get(name) ?? this.values.get(name.toLowerCase());
  }

  /** Set a reported setting the server changed (in_hot_standby): sent as ParameterStatus before the next ReadyForQuery. */
  report(key: string, value: string): void {
    const def = settingDef(key);
    if (this.values.get(key) === value) return;
    this.put(key, value);
    if (def?.report) this.parameterChanges.push([def.name, value]);
  }

  /** Set without checks or ParameterStatus (startup, transaction state settings). */
  setRaw(key: string, value: string): void {
    this.put(key, value);
  }

  /** Set without checks, as SET LOCAL: SET TRANSACTION's values, undone by a ROLLBACK TO. */
  setRawLocal(key: string, value: string): void {
    this.nesting.save(key, this.values.get(key), 'local');
    this.put(key, value);
  }

  /** A transaction begins: a block, or a statement outside one (PostgreSQL's StartTransaction). */
  beginTransaction(): void {
    this.nesting.beginTransaction();
  }

  /** SAVEPOINT: what follows is undone by a ROLLBACK TO it. Returns its level (for endSavepoints). */
  beginSavepoint(): number {
    this.nesting.beginSavepoint();
    return this.nesting.level;
  }

  /** RELEASE (commit) or ROLLBACK TO (abort) of the savepoint that began `level` and those after it */
  endSavepoints(level: number, commit: boolean): void {
    this.nesting.endSavepoints(level, commit, this.restore);
  }

  /**
   * Apply the role's and database's settings (pg_db_role_setting, lowest precedence first),
   * then the StartupMessage's parameters; what they set is what RESET returns to.
   */
  startup(params: Record<string, string>, user: string, stored: readonly [string, string][] = []): void {
    this.put('session_authorization', user);
    for (const [k, v] of stored) {
      const key = k.toLowerCase();
      // a value that no longer passes (it was checked when stored) is skipped, as PostgreSQL warns and goes on
      try {
        this.put(key, normalizeSetting(key, v, this.values.get(key)));
      } catch {
        continue;
      }
    }
    if (params.application_name) this.put('application_name', params.application_name);
    if (params.client_encoding) this.put('client_encoding', normalizeSetting('client_encoding', params.client_encoding));
    if (params.options) this.applyStartupOptions(params.options);
    for (const [k, v] of Object.entries(params)) {
      if (['user', 'database', 'options', 'replication'].includes(k)) continue;
      const def = settingDef(k);
      if (def && !def.readOnly) this.put(k.toLowerCase(), normalizeSetting(k.toLowerCase(), v));
    }
    for (const [k, v] of this.values) this.resetValues.set(k, v);
  }

  private applyStartupOptions(options: string): void {
    // -c name=value pairs (PGOPTIONS)
    const re = /(?:-c\s*|--)([\w.]+)=((?:\\ |\S)+)/g;
    for (const m of options.matchAll(re)) {
      const key = m[1].toLowerCase().replace(/-/g, '_');
      if (settingDef(key) || key.includes('.')) this.put(key, normalizeSetting(key, m[2].replace(/\\ /g, ' ')));
    }
  }

  /** ParameterStatus pairs sent at startup */
  reported(): [string, string][] {
    return allSettingDefs().filter((d) => d.report).map((d) => [d.name, this.values.get(d.name.toLowerCase()) ?? d.value]);
  }

  /** SET name = value (checked, normalized); inside a transaction remembers what to restore. */
  set(name: string, value: string, isLocal: boolean): void {
    const key = checkSettable(name);
    if (settingDef(key)?.superuserOnly && this.values.get('is_superuser') !== 'on') {
      throw new SqlError(SqlState.insufficientPrivilege, `permission denied to set parameter "${settingDef(key)!.name}"`);
    }
    const v = normalizeSetting(key, value, this.values.get(key));
    this.nesting.save(key, this.values.get(key), isLocal ? 'local' : 'set');
    this.put(key, v);
    const def = settingDef(key);
    if (def?.report) this.parameterChanges.push([def.name, v]);
  }

  /** RESET name: the startup value, else the default */
  resetValue(key: string): string {
    return this.resetValues.get(key) ?? settingDef(key)?.value ?? '';
  }

  /** RESET ALL: every settable value back to its startup value */
  resetAll(isLocal: boolean): void {
    for (const d of allSettingDefs()) {
      if (d.readOnly) continue;
      const key = d.name.toLowerCase();
      const v = this.resetValues.get(key) ?? d.value;
      if (this.values.get(key) !== v) this.set(key, v, isLocal);
    }
  }

  /** SHOW ALL: name, value and description of every listed setting, by name */
  all(): { name: string; value: string; description: string }[] {
    return this.listed().map((d) => ({ name: d.name, value: this.values.get(d.name.toLowerCase()) ?? d.value, description: settingDescription(d.name) }));
  }

  /** pg_settings: PostgreSQL's columns, values in the base unit ('64MB' of work_mem → 65536 kB) */
  pgSettings(): SettingRow[] {
    return this.listed().map((d) => {
      const key = d.name.toLowerCase();
      const value = this.values.get(key) ?? d.value;
      const reset = this.resetValues.get(key) ?? d.value;
      const meta = settingCatalogEntry(d.name);
      const kind = d.kind?.type;
      const vartype = meta?.[1] ?? (kind === 'int' ? 'integer' : kind ?? 'string');
      return {
        name: d.name, setting: settingInBaseUnit(key, value), unit: meta ? meta[3] || null : ownUnit(d.kind),
        category: meta?.[4] ?? 'Customized Options', shortDesc: settingDescription(d.name), extraDesc: meta?.[6] || null,
        context: meta?.[2] ?? 'user', vartype,
        source: value === d.value ? 'default' : value === reset ? 'client' : 'session',
        minVal: meta ? meta[7] || null : ownBound(d.kind, 'min'), maxVal: meta ? meta[8] || null : ownBound(d.kind, 'max'),
        enumvals: meta ? (meta[9].length > 0 ? meta[9] : null) : d.kind?.type === 'enum' ? d.kind.options.filter((o) => !o.hidden).map((o) => o.name) : null,
        bootVal: meta ? meta[10] : settingInBaseUnit(key, d.value), resetVal: settingInBaseUnit(key, reset),
      };
    });
  }

  private listed() {
    return allSettingDefs().filter((d) => isListedSetting(d.name)).sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
  }

  takeParameterChanges(): [string, string][] {
    const c = this.parameterChanges;
    this.parameterChanges = [];
    return c;
  }

  /** The transaction ended: undo its SET LOCALs, and its SETs if it rolled back. */
  endTransaction(committed: boolean, readOnly = false): void {
    this.nesting.endTransaction(committed, this.restore);
    this.put('transaction_read_only', readOnly ? 'on' : 'off');
    this.put('transaction_isolation', this.values.get('default_transaction_isolation') ?? 'read committed');
  }

  /** A statement outside a block ended: its transaction's (set_config(…, true) ends with it, a failure undoes its SETs). */
  endStatement(committed: boolean, readOnly: boolean): void {
    if (this.nesting.level > 0) this.endTransaction(committed, readOnly);
  }

  /** a value the nesting puts back; a reported one goes to the client as ParameterStatus */
  private readonly restore = (key: string, value: string | undefined): void => {
    if (value === undefined) {
      this.remove(key);
      return;
    }
    if (this.values.get(key) === value) return;
    this.put(key, value);
    const def = settingDef(key);
    if (def?.report) this.parameterChanges.push([def.name, value]);
  };
}

/** pg_settings.unit of a setting PostgreSQL does not have (Quiver's own): from its kind */
function ownUnit(kind: SettingKind | undefined): string | null {
  return kind && (kind.type === 'int' || kind.type === 'real') ? kind.unit ?? null : null;
}

/** pg_settings.min_val / max_val of one of Quiver's own numeric settings */
function ownBound(kind: SettingKind | undefined, which: 'min' | 'max'): string | null {
  return kind && (kind.type === 'int' || kind.type === 'real') ? String(kind[which]) : null;
}
