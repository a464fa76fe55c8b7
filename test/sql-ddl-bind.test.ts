/**
 * src/sql/ddl: DDL statements from the parser's tree to typed nodes, and expressions
 * deparsed from the tree. The deparsed strings are what PostgreSQL 15's
 * pg_get_expr(…, true) / pg_get_constraintdef(…, true) print for the same expressions
 * (checked on the reference server; cases where PostgreSQL adds implicit casts after
 * analysis are left out).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadParser, parseSql } from '../src/sql/parser.js';
import { bindCreateTableAs, bindDdl, type BoundDdl } from '../src/sql/ddl/index.js';
import { SqlError } from '../src/errors.js';

before(loadParser);

function bind(sql: string): BoundDdl | undefined {
  const [stmt] = parseSql(sql);
  return bindDdl(stmt.node, stmt.text);
}

function only<K extends BoundDdl['kind']>(sql: string, kind: K): Extract<BoundDdl, { kind: K }> {
  const b = bind(sql);
  assert.equal(b?.kind, kind);
  return b as Extract<BoundDdl, { kind: K }>;
}

/** The text of DEFAULT <expr> as the catalog will show it. */
function defaultText(expr: string): string {
  const t = only(`CREATE TABLE t (c int DEFAULT ${expr})`, 'createTable');
  const col = t.elements[0];
  assert.equal(col.kind, 'column');
  const d = col.kind === 'column' ? col.column.constraints.find((k) => k.kind === 'default') : undefined;
  assert.ok(d && d.kind === 'default');
  return d.expr.sql;
}

test('non-DDL statements are not bound', () => {
  assert.equal(bind('SELECT 1'), undefined);
  assert.equal(bind('INSERT INTO t VALUES (1)'), undefined);
});

test('deparse: operators keep only the parentheses precedence needs', () => {
  assert.equal(defaultText('1 + 2 * 3'), '1 + 2 * 3');
  assert.equal(defaultText('(2 + 3) * 4'), '(2 + 3) * 4');
  assert.equal(defaultText('10 - (4 - 1)'), '10 - (4 - 1)');
  assert.equal(defaultText('-(3)'), "'-3'::integer");
  assert.equal(defaultText('10000000000'), "'10000000000'::bigint");
  assert.equal(defaultText('-1.5'), "'-1.5'::numeric");
  assert.equal(defaultText('a + -b'), 'a + (- b)');
  assert.equal(defaultText('(a + b) * c + a % 2'), '(a + b) * c + a % 2');
});

test('deparse: literals, quoting and SQL-syntax functions', () => {
  assert.equal(defaultText("E'a\\'b'"), "'a''b'");
  assert.equal(defaultText("$$it's$$"), "'it''s'");
  assert.equal(defaultText('ARRAY[1,2]'), 'ARRAY[1, 2]');
  assert.equal(defaultText('CURRENT_TIMESTAMP'), 'CURRENT_TIMESTAMP');
  assert.equal(defaultText('coalesce(null, 3)'), 'COALESCE(NULL, 3)');
  // a string literal passed to a built-in carries its parameter's type, as PostgreSQL 15 prints it
  assert.equal(defaultText("pg_catalog.lower('A')"), "lower('A'::text)");
  assert.equal(defaultText("to_tsvector('english', 'a b')"), "to_tsvector('english'::regconfig, 'a b'::text)");
  assert.equal(defaultText("nextval('s')"), "nextval('s'::regclass)");
  assert.equal(defaultText("jsonb_build_object('a', 1)"), "jsonb_build_object('a', 1)");
  assert.equal(defaultText("'x'::varchar(3)"), "'x'::character varying(3)");
});

test('CHECK: boolean logic, quoted identifiers, and BETWEEN / IN / LIKE as the analyzer rewrites them', () => {
  const t = only(`CREATE TABLE t ("Weird Col" int, u int, w int, l text,
    CHECK (u < 100 OR "Weird Col" IS NOT NULL), CHECK (u > 0 AND (w < 100 OR w IS NULL)),
    CHECK (w BETWEEN 1 AND 10), CHECK (l IN ('a', 'b')), CHECK (l NOT LIKE 'a%'), CHECK (NOT (u = 1)),
    CHECK (u IN (w, 1) AND w NOT BETWEEN SYMMETRIC 1 AND 10), CHECK (u IS NOT DISTINCT FROM w OR (u > w) IS TRUE), CHECK (u > w + 1))`, 'createTable');
  const checks = t.elements.flatMap((e) => (e.kind === 'constraint' && e.constraint.kind === 'check' ? [e.constraint.expr.sql] : []));
  assert.deepEqual(checks, [
    'u < 100 OR "Weird Col" IS NOT NULL',
    'u > 0 AND (w < 100 OR w IS NULL)',
    'w >= 1 AND w <= 10',
    "l = ANY (ARRAY['a', 'b'])",
    "l !~~ 'a%'",
    'NOT u = 1',
    '(u = w OR u = 1) AND (w < 1 OR w > 10) AND (w < 10 OR w > 1)',
    'NOT u IS DISTINCT FROM w OR (u > w) IS TRUE',
    'u > (w + 1)',
  ]);
});

test('CREATE TABLE: columns, keys, foreign keys, partitioning', () => {
  const t = only(`CREATE TABLE IF NOT EXISTS s.items (id bigserial PRIMARY KEY, tenant int NOT NULL REFERENCES tenants ON DELETE CASCADE,
    label text UNIQUE, UNIQUE (tenant, label)) PARTITION BY LIST (tenant)`, 'createTable');
  assert.deepEqual(t.relation, { schema: 's', name: 'items' });
  assert.equal(t.ifNotExists, true);
  assert.deepEqual(t.partitionBy, { strategy: 'list', keys: [{ column: 'tenant', position: t.partitionBy!.keys[0].position }] });
  const [id, tenant, label, key] = t.elements;
  assert.ok(id.kind === 'column' && 'type' in id.column.type && id.column.type.serial);
  assert.ok(tenant.kind === 'column');
  const fk = tenant.column.constraints.find((k) => k.kind === 'foreignKey');
  assert.ok(fk && fk.kind === 'foreignKey');
  assert.deepEqual({ ref: fk.fk.refTable, cols: fk.fk.columns, del: fk.fk.onDelete, upd: fk.fk.onUpdate }, { ref: { name: 'tenants' }, cols: ['tenant'], del: 'c', upd: 'a' });
  assert.ok(label.kind === 'column' && label.column.constraints.some((k) => k.kind === 'unique'));
  assert.ok(key.kind === 'constraint' && key.constraint.kind === 'unique');
  assert.deepEqual(key.constraint.columns, ['tenant', 'label']);
});

test('CREATE TABLE … PARTITION OF: bounds as typed datums', () => {
  const t = only("CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (MINVALUE, 1) TO ('10', x)", 'createTable');
  const b = t.partitionOf!.bound;
  assert.equal(b.kind, 'range');
  assert.ok(b.kind === 'range');
  assert.deepEqual(b.from.map((d) => d.kind), ['minvalue', 'value']);
  assert.deepEqual(b.to.map((d) => d.kind), ['value', 'columnRef']);
  assert.ok(b.to[0].kind === 'value' && b.to[0].text === '10');
});

test('an unknown column type is kept as the error it raises when used', () => {
  const t = only('CREATE TABLE t (c nosuchtype)', 'createTable');
  const c = t.elements[0];
  assert.ok(c.kind === 'column' && 'error' in c.column.type);
  assert.ok(c.column.type.error instanceof SqlError);
});

test('ALTER TABLE: one typed command per subcommand', () => {
  const a = only(`ALTER TABLE t ADD COLUMN IF NOT EXISTS n int DEFAULT 1, DROP COLUMN IF EXISTS m, ALTER COLUMN k SET DEFAULT 'x',
    ALTER COLUMN k DROP DEFAULT, ALTER COLUMN k TYPE bigint USING k * 2, ADD CONSTRAINT c CHECK (k > 0) NOT VALID,
    DROP CONSTRAINT c, OWNER TO bob, ENABLE ROW LEVEL SECURITY, ENABLE TRIGGER ALL`, 'alterTable');
  assert.deepEqual(a.commands.map((c) => c.kind), ['addColumn', 'dropColumn', 'setDefault', 'setDefault', 'alterType', 'addConstraint', 'dropConstraint', 'owner', 'rowSecurity', 'unsupported']);
  const [, , setD, dropD, type, add, , owner] = a.commands;
  assert.deepEqual(owner, { kind: 'owner', role: { kind: 'name', name: 'bob' } });
  assert.ok(setD.kind === 'setDefault' && setD.expr?.sql === "'x'");
  assert.ok(dropD.kind === 'setDefault' && dropD.expr === null);
  assert.ok(type.kind === 'alterType' && type.using?.sql === 'k * 2');
  assert.ok(add.kind === 'addConstraint' && add.constraint.kind === 'check' && add.constraint.skipValidation);
});

test('DROP, CREATE INDEX, VIEW, SEQUENCE, FUNCTION, COMMENT, RENAME, TRUNCATE', () => {
  const d = only('DROP TABLE IF EXISTS a, s.b CASCADE', 'drop');
  assert.ok('objects' in d);
  assert.deepEqual({ type: d.objectType, objects: d.objects, missingOk: d.missingOk, cascade: d.cascade },
    { type: 'table', objects: [{ name: 'a' }, { schema: 's', name: 'b' }], missingOk: true, cascade: true });
  const f = only('DROP FUNCTION f(int, text), g', 'drop');
  assert.ok('functions' in f && f.functions[0].argTypes?.length === 2 && f.functions[1].argTypes === undefined);
  const i = only('CREATE INDEX ON items USING hnsw ((embedding::vector(3)) vector_cosine_ops) WITH (m = 16, ef_construction = 0) WHERE id > 0', 'createIndex');
  assert.deepEqual({ method: i.method, options: i.options, col: i.columns[0].kind, opclass: i.columns[0].opclass, where: i.where?.sql },
    { method: 'hnsw', options: { m: '16', ef_construction: '0' }, col: 'castColumn', opclass: 'vector_cosine_ops', where: 'id > 0' });
  const v = only('CREATE OR REPLACE VIEW v (a, b) AS SELECT 1, 2;', 'createView');
  assert.deepEqual({ replace: v.replace, aliases: v.aliases, sql: v.sql, query: v.query !== undefined }, { replace: true, aliases: ['a', 'b'], sql: 'SELECT 1, 2', query: true });
  const s = only('CREATE SEQUENCE q INCREMENT -1 MINVALUE 0 NO CYCLE', 'createSequence');
  assert.deepEqual(s.options, { increment: -1n, minvalue: 0n, maxvalue: undefined, start: undefined, cycle: false });
  const fn = only("CREATE FUNCTION s.add1(x int) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT x + 1'", 'createFunction');
  assert.deepEqual({ schema: fn.schema, name: fn.definition.name, volatility: fn.definition.volatility, body: fn.definition.body }, { schema: 's', name: 'add1', volatility: 'i', body: { sql: 'SELECT x + 1' } });
  assert.throws(() => bind("CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS 'begin return 1; end'"), /language "plpgsql" are not supported/);
  const c = only("COMMENT ON COLUMN s.t.c IS 'hi'", 'comment');
  assert.deepEqual(c.target, { kind: 'column', relation: { schema: 's', name: 't' }, column: 'c' });
  const r = only('ALTER TABLE t RENAME CONSTRAINT a TO b', 'rename');
  assert.deepEqual({ target: r.target, subname: r.subname, newName: r.newName }, { target: 'constraint', subname: 'a', newName: 'b' });
  const tr = only('TRUNCATE a, b RESTART IDENTITY', 'truncate');
  assert.deepEqual(tr, { kind: 'truncate', tables: [{ name: 'a' }, { name: 'b' }], restartSequences: true });
});

test("CREATE VIEW keeps its query's text as written, found with PostgreSQL's scanner", () => {
  const text = (sql: string): string => only(sql, 'createView').sql;
  assert.equal(text('CREATE VIEW v AS SELECT 1 AS x;'), 'SELECT 1 AS x');
  assert.equal(text('CREATE VIEW "as" ("AS", b) WITH (security_barrier) AS\n  SELECT \'as\' AS a, 2 -- AS\n'), "SELECT 'as' AS a, 2");
  assert.equal(text('CREATE VIEW v AS SELECT a FROM t WHERE a > 0 WITH LOCAL CHECK OPTION'), 'SELECT a FROM t WHERE a > 0');
  assert.equal(text('CREATE VIEW v AS WITH w AS (SELECT 1) SELECT * FROM w'), 'WITH w AS (SELECT 1) SELECT * FROM w');
});

test('CREATE TABLE AS: the output columns under the names given', () => {
  const [stmt] = parseSql('CREATE TABLE t2 (a, b) AS SELECT 1, 2, 3');
  const out = [{ name: '?column?', type: { oid: 23, typmod: -1 } }, { name: '?column?', type: { oid: 23, typmod: -1 } }, { name: 'c', type: { oid: 25, typmod: -1 } }];
  assert.ok('CreateTableAsStmt' in stmt.node);
  const ctas = stmt.node.CreateTableAsStmt;
  const b = bindCreateTableAs(ctas, out);
  assert.deepEqual(b.columns.map((c) => c.name), ['a', 'b', 'c']);
  assert.throws(() => bindCreateTableAs(ctas, out.slice(0, 1)), /too many column names were specified/);
});
