import type { FsFileHandle, FsPromisesApi } from '@ftpkit/storage-local';
import type { Volume } from 'memfs';

type MemfsNode = ReturnType<Volume['_core']['getFileByFd']>['node'];

/** Below this a buffer may come from Buffer's shared pool and is left to the garbage collector. */
const RELEASE_MIN_BYTES = 1 << 20;

/** Spare capacity a written file may keep: less is not worth a copy. */
const COMPACT_SLACK_BYTES = 1 << 20;

/**
 * Return a big buffer's memory to the system now rather than at V8's next full collection, which
 * in an idle server may come minutes later (issue 15.5: 400 MiB stayed resident 40 s after a
 * DELE). Transferring the ArrayBuffer into a message that is then dropped frees its backing
 * store at once. Only for a buffer that owns its whole ArrayBuffer and that nothing else uses.
 */
function release(buf: Buffer): void {
  const ab = buf.buffer;
  if (buf.length < RELEASE_MIN_BYTES || buf.byteOffset !== 0 || ab.byteLength !== buf.length) return;
  if (!(ab instanceof ArrayBuffer)) return;
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(ab, [ab]);
  port1.close();
  port2.close();
}

/**
 * The memfs promise API with memory given back eagerly. memfs keeps a file in one buffer that it
 * replaces with one twice as big whenever a write outgrows it, and it never reads the old one
 * again: each replaced buffer is released at once. When a handle opened for writing closes, the
 * file is copied into a buffer of its exact size (one copy per upload; 200 MiB no longer sits in
 * 256 MiB). A node that no name and no open handle reaches any more (DELE, a rename over it,
 * the last close of a deleted file) has its buffer released.
 */
export function releasingFs(api: FsPromisesApi, volume: Volume): FsPromisesApi {
  const core = volume._core;

  const nodeAt = (path: string): MemfsNode | undefined => {
    const node = core.getResolvedLink(path)?.getNode();
    return node?.isFile() === true ? node : undefined;
  };

  const isOpen = (node: MemfsNode): boolean => Object.values(core.fds).some((file) => file.node === node);

  /** Runs `op`, then releases the buffer `node` had before if memfs replaced it. */
  const watching = async <T>(node: MemfsNode | undefined, op: () => Promise<T>): Promise<T> => {
    const before = node?.buf;
    const result = await op();
    if (node !== undefined && before !== undefined && node.buf !== before) release(before);
    return result;
  };

  const releaseIfUnreachable = (node: MemfsNode | undefined): void => {
    if (node !== undefined && node.nlink <= 0 && !isOpen(node)) release(node.buf);
  };

  const compact = (node: MemfsNode): void => {
    const size = node.getSize();
    if (node.buf.length - size <= COMPACT_SLACK_BYTES) return;
    const mtime = node.mtime;
    const old = node.buf;
    node.setBuffer(old.subarray(0, size));
    node.mtime = mtime;
    release(old);
  };

  const open = async (path: string, flags: number, mode?: number): Promise<FsFileHandle> => {
    // O_TRUNC drops the old content.
    const handle = await watching(nodeAt(path), () => api.open(path, flags, mode));
    const fd = (handle as unknown as { fd: number }).fd;
    const node = core.getFileByFd(fd)?.node;
    if (node === undefined) return handle;
    let written = false;
    const writev = (buffers: Uint8Array[], position?: number | null): Promise<{ bytesWritten: number }> => {
      written = true;
      return watching(node, () => handle.writev(buffers, position));
    };
    const close = async (): Promise<void> => {
      if (written) compact(node);
      await handle.close();
      releaseIfUnreachable(node);
    };
    return Object.create(handle, { writev: { value: writev }, close: { value: close } }) as FsFileHandle;
  };

  const unlink = async (path: string): Promise<void> => {
    const node = nodeAt(path);
    await api.unlink(path);
    releaseIfUnreachable(node);
  };

  const rename = async (from: string, to: string): Promise<void> => {
    const replaced = nodeAt(to);
    const moved = nodeAt(from);
    await api.rename(from, to);
    if (replaced !== moved) releaseIfUnreachable(replaced);
  };

  return Object.create(api, { open: { value: open }, unlink: { value: unlink }, rename: { value: rename } }) as FsPromisesApi;
}
