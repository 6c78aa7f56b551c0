import { createRequire } from 'node:module';

/**
 * `require` for packages a setting may never need (pino-pretty, prom-client, yaml), loaded where
 * they are first used so a plain server process stays small. The bundle is one file, so a
 * dynamic `import()` of our own modules would not defer their static imports.
 */
export const requireOnDemand = createRequire(import.meta.url);
