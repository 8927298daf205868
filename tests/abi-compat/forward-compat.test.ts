// Forward compatibility of the driver ABI, tested rather than promised: plugins built against other ABI
// versions, loaded by the kernel's real loader. The oracle is semver itself: a plugin loads exactly when its
// declared range includes the kernel's ABI_VERSION.
import { fileURLToPath } from 'node:url';
import { ABI_VERSION } from '@kmos/abi-driver';
import { loadPlugin, PluginRefusedError } from '@kmos/kernel';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const search = { baseDirs: [fixtures] };

async function refusal(
  path: string,
  kind: 'console' | 'page-allocator' = 'console',
): Promise<PluginRefusedError> {
  const error = await loadPlugin(path, kind, search, 'console in test.json').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PluginRefusedError);
  return error as PluginRefusedError;
}

describe('plugins built against other driver ABI versions', () => {
  it('loads a plugin built for ABI 1.0 under this 1.x kernel, and it works', async () => {
    expect(semver.major(ABI_VERSION)).toBe(1);
    const loaded = await loadPlugin('./console-built-for-1.0', 'console', search, 'console in test.json');
    expect(loaded.plugin.name).toBe('@fixture/console-built-for-1.0');
    const console = loaded.plugin.create({ log: null as never, options: {}, panic: null as never });
    console.write(new TextEncoder().encode('hello'));
    const { written } = (await import('./fixtures/console-built-for-1.0/index.js')) as { written: string[] };
    expect(written).toEqual(['hello']);
  });

  it('refuses a plugin built for the next major version, naming package and reason', async () => {
    const error = await refusal('./console-next-major');
    expect(semver.satisfies(ABI_VERSION, '^2.0.0')).toBe(false);
    expect(error.message).toBe(
      `Refused plugin ./console-next-major (console in test.json): it was built for driver ABI ^2.0.0, which does not include this kernel's ABI ${ABI_VERSION}.`,
    );
  });

  it('refuses a plugin missing a member its kind requires', async () => {
    const error = await refusal('./console-missing-member');
    expect(error.reason).toBe('it lacks the member "create" (a function) that every console plugin has');
  });

  it('refuses a plugin of the wrong kind for its place', async () => {
    const error = await refusal('./allocator-not-console');
    expect(error.reason).toBe(
      'it is a page-allocator plugin, and this place in the config needs a console plugin',
    );
  });

  it('refuses a name that resolves to nothing', async () => {
    const error = await refusal('@fixture/not-installed-anywhere');
    expect(error.reason).toMatch(/no package of that name is installed/);
  });
});
