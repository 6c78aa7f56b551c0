import { existsSync } from 'node:fs';
import { chmod, link, mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomFillSync } from 'node:crypto';
import { chownTree } from '@ftpkit/test-servers';

/** The files every server serves, laid out once in the shared root. */
export interface DataSet {
  /** Scratch folder holding everything below; removed at the end. */
  readonly base: string;
  /** The served root. */
  readonly root: string;
  /** Whether `base` is on a tmpfs. */
  readonly tmpfs: boolean;
  /** Remote path of the big file. */
  readonly big: string;
  /** Local file STOR uploads read from (a hard link to the big file). */
  readonly storSource: string;
  /** Remote folder of the small files and their names. */
  readonly smallDir: string;
  readonly smallNames: readonly string[];
  /** Remote path of the file each burst client retrieves. */
  readonly loadFile: string;
  /** Remote folder uploads go to. */
  readonly uploadDir: string;
  /** Local scratch folder for downloads. */
  readonly downloads: string;
}

/** Writes `size` bytes of incompressible data in 1 MiB blocks. */
async function writeRandom(path: string, size: number): Promise<void> {
  const block = randomFillSync(Buffer.alloc(Math.min(size, 1024 * 1024)));
  const fh = await open(path, 'w');
  try {
    for (let done = 0; done < size;) {
      const n = Math.min(block.length, size - done);
      await fh.write(block, 0, n);
      done += n;
    }
  } finally {
    await fh.close();
  }
}

/** Creates the data set on /dev/shm when there is one (else the temp folder). */
export async function createDataSet(o: { size: number; files: number; fileSize: number; burstFileSize: number; uid: number; gid: number }): Promise<DataSet> {
  const tmpfs = existsSync('/dev/shm');
  const base = await mkdtemp(join(tmpfs ? '/dev/shm' : tmpdir(), 'ftpkit-bench-'));
  await chmod(base, 0o755);
  const root = join(base, 'root');
  const downloads = join(base, 'downloads');
  await mkdir(join(root, 'small'), { recursive: true });
  await mkdir(join(root, 'up'));
  await mkdir(downloads);
  await writeRandom(join(root, 'big.bin'), o.size);
  await link(join(root, 'big.bin'), join(base, 'stor-source.bin'));
  await writeRandom(join(root, 'load.bin'), o.burstFileSize);
  const small = randomFillSync(Buffer.alloc(o.fileSize));
  const smallNames: string[] = [];
  for (let i = 0; i < o.files; i++) {
    const name = `f${String(i).padStart(5, '0')}.bin`;
    smallNames.push(name);
    await writeFile(join(root, 'small', name), small);
  }
  await chownTree(root, o.uid, o.gid);
  // Servers that run as root and those that switch to the account both write uploads here.
  await chmod(root, 0o777);
  await chmod(join(root, 'up'), 0o777);
  return {
    base, root, tmpfs, big: '/big.bin', storSource: join(base, 'stor-source.bin'), smallDir: '/small', smallNames,
    loadFile: '/load.bin', uploadDir: '/up', downloads,
  };
}

export async function removeDataSet(d: DataSet): Promise<void> {
  await rm(d.base, { recursive: true, force: true });
}
