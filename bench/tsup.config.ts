import { defineConfig } from 'tsup';
import { packageBuild } from '../tsup.base.ts';

// A program, not a library: no declarations; each child process the harness spawns is its own
// entry. The peers under test stay external so they run as their authors ship them.
export default defineConfig(packageBuild({
  entry: ['src/main.ts', 'src/children/*.ts'],
  dts: false,
  external: ['ftp-srv', 'basic-ftp'],
}));
