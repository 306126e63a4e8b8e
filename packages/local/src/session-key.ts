import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@rez/core';
import { DATA_FILE_MODE, readDataFile } from './data-dir';

export const SESSION_KEY_FILE = 'session.key';
/** The key that signs push action links (see @rez/core signPushAction). */
export const ACTION_KEY_FILE = 'action.key';

/** One key of 32 bytes in base64 (`openssl rand -base64 32`: 43 characters and `=`), or base64url without padding. */
const BASE64_32 = /^[A-Za-z0-9+/]{43}=$|^[A-Za-z0-9_-]{43}$/;

/**
 * A 32-byte key kept in the data dir, so what it protects survives a
 * restart: made on first use (32 random bytes, base64, file 0600), read and
 * checked on every later start. A file that holds anything but one base64
 * 32-byte key is refused with a ConfigError naming it and saying what it
 * must hold; deleting it makes a new key (`deleting` says what that costs).
 * Only the key itself leaves: the file is this package's business.
 */
function readKeyFile(dataDir: string, name: string, deleting: string): Buffer {
  const file = path.join(dataDir, name);
  const valid = 'one base64 32-byte key (openssl rand -base64 32)';
  const text = readDataFile(file, valid);
  if (text === undefined) {
    const key = randomBytes(32);
    try {
      // 'wx': if another process made one first, use theirs.
      writeFileSync(file, `${key.toString('base64')}\n`, { flag: 'wx', mode: DATA_FILE_MODE });
      return key;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return readKeyFile(dataDir, name, deleting);
    }
  }
  const content = text.trim();
  const fix = `it must hold ${valid}; or delete it to have a new key made (${deleting})`;
  if (!content) throw new ConfigError(file, `is empty; ${fix}`);
  if (!BASE64_32.test(content)) {
    const what = /^[A-Za-z0-9+/_-]+=*$/.test(content)
      ? `holds base64 of ${Buffer.from(content, 'base64').length} bytes, not 32`
      : `holds ${content.length} characters that are not one base64 key`;
    throw new ConfigError(file, `${what}; ${fix}`);
  }
  return Buffer.from(content, 'base64');
}

/** The console's session key (session.key in the data dir; see readKeyFile). */
export function readSessionKeyFile(dataDir: string): Buffer {
  return readKeyFile(dataDir, SESSION_KEY_FILE, 'signs everyone out');
}

/** The key that signs push action links (action.key in the data dir; see readKeyFile). */
export function readActionKeyFile(dataDir: string): Buffer {
  return readKeyFile(dataDir, ACTION_KEY_FILE, 'the buttons of pushes already sent stop working');
}
