/** A SelectBinder wired to itself for subqueries, so its user never handles their parse nodes. */
import { SelectBinder, type SelectEnv } from './bind-select.js';

/** `makeEnv` gets the binder being built (for callbacks that bind with it) and returns its environment. */
export function newSelectBinder(makeEnv: (self: () => SelectBinder) => Omit<SelectEnv, 'bindSubquery'>): SelectBinder {
  const binder: SelectBinder = new SelectBinder({
    ...makeEnv(() => binder),
    bindSubquery: (node, parent) => binder.bindSelect(node.SelectStmt ?? node, parent),
  });
  return binder;
}
