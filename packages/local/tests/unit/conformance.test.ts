import path from 'node:path';
import {
  describeMessageStoreConformance,
  describePushStateStoreConformance,
  describeQueueConformance,
  describeUserScheduleStoreConformance,
} from '@rez/core/testing';
import {
  openDatabase,
  SqliteBus,
  SqliteMessageStore,
  SqlitePushStateStore,
  SqliteUserScheduleStore,
} from '../../src';
import { tempDir } from '../helpers';

describeMessageStoreConformance('SQLite', async () => {
  const { dir, remove } = tempDir();
  const db = openDatabase(path.join(dir, 'rez.db'));
  return {
    store: new SqliteMessageStore(db),
    close: () => {
      db.close();
      remove();
    },
  };
});

describeQueueConformance('SQLite', async () => {
  const { dir, remove } = tempDir();
  const db = openDatabase(path.join(dir, 'rez.db'));
  const bus = new SqliteBus(db);
  const queue = bus.createQueue({ name: 'work', deadLetter: { queue: 'work-dlq', maxReceiveCount: 2 } });
  bus.subscribe('rez', 'work');
  return {
    publisher: bus.publisher('rez'),
    queue,
    maxReceiveCount: 2,
    close: () => {
      db.close();
      remove();
    },
  };
});

describeUserScheduleStoreConformance('SQLite', async () => {
  const { dir, remove } = tempDir();
  const db = openDatabase(path.join(dir, 'rez.db'));
  return {
    store: new SqliteUserScheduleStore(db),
    close: () => {
      db.close();
      remove();
    },
  };
});

describePushStateStoreConformance('SQLite', async () => {
  const { dir, remove } = tempDir();
  const db = openDatabase(path.join(dir, 'rez.db'));
  return {
    store: new SqlitePushStateStore(db),
    close: () => {
      db.close();
      remove();
    },
  };
});
