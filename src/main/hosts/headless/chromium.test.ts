import { describe, expect, it } from 'vitest';
import {
  chromiumFlags,
  chromiumLaunchOptions,
  chromiumSandboxDecision,
  sandboxFacts,
  withSandboxFallback,
  type SandboxDecision,
  type SandboxFacts,
} from './chromium.ts';

/**
 * Chromium parses untrusted PDFs and images for Rapido: it runs sandboxed wherever the machine
 * allows (issue 17, item 5), and says so loudly where it cannot.
 */

const user: SandboxFacts = {
  platform: 'linux',
  uid: 1000,
  unprivilegedUsernsClone: null,
  maxUserNamespaces: '63000',
  apparmorRestrictsUserns: null,
  setuidHelper: null,
};

describe('chromiumSandboxDecision', () => {
  it('sandboxes an ordinary user with user namespaces', () => {
    expect(chromiumSandboxDecision(user)).toEqual({
      sandbox: true,
      via: 'unprivileged user namespaces',
    });
    expect(chromiumSandboxDecision({ ...user, unprivilegedUsernsClone: '1' }).sandbox).toBe(true);
  });

  it('sandboxes on macOS and Windows, whoever runs it', () => {
    expect(chromiumSandboxDecision({ ...user, platform: 'darwin', uid: 0 }).sandbox).toBe(true);
    expect(chromiumSandboxDecision({ ...user, platform: 'win32', uid: null }).sandbox).toBe(true);
  });

  it('does not sandbox root, and says why and what to do', () => {
    const decision = chromiumSandboxDecision({ ...user, uid: 0 });
    expect(decision.sandbox).toBe(false);
    if (!decision.sandbox) {
      expect(decision.reason).toMatch(/root/);
      expect(decision.advice).toMatch(/ordinary user/);
    }
  });

  it('uses a root-owned setuid helper where user namespaces are off', () => {
    const helper = { path: '/usr/lib/chromium/chrome-sandbox', ownerUid: 0, mode: 0o104755 };
    for (const off of [
      { unprivilegedUsernsClone: '0' },
      { maxUserNamespaces: '0' },
      { apparmorRestrictsUserns: '1' },
    ]) {
      expect(chromiumSandboxDecision({ ...user, ...off, setuidHelper: helper })).toEqual({
        sandbox: true,
        via: `the setuid helper ${helper.path}`,
      });
      const none = chromiumSandboxDecision({ ...user, ...off });
      expect(none.sandbox).toBe(false);
      if (!none.sandbox) {
        expect(none.reason).toMatch(/user namespaces are off/);
        expect(none.advice).toMatch(/chrome-sandbox/);
      }
    }
  });

  it('refuses a helper that is not setuid root or is writable by others', () => {
    const off = { ...user, unprivilegedUsernsClone: '0' };
    const path = '/opt/chrome/chrome-sandbox';
    for (const helper of [
      { path, ownerUid: 1000, mode: 0o104755 },
      { path, ownerUid: 0, mode: 0o100755 },
      { path, ownerUid: 0, mode: 0o104777 },
    ]) {
      const decision = chromiumSandboxDecision({ ...off, setuidHelper: helper });
      expect(decision.sandbox).toBe(false);
      if (!decision.sandbox) expect(decision.reason).toContain(path);
    }
  });
});

describe('launching', () => {
  const sandboxed: SandboxDecision = { sandbox: true, via: 'unprivileged user namespaces' };
  const unsandboxed: SandboxDecision = { sandbox: false, reason: 'r', advice: 'a' };

  it('asks Playwright for the sandbox and never passes --no-sandbox itself', () => {
    expect(chromiumFlags).not.toContain('--no-sandbox');
    expect(chromiumLaunchOptions('/usr/bin/chromium', true, sandboxed)).toMatchObject({
      chromiumSandbox: true,
    });
    expect(chromiumLaunchOptions('/usr/bin/chromium', true, unsandboxed)).toMatchObject({
      chromiumSandbox: false,
    });
  });

  it('starts sandboxed, without a warning, where the machine allows it', async () => {
    const warnings: string[] = [];
    const tried: SandboxDecision[] = [];
    await withSandboxFallback(
      process.execPath,
      (message) => warnings.push(message),
      (decision) => {
        tried.push(decision);
        return Promise.resolve(decision);
      },
      user,
    );
    expect(tried).toEqual([sandboxed]);
    expect(warnings).toEqual([]);
  });

  it('falls back with a warning that says why and what to do when the sandbox fails to start', async () => {
    const warnings: string[] = [];
    const tried: SandboxDecision[] = [];
    const started = await withSandboxFallback(
      process.execPath,
      (message) => warnings.push(message),
      (decision) => {
        tried.push(decision);
        return decision.sandbox
          ? Promise.reject(new Error('No usable sandbox! Update your kernel'))
          : Promise.resolve('started');
      },
      user,
    );
    expect(started).toBe('started');
    expect(tried.map((d) => d.sandbox)).toEqual([true, false]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/WITHOUT its sandbox.*No usable sandbox.*To fix:/s);
  });

  it('does not hide other launch failures behind an unsandboxed retry', async () => {
    const tried: SandboxDecision[] = [];
    await expect(
      withSandboxFallback(
        process.execPath,
        () => undefined,
        (decision) => {
          tried.push(decision);
          return Promise.reject(new Error('cannot open display'));
        },
        user,
      ),
    ).rejects.toThrow('cannot open display');
    expect(tried).toHaveLength(1);
  });

  it('on this machine: reads the facts, and as root takes the warned fallback', async () => {
    const facts = sandboxFacts('/usr/bin/chromium');
    const decision = chromiumSandboxDecision(facts);
    if (facts.platform === 'linux' && facts.uid === 0) {
      // The CI and development containers run as root: the fallback is what runs there.
      const warnings: string[] = [];
      await withSandboxFallback(
        process.execPath,
        (message) => warnings.push(message),
        (d) => Promise.resolve(d),
        facts,
      );
      expect(decision.sandbox).toBe(false);
      expect(warnings[0]).toMatch(/runs as root.*run Rapido as an ordinary user/s);
    } else {
      expect(typeof decision.sandbox).toBe('boolean');
    }
  });
});
