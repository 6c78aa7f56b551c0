import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.ts';

// Two entries: the contract (`.`) and the conformance suite (`./testing`), which imports vitest
// and is only loaded by adapter test files.
export default defineConfig(
  packageBuild({
    entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
    external: ['vitest'],
  }),
);
