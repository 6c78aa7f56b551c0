import { describe, expect, it } from 'vitest';
import { tuneHeapForServing } from './heap-tuning.js';

describe('tuneHeapForServing', () => {
  it("leaves the young generation to the operator's own flags, in node's arguments or NODE_OPTIONS", () => {
    expect(tuneHeapForServing(['--max-semi-space-size=64'], '')).toBe(false);
    expect(tuneHeapForServing([], '--max-old-space-size=512 --semi-space-growth-factor=4')).toBe(false);
    expect(tuneHeapForServing(['--max_semi_space_size=8'], '')).toBe(false);
  });

  it('sets its flag otherwise', () => {
    expect(tuneHeapForServing(['--enable-source-maps'], '--max-old-space-size=512')).toBe(true);
  });
});
