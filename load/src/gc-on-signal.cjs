'use strict';
// Preloaded into the ftpkit-server child by the load test (node --expose-gc -r): SIGUSR2 runs a
// full garbage collection, so RSS is sampled after garbage is gone, not whenever V8 felt like it.
process.on('SIGUSR2', () => {
  if (typeof global.gc === 'function') global.gc();
});
