/**
 * PostgreSQL's nesting of settings in transactions (guc.c's push_old_value and
 * AtEOXact_GUC). Level 1 is the transaction, each savepoint one more. A setting changed at a
 * level keeps the value to restore when the level aborts (ROLLBACK, ROLLBACK TO) and, for
 * SET LOCAL, the one to restore when the transaction commits. A released savepoint merges
 * its levels into the one below: its SET becomes that level's SET, its SET LOCAL that
 * level's SET LOCAL (over a SET there, the SET's value comes back at COMMIT).
 */

/** SET (and set_config(…, false)), or SET LOCAL (and set_config(…, true), SET TRANSACTION) */
export type SetAction = 'set' | 'local';

/** what the level did to the setting: SET, SET LOCAL, or SET then SET LOCAL (masked: the SET's value) */
type LevelState = 'set' | 'local' | 'setLocal';

interface SavedValue {
  level: number;
  state: LevelState;
  /** the value before the level changed it (undefined: the setting did not exist) */
  prior: string | undefined;
  /** setLocal: the value the level's SET gave, restored when the transaction commits */
  masked?: string | undefined;
}

/** Puts a setting back to a value (undefined: removes a custom setting the level created). */
export type RestoreSetting = (key: string, value: string | undefined) => void;

export class SettingNesting {
  private current = 0;
  /** per setting, its saved values, innermost level last */
  private readonly stacks = new Map<string, SavedValue[]>();

  /** 0 outside a transaction, 1 in it, +1 per open savepoint */
  get level(): number {
    return this.current;
  }

  /** A transaction begins (a statement outside a block is one too); in one already: unchanged. */
  beginTransaction(): void {
    if (this.current === 0) this.current = 1;
  }

  /** SAVEPOINT (and ROLLBACK TO, which begins its savepoint again) */
  beginSavepoint(): void {
    this.current++;
  }

  /** The setting is about to change at the current level: remember what to restore (push_old_value). */
  save(key: string, value: string | undefined, action: SetAction): void {
    if (this.current === 0) return;
    let stack = this.stacks.get(key);
    const top = stack?.[stack.length - 1];
    if (top && top.level === this.current) {
      if (action === 'set') {
        top.state = 'set';
        top.masked = undefined;
      } else if (top.state === 'set') {
        top.state = 'setLocal';
        top.masked = value;
      }
      return;
    }
    if (!stack) this.stacks.set(key, (stack = []));
    stack.push({ level: this.current, state: action, prior: value });
  }

  /** RELEASE (commit) / ROLLBACK TO (abort) of the savepoint at `level` and those after it */
  endSavepoints(level: number, commit: boolean, restore: RestoreSetting): void {
    while (this.current >= level && this.current > 1) this.endLevel(commit, restore);
  }

  /** COMMIT / ROLLBACK: every open level ends, the transaction's last */
  endTransaction(commit: boolean, restore: RestoreSetting): void {
    while (this.current > 0) this.endLevel(commit, restore);
  }

  /** AtEOXact_GUC for the innermost level */
  private endLevel(commit: boolean, restore: RestoreSetting): void {
    const level = this.current;
    for (const [key, stack] of this.stacks) {
      const top = stack[stack.length - 1];
      if (top.level !== level) continue;
      if (!commit) restore(key, top.prior);
      else if (level === 1) {
        // the transaction commits: a SET stays, a SET LOCAL ends (over a SET, the SET's value)
        if (top.state === 'setLocal') restore(key, top.masked);
        else if (top.state === 'local') restore(key, top.prior);
      } else {
        const below = stack.length > 1 ? stack[stack.length - 2] : undefined;
        if (!below || below.level < level - 1) {
          // nothing saved at the level below: the entry moves down to it as it is
          top.level--;
          continue;
        }
        mergeDown(top, below);
      }
      stack.pop();
      if (stack.length === 0) this.stacks.delete(key);
    }
    this.current--;
  }
}

/** A released level's change becomes the level below's (AtEOXact_GUC's merge). */
function mergeDown(released: SavedValue, below: SavedValue): void {
  switch (released.state) {
    case 'set':
      below.state = 'set';
      below.masked = undefined;
      return;
    case 'local':
      // a SET LOCAL over the level below's SET: at COMMIT the SET's value comes back
      if (below.state === 'set') {
        below.masked = released.prior;
        below.state = 'setLocal';
      }
      return;
    case 'setLocal':
      below.masked = released.masked;
      below.state = 'setLocal';
      return;
  }
}
