import { describe, expect, it } from 'vitest';
import { transcript } from './transcript.js';

describe('the transcript helper catches mismatches', () => {
  it.each([
    ['a wrong reply code', 'C: NOOP\nS: 500', /expected reply 500, got 200/],
    ['a wrong reply text', 'C: SYST\nS: 215 Windows', /expected reply 215 Windows/],
    ['a missing reply', 'S: 200', /got none/],
    ['a reply left unmatched', 'C: NOOP', /unmatched output left/],
    ['a wrong effect kind', 'C: USER a\nS: 331\nC: PASS b\nE: storage => ok', /expected effect storage/],
    ['a wrong effect field', 'C: USER a\nS: 331\nC: PASS b\nE: authenticate user=z => ok', /user is "a"/],
    ['an effect left unmatched', 'C: USER a\nS: 331\nC: PASS b', /unmatched output left/],
    ['text that is missing', 'C: FEAT\nS: 211\nS~ NOPE', /does not contain/],
    ['text that must be absent', 'C: FEAT\nS: 211\nS! EPSV', /contains "EPSV"/],
    ['a close that did not happen', 'C: NOOP\nS: 200\nCLOSED', /did not ask to close/],
    ['an unknown directive', 'Q: what', /unknown directive/],
    ['an unknown outcome', 'C: USER a\nS: 331\nC: PASS b\nE: authenticate => maybe', /unknown outcome/],
  ])('%s', (_name, script, error) => {
    expect(() => transcript(script)).toThrow(error);
  });
});
