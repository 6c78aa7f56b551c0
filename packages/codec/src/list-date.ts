/** The date column of unix `ls -l` listings. */

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** Half a Gregorian year, as GNU ls counts "recent". */
export const SIX_MONTHS_MS = (365.2425 * 24 * 60 * 60 * 1000) / 2;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** "Mon DD HH:MM" within six months before `now`, otherwise "Mon DD  YYYY". UTC. */
export function formatListDate(date: Date, now: Date): string {
  const head = `${MONTHS[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, ' ')}`;
  const age = now.getTime() - date.getTime();
  if (age >= 0 && age < SIX_MONTHS_MS) return `${head} ${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}`;
  return `${head}  ${String(date.getUTCFullYear()).padStart(4, ' ')}`;
}
