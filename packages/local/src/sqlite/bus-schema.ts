/**
 * The embedded bus. A dead-letter queue is an ordinary queue another one
 * points at; moving a message there only rewrites its `queue` column.
 * `bus_messages_ready` serves receive (oldest visible first) and depth.
 */
export const BUS_SCHEMA = `
CREATE TABLE IF NOT EXISTS bus_queues (
  name TEXT PRIMARY KEY,
  dead_letter_queue TEXT,
  max_receive_count INTEGER
) STRICT;

CREATE TABLE IF NOT EXISTS bus_subscriptions (
  topic TEXT NOT NULL,
  queue TEXT NOT NULL REFERENCES bus_queues(name),
  PRIMARY KEY (topic, queue)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS bus_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  transport_id TEXT NOT NULL UNIQUE,
  queue TEXT NOT NULL,
  body TEXT NOT NULL,
  attributes TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  receipt_handle TEXT
) STRICT;

CREATE INDEX IF NOT EXISTS bus_messages_ready ON bus_messages (queue, visible_at, seq);
CREATE UNIQUE INDEX IF NOT EXISTS bus_messages_receipt ON bus_messages (receipt_handle);
`;
