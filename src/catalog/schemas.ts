/**
 * Schemas (pg_namespace): the built-in ones with their fixed OIDs, and the user schemas
 * CREATE SCHEMA adds. The catalog keeps user schemas by name; tables, sequences and
 * functions name their schema, so a schema's OID is looked up only for the catalogs.
 */
import type { Catalog } from './catalog.js';
import { ALL_SCHEMA_PRIVILEGES, hasPrivilege, type Roles, type Securable } from './roles.js';

/** A CREATE SCHEMA schema: its OID, name, owner and nspacl (null/absent: acldefault, owner UC). */
export interface SchemaDef extends Securable {
  readonly oid: number;
  name: string;
  /** COMMENT ON SCHEMA */
  comment?: string;
}

/** the schemas every database has, with their OIDs (PostgreSQL 15's pg_namespace) */
export const NAMESPACE = { pg_catalog: 11, public: 2200, information_schema: 13181, pg_toast: 99 } as const;

/** NAMESPACE by name, for lookups of any string */
export const BUILTIN_SCHEMA_OIDS: Readonly<Record<string, number>> = NAMESPACE;

/**
 * A backend's temporary schema, pg_temp_N (N its backend number), or its TOAST companion
 * pg_toast_temp_N. Objects in them live as long as the session that made them.
 */
export function isTempSchema(name: string): boolean {
  return /^pg_temp_\d+$/.test(name);
}

export function isTempToastSchema(name: string): boolean {
  return /^pg_toast_temp_\d+$/.test(name);
}

/** The search path for functions and operators: never the temporary schema (only a qualified name reaches a function there). */
export function functionPath(path: readonly string[]): string[] {
  return path.filter((s) => !isTempSchema(s));
}

/** schemas that hold only system objects: no user object may be created in or moved to them */
export function isSystemSchema(name: string): boolean {
  return name === 'pg_catalog' || name === 'information_schema' || name === 'pg_toast' || isTempToastSchema(name);
}

/**
 * A search_path setting's schema names in order, `$user` replaced by the role's name
 * (quoted names keep their case; unquoted ones fold to lower case, as SplitIdentifierString does).
 */
export function parseSearchPath(raw: string, user: string): string[] {
  const out: string[] = [];
  for (const item of splitIdentifiers(raw)) {
    const name = item === '$user' ? user : item;
    if (name !== '' && !out.includes(name)) out.push(name);
  }
  return out;
}

/** "a", b, "C" → a, b, C (unquoted folds to lower case) */
function splitIdentifiers(raw: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < raw.length) {
    while (i < raw.length && /[\s,]/.test(raw[i]!)) i++;
    if (i >= raw.length) break;
    if (raw[i] === '"') {
      let name = '';
      i++;
      while (i < raw.length) {
        if (raw[i] === '"' && raw[i + 1] === '"') {
          name += '"';
          i += 2;
        } else if (raw[i] === '"') {
          i++;
          break;
        } else name += raw[i++];
      }
      // "$user" quoted is still the role placeholder (PostgreSQL's default is "$user", public)
      out.push(name);
    } else {
      let name = '';
      while (i < raw.length && raw[i] !== ',') name += raw[i++];
      out.push(name.trim().toLowerCase());
    }
  }
  return out;
}

/**
 * May `role` look up objects in `schema` through the search path? It must exist, and the
 * role needs USAGE on it (recomputeNamespacePath leaves out schemas without it); the system
 * schemas grant USAGE to PUBLIC.
 */
export function schemaUsable(catalog: Catalog, roles: Roles | undefined, role: number | undefined, schema: string): boolean {
  if (!catalog.schemaExists(schema)) return false;
  // a temporary schema: its session may use it (pg_namespace_aclmask); other sessions' tables answer 0A000 at use
  if (isTempSchema(schema)) return true;
  const s = catalog.schemaPrivileges(schema);
  if (!s || !roles || role === undefined) return true;
  return hasPrivilege(roles, role, s, 'U', ALL_SCHEMA_PRIVILEGES);
}
