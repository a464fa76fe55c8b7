# R's RPostgreSQL (DBI) against Quiver: dbConnect, dbListTables, dbWriteTable (COPY), a k-NN
# dbGetQuery, dbSendQuery/dbFetch in pages, dbListFields, dbReadTable, transactions, errors.
# Every expected value is what this script gets from PostgreSQL 15 + pgvector (run it there with
# PGPORT=55432 and a database that has CREATE EXTENSION vector). Prints "ok" at the end.
suppressPackageStartupMessages(library(RPostgreSQL))

expect <- function(got, want, what) {
  if (!identical(got, want)) stop(sprintf("%s: got %s, want %s", what, deparse(got), deparse(want)), call. = FALSE)
}

env <- function(name, default) { v <- Sys.getenv(name); if (nzchar(v)) v else default }
con <- dbConnect(PostgreSQL(), host = env("PGHOST", "127.0.0.1"), port = as.integer(env("PGPORT", "5432")),
                 user = env("PGUSER", "postgres"), dbname = env("PGDATABASE", "postgres"))

invisible(dbGetQuery(con, "CREATE EXTENSION IF NOT EXISTS vector"))
for (t in c("e2e_r_docs", "e2e_r_staging")) if (dbExistsTable(con, t)) dbRemoveTable(con, t)

# a vector table made with SQL, filled from a data.frame through dbWriteTable (COPY) and INSERT … SELECT
invisible(dbGetQuery(con, "CREATE TABLE e2e_r_docs (id int PRIMARY KEY, title text NOT NULL, score float8, embedding vector(3))"))
staging <- data.frame(
  id = 1:5,
  title = c("alpha", "beta", "gamma", "delta", "eps"),
  score = c(0.5, 1.5, 2.5, NA, 4.5),
  embedding = c("[1,0,0]", "[0,1,0]", "[0,0,1]", "[1,1,0]", "[0.9,0.1,0]"),
  stringsAsFactors = FALSE
)
expect(dbWriteTable(con, "e2e_r_staging", staging, row.names = FALSE), TRUE, "dbWriteTable")
expect(dbExistsTable(con, "e2e_r_staging"), TRUE, "dbExistsTable")
expect(sort(dbListFields(con, "e2e_r_staging")), c("embedding", "id", "score", "title"), "dbListFields")
back <- dbReadTable(con, "e2e_r_staging")
expect(back[order(back$id), "title"], staging$title, "dbReadTable titles")
expect(is.na(back[back$id == 4, "score"]), TRUE, "NA survives the round trip")
n <- dbGetQuery(con, "INSERT INTO e2e_r_docs SELECT id, title, score, embedding::vector FROM e2e_r_staging RETURNING id")
expect(nrow(n), 5L, "INSERT ... SELECT ... RETURNING")
tables <- dbListTables(con)
expect(all(c("e2e_r_docs", "e2e_r_staging") %in% tables), TRUE, paste("dbListTables", paste(tables, collapse = ",")))

# k-NN, exact and with a filter
knn <- dbGetQuery(con, "SELECT id, title, embedding <-> '[1,0.05,0]' AS d FROM e2e_r_docs ORDER BY embedding <-> '[1,0.05,0]' LIMIT 3")
expect(knn$id, c(1L, 5L, 4L), "k-NN ids")
expect(knn$title, c("alpha", "eps", "delta"), "k-NN titles")
expect(class(knn$d), "numeric", "distance is a double")
expect(round(knn$d, 6), c(0.05, 0.111803, 0.95), "k-NN distances")
filtered <- dbGetQuery(con, "SELECT id FROM e2e_r_docs WHERE score > 1 ORDER BY embedding <=> '[0,0.2,1]' LIMIT 2")
expect(filtered$id, c(3L, 2L), "filtered cosine k-NN")
emb <- dbGetQuery(con, "SELECT embedding::text AS e, vector_dims(embedding) AS dims FROM e2e_r_docs WHERE id = 5")
expect(emb$e, "[0.9,0.1,0]", "vector text")
expect(emb$dims, 3L, "vector_dims")

# a result fetched in pages
res <- dbSendQuery(con, "SELECT id FROM e2e_r_docs ORDER BY id")
expect(fetch(res, n = 2)$id, c(1L, 2L), "first page")
expect(fetch(res, n = -1)$id, c(3L, 4L, 5L), "rest")
expect(dbHasCompleted(res), TRUE, "dbHasCompleted")
invisible(dbClearResult(res))

# transactions
invisible(dbBegin(con))
invisible(dbGetQuery(con, "DELETE FROM e2e_r_docs WHERE id > 3 RETURNING id"))
expect(dbGetQuery(con, "SELECT count(*) AS n FROM e2e_r_docs")$n, 3, "inside the transaction")
invisible(dbRollback(con))
expect(dbGetQuery(con, "SELECT count(*) AS n FROM e2e_r_docs")$n, 5, "after rollback")

# an error surfaces as an R error from dbSendQuery (dbGetQuery turns it into a warning and NULL),
# and the connection stays usable
failed <- tryCatch({ dbSendQuery(con, "INSERT INTO e2e_r_docs VALUES (9, 'bad', 0, '[1,2]')"); FALSE },
                   error = function(e) grepl("expected 3 dimensions, not 2", conditionMessage(e), fixed = TRUE))
expect(failed, TRUE, "dimension mismatch raises an R error")
expect(dbGetQuery(con, "SELECT 1 AS one")$one, 1L, "usable after an error")

expect(dbRemoveTable(con, "e2e_r_staging"), TRUE, "dbRemoveTable")
invisible(dbGetQuery(con, "DROP TABLE e2e_r_docs"))
expect(dbDisconnect(con), TRUE, "dbDisconnect")
cat("ok\n")
