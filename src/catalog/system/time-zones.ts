/**
 * pg_timezone_names and pg_timezone_abbrevs: the system time zone database's zones and the
 * 'Default' abbreviations, each with its meaning at the current time (PostgreSQL evaluates
 * them at the transaction's start; here at the read).
 */
import type { SystemRelation } from '../catalog.js';
import { T, type Row } from '../../types/types.js';
import { USECS_PER_SEC } from '../../types/datetime.js';
import { allTzAbbrevs, localTimeTypeAt, systemZoneNames, tzAbbrevTypeAt, zoneRules } from '../../types/tzif.js';

const seconds = (s: number) => ({ months: 0, days: 0, micros: s * USECS_PER_SEC });

export function timeZoneRelations(): SystemRelation[] {
  const cols = (names: [string, typeof T.text][]) => names.map(([name, type]) => ({ name, type }));
  return [
    {
      oid: 12122, schema: 'pg_catalog', name: 'pg_timezone_abbrevs',
      columns: cols([['abbrev', T.text], ['utc_offset', T.interval], ['is_dst', T.bool]]),
      rows: () => {
        const now = Math.floor(Date.now() / 1000);
        return allTzAbbrevs().map((a): Row => {
          const m = tzAbbrevTypeAt(a, now);
          return [a.abbrev, seconds(m.offset), m.isDst];
        });
      },
    },
    {
      oid: 12126, schema: 'pg_catalog', name: 'pg_timezone_names',
      columns: cols([['name', T.text], ['abbrev', T.text], ['utc_offset', T.interval], ['is_dst', T.bool]]),
      rows: () => {
        const now = Math.floor(Date.now() / 1000);
        const rows: Row[] = [];
        for (const zone of [...systemZoneNames().values()].sort()) {
          const rules = zoneRules(zone);
          if (!rules) continue;
          const t = localTimeTypeAt(rules, now);
          rows.push([zone, t.abbrev, seconds(t.offset), t.isDst]);
        }
        return rows;
      },
    },
  ];
}
