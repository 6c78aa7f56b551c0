/** How long a failed atomic upload keeps an APPE of the same file refused. */
export const FAILED_UPLOAD_MEMORY_MS = 60 * 60 * 1000;
/** Failed uploads remembered at most (the oldest is forgotten first). */
export const FAILED_UPLOADS_MAX = 10_000;

/**
 * Atomic uploads that failed and were discarded, by user and path. A client that resumes one
 * (curl `-C -`, ftpkit's retries: SIZE, then APPE of the rest) would append the rest of the new
 * file to the old one, since no partial was kept; the server refuses that APPE instead
 * (issue 15.4). A later upload of the path that commits forgets the failure.
 */
export class FailedUploads {
  readonly #until = new Map<string, number>();

  /** An atomic upload of `path` by `user` did not commit. */
  record(user: string, path: string, now: number): void {
    const key = keyOf(user, path);
    this.#until.delete(key);
    this.#until.set(key, now + FAILED_UPLOAD_MEMORY_MS);
    // A Map iterates in insertion order: the first key is the oldest failure.
    if (this.#until.size > FAILED_UPLOADS_MAX) this.#until.delete(this.#until.keys().next().value as string);
  }

  /** An upload of `path` by `user` committed. */
  forget(user: string, path: string): void {
    this.#until.delete(keyOf(user, path));
  }

  /** True while continuing `path` would splice onto the file an upload failed to replace. */
  failed(user: string, path: string, now: number): boolean {
    const key = keyOf(user, path);
    const until = this.#until.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    this.#until.delete(key);
    return false;
  }
}

function keyOf(user: string, path: string): string {
  return `${user}\0${path}`;
}
