/**
 * The V8 flags the supervisor sets before its workers start (core/supervisor/v8-flags.ts).
 * A fresh node process keeps object literals alive in a worker thread, which makes V8
 * track their allocation site for pretenuring; with the flags applied first, the worker's
 * isolate tracks nothing. V8's own pretenuring trace is the witness: it prints a line per
 * allocation site it judges, and none when pretenuring is off.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { builtModuleUrl } from '../../helpers/built-module.js';

function pretenuringTrace(apply: boolean): string {
  const script = `
    import { applyGatewayV8Flags } from ${JSON.stringify(builtModuleUrl('core/supervisor/v8-flags.ts'))};
    import { setFlagsFromString } from 'node:v8';
    import { Worker } from 'node:worker_threads';
    if (${String(apply)}) { applyGatewayV8Flags(); applyGatewayV8Flags(); }
    setFlagsFromString('--trace-pretenuring-statistics');
    new Worker('const keep = []; function make(i) { return [i, i + 1]; } for (let i = 0; i < 300000; i++) keep.push(make(i));', { eval: true });
  `;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
}

describe('gateway V8 flags', () => {
  it('turns allocation-site pretenuring off for worker threads started after them', () => {
    // Without the flags the worker's surviving literals are judged (the control: the trace works).
    expect(pretenuringTrace(false)).toMatch(/pretenuring: AllocationSite\(/);
    expect(pretenuringTrace(true)).not.toMatch(/pretenuring/);
  });
});
