/**
 * Push delivery and push actions (see @rez/core PushStateStore): the ntfy
 * budget per server and topic (its state as JSON, with the version every
 * write is conditional on), the nonces of used action links (until they
 * expire, epoch ms), and the acknowledged alarms by name.
 */
export const PUSH_STATE_SCHEMA = `
CREATE TABLE IF NOT EXISTS push_budgets (
  key TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  version INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS push_action_tokens (
  nonce TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS alarm_acknowledgements (
  alarm TEXT PRIMARY KEY,
  body TEXT NOT NULL
) STRICT, WITHOUT ROWID;
`;
