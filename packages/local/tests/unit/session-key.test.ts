import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@rez/core';
import {
  ACTION_KEY_FILE,
  readActionKeyFile,
  readSessionKeyFile,
  SESSION_KEY_FILE,
} from '../../src/session-key';
import { tempDir } from '../helpers';

describe('Function: readSessionKeyFile', () => {
  let data: ReturnType<typeof tempDir>;
  beforeEach(() => {
    data = tempDir();
  });
  afterEach(() => data.remove());
  const file = () => path.join(data.dir, SESSION_KEY_FILE);

  it('makes a random 32-byte key on first use, in a 0600 file, and reads the same one back', () => {
    const key = readSessionKeyFile(data.dir);
    expect(key).toHaveLength(32);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    expect(readFileSync(file(), 'utf8')).toBe(`${key.toString('base64')}\n`);
    expect(readSessionKeyFile(data.dir)).toEqual(key);
  });

  it('reads a key written by hand, in base64 or base64url', () => {
    const key = Buffer.alloc(32, 0xfb);
    writeFileSync(file(), `  ${key.toString('base64')}\n\n`);
    expect(readSessionKeyFile(data.dir)).toEqual(key);
    writeFileSync(file(), key.toString('base64url'));
    expect(readSessionKeyFile(data.dir)).toEqual(key);
  });

  it('refuses a key of the wrong length, naming the file, what it holds and what it must', () => {
    writeFileSync(file(), Buffer.alloc(31, 1).toString('base64'));
    expect(() => readSessionKeyFile(data.dir)).toThrow(
      new ConfigError(
        file(),
        'holds base64 of 31 bytes, not 32; it must hold one base64 32-byte key (openssl rand -base64 32); or delete it to have a new key made (signs everyone out)',
      ),
    );
  });
});

describe('Function: readActionKeyFile', () => {
  let data: ReturnType<typeof tempDir>;
  beforeEach(() => {
    data = tempDir();
  });
  afterEach(() => data.remove());

  it('keeps a key of its own beside the session key, 0600, and refuses a bad one naming its file', () => {
    const key = readActionKeyFile(data.dir);
    const file = path.join(data.dir, ACTION_KEY_FILE);
    expect(key).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readActionKeyFile(data.dir)).toEqual(key);
    expect(readSessionKeyFile(data.dir)).not.toEqual(key);
    writeFileSync(file, 'nope');
    expect(() => readActionKeyFile(data.dir)).toThrow(
      new ConfigError(
        file,
        'holds base64 of 3 bytes, not 32; it must hold one base64 32-byte key (openssl rand -base64 32); or delete it to have a new key made (the buttons of pushes already sent stop working)',
      ),
    );
  });
});
