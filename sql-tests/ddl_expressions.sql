-- DEFAULT and CHECK expressions read back from the catalog (pg_get_expr / pg_get_constraintdef
-- pretty, psql \d): quoted identifiers, E'' and dollar-quoted strings, nested boolean logic
CREATE TABLE ddlx_q ("Weird Col" int CHECK ("Weird Col" > 0), s text DEFAULT E'a\'b', t text DEFAULT $$it's$$, u int DEFAULT 7,
  CONSTRAINT "Named Check" CHECK (u < 100 OR "Weird Col" IS NOT NULL), v text CHECK (length(v) > 2),
  w int DEFAULT (2 + 3) * 4, x int[] DEFAULT ARRAY[1, 2], CHECK (u > 0 AND (w < 100 OR w IS NULL)));
SELECT a.attname, pg_get_expr(d.adbin, d.adrelid, true) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  WHERE d.adrelid = 'ddlx_q'::regclass ORDER BY 1;
SELECT conname, pg_get_constraintdef(oid, true) FROM pg_constraint WHERE conrelid = 'ddlx_q'::regclass ORDER BY conname;
\d ddlx_q
INSERT INTO ddlx_q ("Weird Col", v) VALUES (1, 'abc');
SELECT "Weird Col", s, t, u, v, w, x FROM ddlx_q;
ALTER TABLE ddlx_q ALTER COLUMN t SET DEFAULT $q$it's "quoted"$q$;
ALTER TABLE ddlx_q ADD COLUMN y text DEFAULT E'\\b', ADD COLUMN z int DEFAULT -(3);
\d ddlx_q
DROP TABLE ddlx_q;
