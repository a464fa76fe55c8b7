/**
 * A domain's constraints bound for a coercion to it (PostgreSQL's CoerceToDomain): the NOT
 * NULL and CHECK constraints of the domain and of the domains it is declared over, the base
 * ones first and each level's CHECKs by name (typcache.c load_domaintype_info). A CHECK is
 * bound over one column named `value` of the domain's base type: the grammar reads VALUE as
 * that column reference, as PostgreSQL's replace_domain_constraint_value hook does.
 */
import type { DomainTypeDef } from '../catalog/catalog.js';
import type { DomainConstraints } from '../planner/plan.js';
import { T, formatType } from '../types/types.js';
import { domainOfArray } from '../types/user-types.js';
import { bindExpr, coerce } from './bind-expr.js';
import type { SelectBinder } from './bind-select.js';
import type { RawNode } from './parser.js';
import { Scope } from './scope.js';

/** `domain`: a domain's OID, or its array type's (then each element is checked). */
export function bindDomainConstraints(binder: SelectBinder, domain: number): DomainConstraints {
  const catalog = binder.env.catalog;
  const ofArray = domainOfArray(domain);
  const top = catalog.domains.get(ofArray ? ofArray.oid : domain);
  const levels: DomainTypeDef[] = [];
  for (let d = top; d; d = d.base.domain === undefined ? undefined : catalog.domains.get(d.base.domain)) levels.unshift(d);
  const checks = levels.flatMap((d) => [...d.constraints].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((c) => ({
    name: c.name, expr: bindDomainCheck(binder, d, c.checkAst),
  })));
  return { name: top ? formatType({ oid: top.base.oid, typmod: -1, domain: top.oid }) : String(domain), notNull: levels.some((d) => d.notNull), checks, elements: ofArray !== undefined };
}

/** The DEFAULT of a domain (a domain over a domain took its base's when created), as its parse tree; undefined: none. */
export function domainDefault(binder: SelectBinder, domain: number): unknown {
  return binder.env.catalog.domains.get(domain)?.default?.ast;
}

/** One CHECK of `d` as a boolean expression over the row [VALUE]. */
export function bindDomainCheck(binder: SelectBinder, d: Pick<DomainTypeDef, 'base'>, ast: unknown): ReturnType<typeof bindExpr> {
  const scope = new Scope(null);
  scope.add('', [{ name: 'value', type: d.base, tableOid: 0, attnum: 0 }]);
  const e = bindExpr(ast as RawNode, scope, binder.ctx('check constraints'));
  return e.type.oid === T.bool.oid ? e : coerce(binder.env, e, T.bool, 'implicit');
}
