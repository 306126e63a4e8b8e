import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@rez/core';
import { DATA_FILE_MODE, readDataFile } from './data-dir';

export const SESSION_KEY_FILE = 'session.key';

/** One key of 32 bytes in base64 (`openssl rand -base64 32`: 43 characters and `=`), or base64url without padding. */
const BASE64_32 = /^[A-Za-z0-9+/]{43}=$|^[A-Za-z0-9_-]{43}$/;

/**
 * The console's session key, kept in the data dir so sign-ins survive a
 * restart: made on first use (32 random bytes, base64, file 0600), read and
 * checked on every later start. A file that holds anything but one base64
 * 32-byte key is refused with a ConfigError naming it and saying what it
 * must hold; deleting it makes a new key (and signs everyone out). Only the
 * key itself goes to the console: the file is this package's business.
 */
export function readSessionKeyFile(dataDir: string): Buffer {
  const file = path.join(dataDir, SESSION_KEY_FILE);
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
      return readSessionKeyFile(dataDir);
    }
  }
  const content = text.trim();
  const fix = `it must hold ${valid}; or delete it to have a new key made (signs everyone out)`;
  if (!content) throw new ConfigError(file, `is empty; ${fix}`);
  if (!BASE64_32.test(content)) {
    const what = /^[A-Za-z0-9+/_-]+=*$/.test(content)
      ? `holds base64 of ${Buffer.from(content, 'base64').length} bytes, not 32`
      : `holds ${content.length} characters that are not one base64 key`;
    throw new ConfigError(file, `${what}; ${fix}`);
  }
  return Buffer.from(content, 'base64');
}
