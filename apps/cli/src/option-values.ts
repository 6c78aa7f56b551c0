import { InvalidArgumentError } from 'commander';

/** A commander argument parser for a whole number >= 1 (`--segments`, `--parallel`). */
export function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('expected a whole number of at least 1');
  }
  return Number(value);
}

/** A commander argument parser for a duration in seconds > 0, fractions allowed (`--timeout 2.5`). */
export function positiveSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 86_400) {
    throw new InvalidArgumentError('expected a number of seconds above 0 (at most 86400)');
  }
  return n;
}
