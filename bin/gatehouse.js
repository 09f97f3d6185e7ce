#!/usr/bin/env node
// The `gatehouse` command: runs the compiled CLI (build first with `npm run build`).
import('../dist/tools/cli/index.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('gatehouse: not built yet; run `npm run build` first\n');
    process.exit(1);
  }
  throw err;
});
