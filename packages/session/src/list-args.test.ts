import { describe, expect, it } from 'vitest';
import { parseListArgs } from './list-args.js';

describe('parseListArgs', () => {
  it.each([
    ['', { all: false, path: '' }],
    ['-la', { all: true, path: '' }],
    ['-l', { all: false, path: '' }],
    ['-a -l dir', { all: true, path: 'dir' }],
    ['-al  my dir', { all: true, path: 'my dir' }],
    ['-A', { all: true, path: '' }],
    ['-1', { all: false, path: '' }],
    ['dir', { all: false, path: 'dir' }],
    ['./-la', { all: false, path: './-la' }],
    ['-la  ', { all: true, path: '' }],
    ['file with -l inside', { all: false, path: 'file with -l inside' }],
    ['--weird', { all: false, path: '--weird' }],
  ])('%j', (arg, expected) => {
    expect(parseListArgs(arg)).toEqual(expected);
  });
});
