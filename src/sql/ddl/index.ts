/** DDL statements for the engine: the entry (bindDdl), the node types, and helpers over their expressions. */
export { bindCreateMaterializedView, bindCreateTableAs, bindDdl } from './bind-ddl.js';
export type * from './types.js';
export { columnReference, storedDefault, mentionedColumns, namesOwnColumn, nextvalDefault, renameOwnColumn, toTsvectorCall, type DdlExpr, type ParsedExpr } from './parsed-expr.js';
export { typeOf } from './tree.js';
export { bindRowExpr, bindViewColumns, bindViewPlan, bindViewQuery, type BoundView } from './bind-ddl-expr.js';
export { qualifyViewNames, renameColumnInTree, renameRelationInTree, renameSchemaInTree } from './view-names.js';
