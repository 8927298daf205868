// No ABI change lands unnoticed: the declarations tsup emits for this package must equal the committed
// snapshot. A difference writes abi-snapshot.d.ts.actual beside it; copying it over the snapshot is the
// visible, reviewed act of changing the ABI, and must come with the ABI_VERSION bump the policy demands.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ABI_VERSION } from './version.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const emittedPath = `${packageDir}dist/index.d.ts`;
const snapshotPath = `${packageDir}abi-snapshot.d.ts`;

/** The snapshot opens with comment lines naming its version; the rest is the declarations verbatim. */
function readSnapshot(): { version: string; declarations: string } {
  const text = readFileSync(snapshotPath, 'utf8');
  const version = /at ABI_VERSION (\S+)\./.exec(text)?.[1] ?? '';
  return { version, declarations: text.replace(/^(\/\/.*\n)+/, '') };
}

describe('the driver ABI declarations', () => {
  it('are built (the test command builds before testing)', () => {
    expect(existsSync(emittedPath), `${emittedPath} is missing: run pnpm build`).toBe(true);
  });

  it('match the committed snapshot', () => {
    const emitted = readFileSync(emittedPath, 'utf8');
    const snapshot = readSnapshot();
    if (emitted !== snapshot.declarations) {
      writeFileSync(`${snapshotPath}.actual`, emitted);
      const bumped = snapshot.version !== ABI_VERSION;
      expect.fail(
        `the driver ABI changed (see ${snapshotPath}.actual). ${
          bumped
            ? 'ABI_VERSION was bumped: update the snapshot (header and declarations) to match.'
            : `Bump ABI_VERSION (${ABI_VERSION}) per docs/driver-abi.md — minor for additions, major for changes or removals — then update the snapshot.`
        }`,
      );
    }
    expect(snapshot.version).toBe(ABI_VERSION);
  });
});
