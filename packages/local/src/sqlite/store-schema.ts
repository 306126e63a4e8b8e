/**
 * The message store. Lists are newest first by `sort_key` (created_date#id,
 * the same order as the DynamoDB adapter's sort key), and each filter the
 * console uses has an index that ends in sort_key, so a page is an index
 * range read — never a scan of the table, however large it grows. Counts
 * are pre-aggregated per 5-minute bucket, stage and type as they happen.
 */
export const STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY,
  sort_key TEXT NOT NULL,
  type TEXT NOT NULL,
  stage TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_date TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  causation_id TEXT,
  hop INTEGER NOT NULL,
  payload TEXT NOT NULL,
  raw TEXT,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  error TEXT,
  result TEXT,
  ntfy_id TEXT,
  children TEXT NOT NULL,
  history TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  lease_until TEXT
) STRICT;

CREATE INDEX IF NOT EXISTS messages_by_time ON messages (sort_key);
CREATE INDEX IF NOT EXISTS messages_by_stage ON messages (stage, sort_key);
CREATE INDEX IF NOT EXISTS messages_by_status ON messages (status, sort_key);
CREATE INDEX IF NOT EXISTS messages_by_stage_status ON messages (stage, status, sort_key);
CREATE INDEX IF NOT EXISTS messages_by_type ON messages (type, sort_key);
CREATE INDEX IF NOT EXISTS messages_by_stage_type ON messages (stage, type, sort_key);
CREATE INDEX IF NOT EXISTS messages_by_creator ON messages (created_by, sort_key);
CREATE INDEX IF NOT EXISTS messages_by_cause ON messages (causation_id, sort_key) WHERE causation_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS message_counts (
  bucket INTEGER NOT NULL,
  stage TEXT NOT NULL,
  type TEXT NOT NULL,
  created INTEGER NOT NULL DEFAULT 0,
  completed INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (bucket, stage, type)
) STRICT, WITHOUT ROWID;

-- Console sessions ended on the server: one row per console user (see ConsoleSessionStore).
CREATE TABLE IF NOT EXISTS console_sessions (
  user TEXT PRIMARY KEY,
  epoch INTEGER NOT NULL,
  revoked TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS schedule_state (
  name TEXT PRIMARY KEY,
  anchor INTEGER NOT NULL,
  last_run INTEGER
) STRICT, WITHOUT ROWID;
`;
