// Makes the big database `make bench` browses lazily, and the smaller one
// the browser tests do (once each; kept in ~/.cache/explorer-bench,
// outside the repository): `items` with an
// integer key, an indexed group column (500 values), a name and a body,
// an FTS5 index on the name, and ANALYZE statistics. Needs the sqlite3
// shell (tools/setup.sh installs it).
//
//   node tools/make-big-db.mjs [rows]   (default 6,000,000: about 1 GB)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIG_DB_DIR = join(homedir(), '.cache', 'explorer-bench');

/** The path of the database with `rows` rows, made if missing. */
export function bigDatabase(rows = 6_000_000) {
  const path = join(BIG_DB_DIR, `big-${rows}-v1.db`);
  if (existsSync(path)) return path;
  mkdirSync(BIG_DB_DIR, { recursive: true });
  const making = `${path}.making`;
  execFileSync('rm', ['-f', making]);
  execFileSync('sqlite3', [making], { stdio: ['pipe', 'ignore', 'inherit'], input: `
    PRAGMA journal_mode = OFF;
    PRAGMA synchronous = OFF;
    PRAGMA cache_size = -262144;
    CREATE TABLE items(id INTEGER PRIMARY KEY, grp INTEGER, name TEXT, body TEXT);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
    INSERT INTO items SELECT i, i % 500, 'item ' || i, printf('%.100c %d', 'x', i * 7919 % 1000003) FROM n;
    CREATE INDEX items_grp ON items(grp);
    CREATE VIRTUAL TABLE items_fts USING fts5(name, content=items, content_rowid=id);
    INSERT INTO items_fts(items_fts) VALUES ('rebuild');
    ANALYZE;
    VACUUM;` });
  renameSync(making, path);
  return path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  console.log(bigDatabase(Number(process.argv[2] ?? 6_000_000)), `${((Date.now() - started) / 1000).toFixed(0)} s`);
}
