import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gatherHostFacts, swapTotalFromMeminfo } from '../../../src/main/host-facts.js';
import { preflight } from '../../../src/shared/preflight/index.js';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('host facts', () => {
  it('reads swap and swappiness from a /proc tree and free space of the working directory', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rt-proc-'));
    mkdirSync(join(dir, 'sys', 'vm'), { recursive: true });
    writeFileSync(join(dir, 'meminfo'), 'MemTotal:  16000000 kB\nSwapTotal:       2048 kB\n');
    writeFileSync(join(dir, 'sys', 'vm', 'swappiness'), '60\n');
    const facts = await gatherHostFacts({
      engine: { error: new Error('No Docker engine answered.') },
      runners: [],
      platform: 'linux',
      procRoot: dir,
    });
    expect(facts).toMatchObject({ engineReachable: false, engineError: 'No Docker engine answered.', swapTotalBytes: 2048 * 1024, swappiness: 60 });
    const report = preflight(facts);
    expect(report.findings.find((f) => f.id === 'engine')).toMatchObject({ status: 'fail' });
  });

  it('leaves unreadable facts null instead of guessing', async () => {
    const facts = await gatherHostFacts({ engine: { error: 'x' }, runners: [], platform: 'linux', procRoot: '/nonexistent-proc' });
    expect(facts.swapTotalBytes).toBeNull();
    expect(facts.swappiness).toBeNull();
    expect(swapTotalFromMeminfo('MemTotal: 1 kB\n')).toBeNull();
  });
});
