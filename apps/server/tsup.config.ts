import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.ts';

// Two entries: the library surface (index) and the `ftpkit-server` bin (main, with a shebang).
export default defineConfig(packageBuild({ entry: ['src/index.ts', 'src/main.ts'], dts: { entry: 'src/index.ts' } }));
