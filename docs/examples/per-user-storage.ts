import { memoryStorage } from '@ftpkit/storage-memory';
import {
  createFtpServer,
  StorageError,
  type Authenticate,
  type ConnectionInfo,
  type FtpUser,
  type SessionUser,
  type StorageAdapter,
} from '@ftpkit/server';

// Every type a per-user storage function or a stand-alone login handler needs comes from
// @ftpkit/server itself.
const roots = new Map<string, StorageAdapter>();

export function storageFor(user: SessionUser, connection: ConnectionInfo): StorageAdapter {
  if (connection.remoteAddress === '') throw new StorageError('EACCES', 'no remote address');
  let adapter = roots.get(user.name);
  if (!adapter) roots.set(user.name, (adapter = memoryStorage({ readOnly: user.readOnly === true })));
  return adapter;
}

export const login: Authenticate = (name, password): FtpUser | null =>
  name === 'alice' && password === process.env.FTP_ALICE_PASSWORD ? { name: 'alice' } : null;

export const server = createFtpServer({ storage: storageFor, authenticate: login });
