import { describe, expect, it } from 'vitest';
import { tuneHeapForServing } from './heap-tuning.js';

describe('tuneHeapForServing', () => {
  it("leaves each heap flag to the operator's own choice, in node's arguments or NODE_OPTIONS", () => {
    expect(tuneHeapForServing(['--max-semi-space-size=64'], '')).toEqual(['--heap-growing-percent=20']);
    expect(tuneHeapForServing([], '--max-old-space-size=512 --semi-space-growth-factor=4')).toEqual(['--heap-growing-percent=20']);
    expect(tuneHeapForServing(['--max_semi_space_size=8'], '--heap-growing-percent=50')).toEqual([]);
  });

  it('sets both flags otherwise', () => {
    expect(tuneHeapForServing(['--enable-source-maps'], '--max-old-space-size=512')).toEqual(['--semi-space-growth-factor=1', '--heap-growing-percent=20']);
  });
});
