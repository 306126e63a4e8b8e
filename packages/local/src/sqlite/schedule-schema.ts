/**
 * User schedules (see @rez/core UserSchedule): one row per schedule, the
 * definition as JSON beside its revision, and `fired_at`, the local loop's
 * own mark of the last timetable run it fired (compare-and-set, so two
 * processes never fire the same run). `user_schedule_changes.seq` grows
 * with every change of a definition, in the same transaction: the loop of a
 * running `npm start` reads it each second to pick up what the CLI changed.
 */
export const SCHEDULE_SCHEMA = `
CREATE TABLE IF NOT EXISTS user_schedules (
  name TEXT PRIMARY KEY,
  revision TEXT NOT NULL,
  body TEXT NOT NULL,
  fired_at INTEGER
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS user_schedule_changes (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL
) STRICT;
INSERT OR IGNORE INTO user_schedule_changes (id, seq) VALUES (1, 0);
`;
