import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { ConfigError } from '@rez/core';

/** The data dir holds the message store, the session key and the ntfy topic: its owner's alone. */
export const DATA_DIR_MODE = 0o700;
/** Every file Rez writes in the data dir, the SQLite WAL and SHM included (they copy the database's mode). */
export const DATA_FILE_MODE = 0o600;

/** Modes mean nothing to Node on Windows (only the read-only bit). */
const POSIX = process.platform !== 'win32';

/**
 * Creates the data dir 0700 (and any missing parent) if it does not exist.
 * An existing dir open to other users is left as it is — REZ_DATA_DIR may
 * name a directory that holds more than Rez's files, and changing its mode
 * could lock others out of theirs — but named in the returned warning: the
 * files Rez keeps in it are made 0600 ({@link keepPrivate}), so only their
 * names show.
 */
export function prepareDataDir(dir: string, variable = 'REZ_DATA_DIR'): { warnings: string[] } {
  const existed = existsSync(dir);
  try {
    mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const problem =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'is not a directory'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'cannot be created by this user'
          : `cannot be created (${(cause as Error).message})`;
    throw new ConfigError(
      variable,
      `points at ${dir}, which ${problem}; it must name a directory this user can create or write`,
    );
  }
  if (!existed || !POSIX) return { warnings: [] };
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return { warnings: [] };
  return {
    warnings: [
      `the data dir ${dir} is open to other users (mode ${mode.toString(8)}); its files are 0600, but to hide their names too: chmod 700 ${dir}`,
    ],
  };
}

/**
 * Reads a file of the data dir (tightening its mode first, see
 * {@link keepPrivate}), or answers `undefined` when there is none. Any other
 * failure — a directory in its place, no permission — is a ConfigError naming
 * the file and what to do, never a bare errno without a path.
 */
export function readDataFile(file: string, what: string): string | undefined {
  try {
    keepPrivate(file);
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    const problem =
      code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES' || code === 'EPERM'
          ? 'cannot be read by this user'
          : `cannot be read (${(error as Error).message})`;
    throw new ConfigError(file, `${problem}; it must be a readable file holding ${what}, or remove it`);
  }
}

/** Makes an existing file of the data dir 0600 if it is any wider (an earlier version's). */
export function keepPrivate(file: string): void {
  if (!POSIX || !existsSync(file)) return;
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, DATA_FILE_MODE);
}
