/**
 * pg_catalog tables for features Quiver does not have (operators as objects, text search,
 * foreign data, transforms, event triggers, subscriptions, large objects, security
 * labels, default privileges): present with PostgreSQL 15's columns and empty, because
 * pg_dump reads each of them unconditionally.
 */
import { OID, T, sqlType, type SqlType } from '../../types/types.js';

export interface EmptyCatalog {
  readonly name: string;
  readonly oid?: number;
  readonly columns: [string, SqlType][];
}

const { oid, name, text, bool, int4 } = T;
const char = T.char;
const regproc = sqlType(OID.regproc);
const aclitems = T._text;
const texts = T._text;

export const EMPTY_CATALOGS: readonly EmptyCatalog[] = [
  // GRANT SET / ALTER SYSTEM ON PARAMETER (PostgreSQL 15): pg_dumpall --globals-only reads it
  { name: 'pg_parameter_acl', oid: 6243, columns: [['oid', oid], ['parname', text], ['paracl', aclitems]] },
  { name: 'pg_foreign_server', oid: 1417, columns: [['oid', oid], ['srvname', name], ['srvowner', oid], ['srvfdw', oid], ['srvtype', text], ['srvversion', text], ['srvacl', aclitems], ['srvoptions', texts]] },
  { name: 'pg_foreign_data_wrapper', oid: 2328, columns: [['oid', oid], ['fdwname', name], ['fdwowner', oid], ['fdwhandler', oid], ['fdwvalidator', oid], ['fdwacl', aclitems], ['fdwoptions', texts]] },
  { name: 'pg_foreign_table', oid: 3118, columns: [['ftrelid', oid], ['ftserver', oid], ['ftoptions', texts]] },
  { name: 'pg_conversion', oid: 2607, columns: [['oid', oid], ['conname', name], ['connamespace', oid], ['conowner', oid], ['conforencoding', int4], ['contoencoding', int4], ['conproc', regproc], ['condefault', bool]] },
  { name: 'pg_largeobject_metadata', oid: 2995, columns: [['oid', oid], ['lomowner', oid], ['lomacl', aclitems]] },
  { name: 'pg_event_trigger', oid: 3466, columns: [['oid', oid], ['evtname', name], ['evtevent', name], ['evtowner', oid], ['evtfoid', oid], ['evtenabled', char], ['evttags', texts]] },
  { name: 'pg_transform', oid: 3576, columns: [['oid', oid], ['trftype', oid], ['trflang', oid], ['trffromsql', regproc], ['trftosql', regproc]] },
  { name: 'pg_shseclabel', oid: 3592, columns: [['objoid', oid], ['classoid', oid], ['provider', text], ['label', text]] },
  { name: 'pg_seclabel', oid: 3596, columns: [['objoid', oid], ['classoid', oid], ['objsubid', int4], ['provider', text], ['label', text]] },
  { name: 'pg_seclabels', columns: [['objoid', oid], ['classoid', oid], ['objsubid', int4], ['objtype', text], ['objnamespace', oid], ['objname', text], ['provider', text], ['label', text]] },
  { name: 'pg_ts_dict', oid: 3600, columns: [['oid', oid], ['dictname', name], ['dictnamespace', oid], ['dictowner', oid], ['dicttemplate', oid], ['dictinitoption', text]] },
  { name: 'pg_ts_parser', oid: 3601, columns: [['oid', oid], ['prsname', name], ['prsnamespace', oid], ['prsstart', regproc], ['prstoken', regproc], ['prsend', regproc], ['prsheadline', regproc], ['prslextype', regproc]] },
  { name: 'pg_ts_config', oid: 3602, columns: [['oid', oid], ['cfgname', name], ['cfgnamespace', oid], ['cfgowner', oid], ['cfgparser', oid]] },
  { name: 'pg_ts_template', oid: 3764, columns: [['oid', oid], ['tmplname', name], ['tmplnamespace', oid], ['tmplinit', regproc], ['tmpllexize', regproc]] },
  { name: 'pg_subscription', oid: 6100, columns: [['oid', oid], ['subdbid', oid], ['subskiplsn', text], ['subname', name], ['subowner', oid], ['subenabled', bool], ['subbinary', bool], ['substream', bool], ['subtwophasestate', char], ['subdisableonerr', bool], ['subconninfo', text], ['subslotname', name], ['subsynccommit', text], ['subpublications', texts]] },
];
