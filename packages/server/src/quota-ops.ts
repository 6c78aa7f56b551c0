import type { Outcome, StorageOp, TransferSpec } from '@ftpkit/session';
import { isStorageError, StorageError, type FileStat, type StorageAdapter } from '@ftpkit/storage';
import type { QuotaAccount } from './quota-ledger.js';

/** How one upload books its bytes: `take` per chunk as it arrives, `settle` once at the end. */
export interface UploadBooking {
  /** Book `bytes` more of this upload, or throw EDQUOT (552) when the quota would be passed. */
  take(bytes: number): void;
  /** Replace what was booked by what storage now holds at the path. Never rejects. */
  settle(): Promise<void>;
}

async function statOrUndefined(storage: StorageAdapter, path: string): Promise<FileStat | undefined> {
  try {
    return await storage.stat(path);
  } catch (err) {
    if (isStorageError(err, 'ENOENT', 'ENOTDIR')) return undefined;
    throw err;
  }
}

async function fileSize(storage: StorageAdapter, path: string): Promise<number> {
  const st = await statOrUndefined(storage, path);
  return st?.type === 'file' ? st.size : 0;
}

function busyError(path: string): StorageError {
  // EAGAIN (451, transient): the path is being uploaded by another session of the same user.
  return new StorageError('EAGAIN', `${path} is being uploaded by this user`);
}

/**
 * Start booking an upload (STOR, APPE, STOU, REST+STOR). Bytes that only replace bytes already
 * stored in place (resumable mode) cost nothing while they arrive; a REST offset beyond the end
 * books the gap first (a sparse file's size counts). In atomic mode the old file stays until the
 * new one replaces it, so every arriving byte is booked.
 */
export async function beginUpload(account: QuotaAccount, storage: StorageAdapter, spec: Extract<TransferSpec, { type: 'stor' }>): Promise<UploadBooking> {
  await account.ready();
  if (account.busy(spec.path)) throw busyError(spec.path);
  const old = await fileSize(storage, spec.path);
  const inPlace = spec.uploadMode === 'resumable' && !spec.append ? Math.max(0, old - spec.offset) : 0;
  const gap = !spec.append && spec.offset > old ? spec.offset - old : 0;
  account.reserve(gap);
  const endWrite = account.beginWrite(spec.path);
  let booked = gap;
  let written = 0;
  return {
    take(bytes) {
      const charge = Math.max(0, written + bytes - inPlace) - Math.max(0, written - inPlace);
      account.reserve(charge);
      booked += charge;
      written += bytes;
    },
    async settle() {
      try {
        // The truth after the fact: the new size replaces the old one, whatever the mode and outcome.
        const now = await fileSize(storage, spec.path);
        account.adjust(now - old - booked);
      } catch {
        // Storage could not say: keep the booking, which never counts less than was stored.
      } finally {
        endWrite();
      }
    },
  };
}

/**
 * Run a storage operation of a user with a quota, booking what it changes: MKD takes the
 * directory cost first (552 when it does not fit), RMD gives it back, DELE and RNTO over a file
 * give back the size of the file that goes away. Other operations pass through.
 */
export async function bookedStorageOp(
  account: QuotaAccount,
  storage: StorageAdapter,
  call: StorageOp,
  run: () => Promise<Outcome>,
): Promise<Outcome> {
  switch (call.op) {
    case 'mkdir': {
      await account.ready();
      const cost = account.directoryBytes;
      account.reserve(cost);
      try {
        return await run();
      } catch (err) {
        account.adjust(-cost);
        throw err;
      }
    }
    case 'rmdir': {
      await account.ready();
      const outcome = await run();
      account.adjust(-account.directoryBytes);
      return outcome;
    }
    case 'delete': {
      await account.ready();
      if (account.busy(call.path)) throw busyError(call.path);
      const size = await fileSize(storage, call.path);
      const outcome = await run();
      account.adjust(-size);
      return outcome;
    }
    case 'rename': {
      await account.ready();
      if (account.busy(call.from)) throw busyError(call.from);
      if (account.busy(call.to)) throw busyError(call.to);
      const [from, to] = await Promise.all([statOrUndefined(storage, call.from), statOrUndefined(storage, call.to)]);
      // The same file under another spelling (a case-insensitive disk) is not replaced by itself.
      const same = call.from === call.to || (from?.unique !== undefined && from.unique === to?.unique);
      const replaced = to?.type === 'file' && !same ? to.size : 0;
      const outcome = await run();
      account.adjust(-replaced);
      return outcome;
    }
    default:
      return run();
  }
}
