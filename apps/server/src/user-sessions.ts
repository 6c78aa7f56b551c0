/**
 * Logged-in sessions per user name, for a users file's `maxSessions`. A login takes its place at
 * `authenticate` (check and take in one synchronous step, so parallel logins cannot both pass the
 * last place) and gives it back when its connection ends.
 */
export interface UserSessions {
  /** Takes a place for `connectionId` as `name`; false when `name` already holds `max`. */
  take(name: string, connectionId: number, max: number | undefined): boolean;
  /** Gives back whatever `connectionId` held. */
  release(connectionId: number): void;
  /** Sessions `name` holds now. */
  count(name: string): number;
}

/** Creates an empty {@link UserSessions}. */
export function createUserSessions(): UserSessions {
  const byName = new Map<string, Set<number>>();
  const nameOf = new Map<number, string>();
  const release = (connectionId: number): void => {
    const name = nameOf.get(connectionId);
    if (name === undefined) return;
    nameOf.delete(connectionId);
    const held = byName.get(name);
    held?.delete(connectionId);
    if (held?.size === 0) byName.delete(name);
  };
  return {
    take(name, connectionId, max) {
      // A connection logging in again (after REIN) gives up its old place first.
      release(connectionId);
      const held = byName.get(name) ?? new Set<number>();
      if (max !== undefined && held.size >= max) return false;
      held.add(connectionId);
      byName.set(name, held);
      nameOf.set(connectionId, name);
      return true;
    },
    release,
    count: (name) => byName.get(name)?.size ?? 0,
  };
}
