import { beforeEach, afterEach, describe, expect, it } from 'vitest';
import { resolvePath } from '../resolve-path.js';
import type { StorageAdapter } from '../storage-adapter.js';
import type { StorageTestHarness } from './describe-storage-adapter.js';
import { HOSTILE_PATHS } from './hostile-paths.js';
import { chunksOf, collectText } from './stream-helpers.js';

/**
 * An adapter rooted somewhere with a world outside the root the suite can watch.
 *
 * The factory must prepare, outside the root, a file whose content is `secret` (named
 * `secret.txt` in the directory just above the root), and inside the root the links the hostile
 * inputs aim at, where the backend has symlinks: `/link-out` -> the secret file, `/link-dir-out`
 * -> the directory holding it, `/link-abs` -> that directory by absolute path, and
 * `/sub/link-up` -> `../..`.
 */
export interface PathEscapeHarness extends StorageTestHarness {
  secret: string;
  /** A fingerprint of everything outside the root: names, sizes, modes, mtimes and contents. */
  outside(): Promise<string>;
}

async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

async function listNames(adapter: StorageAdapter, dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of adapter.list(dir)) names.push(e.name);
  return names;
}

/**
 * For every hostile input (raw, and after `resolvePath('/', input)`), runs every operation of the
 * adapter and proves that nothing outside the root was read, listed, created, changed or removed.
 * Errors are fine (and must be StorageErrors); escapes are not.
 */
export function describePathEscapes(
  name: string,
  factory: () => PathEscapeHarness | Promise<PathEscapeHarness>,
  inputs: readonly string[] = HOSTILE_PATHS,
): void {
  describe(`path escapes: ${name}`, () => {
    let h: PathEscapeHarness;
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.adapter.dispose?.();
      await h.cleanup?.();
    });

    it.each(inputs)('hostile path %j cannot reach outside the root', async (input) => {
      const s = h.adapter;
      const before = await h.outside();
      const candidates = new Set<string>([input, `/${input}`]);
      try {
        candidates.add(resolvePath('/', input));
      } catch (err) {
        expect(err).toMatchObject({ name: 'StorageError', code: 'EINVAL' });
      }
      await s.write('/inside.txt', chunksOf('inside'));

      const expectOnlyStorageErrors = (r: { ok: boolean; error?: unknown }): void => {
        if (!r.ok) expect(r.error, `op on ${JSON.stringify(input)}`).toMatchObject({ name: 'StorageError' });
      };
      const expectOutsideUntouched = async (what: string): Promise<void> => {
        expect(await h.outside(), `${what} ${JSON.stringify(input)} changed the world outside the root`).toBe(before);
      };

      for (const path of candidates) {
        const stat = await settle(s.stat(path));
        expectOnlyStorageErrors(stat);
        if (stat.ok) expect(stat.value.type === 'file' && stat.value.size === h.secret.length).toBe(false);

        const read = await settle(collectText(s.read(path)));
        expectOnlyStorageErrors(read);
        if (read.ok) expect(read.value).not.toContain(h.secret);

        const list = await settle(listNames(s, path));
        expectOnlyStorageErrors(list);
        if (list.ok) expect(list.value).not.toContain('secret.txt');

        for (const mode of ['atomic', 'resumable'] as const) {
          const write = await settle(s.write(path, chunksOf('PWNED'), { uploadMode: mode }));
          expectOnlyStorageErrors(write);
          await expectOutsideUntouched(`write(${mode})`);
          const append = await settle(s.write(path, chunksOf('PWNED'), { uploadMode: mode, mode: 'append' }));
          expectOnlyStorageErrors(append);
          await expectOutsideUntouched(`append(${mode})`);
        }

        expectOnlyStorageErrors(await settle(s.mkdir(path)));
        await expectOutsideUntouched('mkdir');
        expectOnlyStorageErrors(await settle(s.setMtime?.(path, new Date(0)) ?? Promise.resolve()));
        expectOnlyStorageErrors(await settle(s.chmod?.(path, 0o777) ?? Promise.resolve()));
        await expectOutsideUntouched('setMtime/chmod');

        const moveIn = await settle(s.rename('/inside.txt', path));
        expectOnlyStorageErrors(moveIn);
        await expectOutsideUntouched('rename into');
        const moveOut = await settle(s.rename(path, '/moved-out'));
        expectOnlyStorageErrors(moveOut);
        await expectOutsideUntouched('rename from');
        if (moveOut.ok) {
          const moved = await settle(collectText(s.read('/moved-out')));
          if (moved.ok) expect(moved.value).not.toContain(h.secret);
        }

        expectOnlyStorageErrors(await settle(s.delete(path)));
        expectOnlyStorageErrors(await settle(s.rmdir(path)));
        await expectOutsideUntouched('delete/rmdir');

        // Put the stage back for the next candidate.
        await settle(s.write('/inside.txt', chunksOf('inside')));
      }
    });
  });
}
