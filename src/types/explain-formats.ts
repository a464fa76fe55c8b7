/**
 * EXPLAIN's structured formats written from one property tree, as explain.c writes them:
 * JSON, YAML (ExplainYAMLLineStarting: `key: value`, lists as `- `, strings JSON-escaped)
 * and XML (ExplainXMLTag: `<Node-Type>`, lists of `<Item>` / `<Plan>`, escape_xml). Plain text
 * output of a property tree, no planner knowledge: the planner writes its EXPLAIN with it and
 * the shard router its EXPLAIN of what the shards answered (cluster/router/explain-structured.ts).
 */

/** A property's value: a string, a number or flag, a list, a group, or a number already formatted (`{ raw: '2.26' }`). */
export type Json = string | number | boolean | string[] | string[][] | JsonObject | JsonObject[] | { raw: string };
export interface JsonObject { [key: string]: Json }

function isRaw(v: Json): v is { raw: string } {
  return typeof v === 'object' && !Array.isArray(v) && 'raw' in v && typeof v.raw === 'string' && Object.keys(v).length === 1;
}

/** Properties that are groups of their own (ExplainOpenGroup), not lists of values. */
const GROUP_LISTS = new Set(['Plans', 'Triggers', 'Workers']);

export function writeJson(v: Json, indent: number): string {
  const pad = ' '.repeat(indent);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (typeof v[0] === 'string') return `[${(v as string[]).map((s) => JSON.stringify(s)).join(', ')}]`;
    // a list of groups, or of lists of values (an Agg's Grouping Sets' keys) each on a line
    return `[\n${(v as Json[]).map((x) => pad + '  ' + writeJson(x, indent + 2)).join(',\n')}\n${pad}]`;
  }
  if (isRaw(v)) return v.raw;
  // an empty group (Triggers) opens and closes on lines of its own, an empty list of values does not
  const entries = Object.entries(v as JsonObject).map(([k, x]) => `${pad}  ${JSON.stringify(k)}: ${Array.isArray(x) && x.length === 0 && GROUP_LISTS.has(k) ? `[\n${pad}  ]` : writeJson(x, indent + 2)}`);
  return `{\n${entries.join(',\n')}\n${pad}}`;
}

/** YAML: each query a list item, its groups indented two spaces a level. */
export function writeYaml(queries: readonly JsonObject[]): string {
  const lines: string[] = [];
  for (const q of queries) yamlObject(q, 2, '- ', lines);
  return lines.join('\n');
}

/** The keys of `o` at `indent`, the first line starting with `first` in place of its indent (a list item's "- "). */
function yamlObject(o: JsonObject, indent: number, first: string | undefined, lines: string[]): void {
  const pad = ' '.repeat(indent);
  Object.entries(o).forEach(([k, v], i) => {
    const lead = i === 0 && first !== undefined ? ' '.repeat(indent - first.length) + first : pad;
    if (Array.isArray(v)) {
      lines.push(`${lead}${k}: `);
      for (const item of v as Json[]) {
        if (typeof item === 'string') lines.push(`${pad}  - ${JSON.stringify(item)}`);
        // a list of values inside a list: written inline, as JSON (ExplainYAMLLineStarting's flow style)
        else if (Array.isArray(item)) lines.push(`${pad}  - ${writeJson(item, 0)}`);
        else yamlObject(item as JsonObject, indent + 4, '- ', lines);
      }
    } else if (typeof v === 'object' && !isRaw(v)) {
      lines.push(`${lead}${k}: `);
      yamlObject(v as JsonObject, indent + 2, undefined, lines);
    } else {
      lines.push(`${lead}${k}: ${scalar(v, JSON.stringify)}`);
    }
  });
}

/** XML in PostgreSQL's explain namespace, two spaces a level. */
export function writeXml(queries: readonly JsonObject[]): string {
  const lines = ['<explain xmlns="http://www.postgresql.org/2009/explain">'];
  for (const q of queries) {
    lines.push('  <Query>');
    xmlObject(q, 4, lines);
    lines.push('  </Query>');
  }
  lines.push('</explain>');
  return lines.join('\n');
}

function xmlObject(o: JsonObject, indent: number, lines: string[]): void {
  const pad = ' '.repeat(indent);
  for (const [k, v] of Object.entries(o)) {
    const tag = xmlTag(k);
    if (Array.isArray(v)) {
      lines.push(`${pad}<${tag}>`);
      for (const item of v as Json[]) {
        if (typeof item === 'string') {
          lines.push(`${pad}  <Item>${escapeXml(item)}</Item>`);
        } else if (Array.isArray(item)) {
          // a list of values inside a list (Group Keys: Group Key), its values as Items
          const element = tag.endsWith('s') ? tag.slice(0, -1) : 'Item';
          lines.push(`${pad}  <${element}>`);
          for (const value of item as string[]) lines.push(`${pad}    <Item>${escapeXml(value)}</Item>`);
          lines.push(`${pad}  </${element}>`);
        } else {
          // a list of groups names each by the list's name in the singular (Plans: Plan)
          const element = tag.endsWith('s') ? tag.slice(0, -1) : 'Item';
          lines.push(`${pad}  <${element}>`);
          xmlObject(item as JsonObject, indent + 4, lines);
          lines.push(`${pad}  </${element}>`);
        }
      }
      lines.push(`${pad}</${tag}>`);
    } else if (typeof v === 'object' && !isRaw(v)) {
      lines.push(`${pad}<${tag}>`);
      xmlObject(v as JsonObject, indent + 2, lines);
      lines.push(`${pad}</${tag}>`);
    } else {
      lines.push(`${pad}<${tag}>${scalar(v, escapeXml)}</${tag}>`);
    }
  }
}

function scalar(v: Json, quote: (s: string) => string): string {
  if (typeof v === 'string') return quote(v);
  if (isRaw(v)) return v.raw;
  return String(v);
}

/** ExplainXMLTag: a property's name with every character but [A-Za-z0-9-_.:] made a hyphen. */
function xmlTag(name: string): string {
  return name.replace(/[^A-Za-z0-9\-_.:]/g, '-');
}

/** escape_xml */
function escapeXml(s: string): string {
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#x0d;'));
}
