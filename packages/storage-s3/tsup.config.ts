import { copyFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.ts';

// Two entries: the adapter (`.`) and the s3rver test helper (`./testing`), which other packages'
// tests use to run a real S3-speaking server. The helper's child script is plain CommonJS run
// by a separate Node process, so it is copied next to the bundle rather than bundled.
export default defineConfig(
  packageBuild({
    entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
    onSuccess: async () => {
      copyFileSync('src/test-support/s3rver-child.cjs', 'dist/testing/s3rver-child.cjs');
    },
  }),
);
