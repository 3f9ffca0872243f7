import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type LaunchOptions } from 'playwright-core';

/**
 * Flags measured to work on machines without a GPU or network (ENVIRONMENT.md). No
 * `--no-sandbox` here: whether Chromium may run sandboxed is decided per machine
 * (chromiumSandboxDecision), and Playwright adds that flag itself when it may not.
 */
export const chromiumFlags = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--autoplay-policy=no-user-gesture-required',
  // Headless renders must not be throttled when no window is visible.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export function chromiumPath(environmentPath: string | undefined): string {
  return environmentPath ?? '/usr/bin/chromium';
}

/** What the machine says about Chromium's Linux sandboxes (null: the file is absent). */
export interface SandboxFacts {
  platform: NodeJS.Platform;
  /** The effective user id; null where there is none (Windows). */
  uid: number | null;
  /** /proc/sys/kernel/unprivileged_userns_clone (Debian's switch). */
  unprivilegedUsernsClone: string | null;
  /** /proc/sys/user/max_user_namespaces. */
  maxUserNamespaces: string | null;
  /** /proc/sys/kernel/apparmor_restrict_unprivileged_userns (Ubuntu 23.10 and later). */
  apparmorRestrictsUserns: string | null;
  /** The setuid helper Chromium would use, when one exists. */
  setuidHelper: { path: string; ownerUid: number; mode: number } | null;
}

export type SandboxDecision =
  { sandbox: true; via: string } | { sandbox: false; reason: string; advice: string };

/**
 * Whether Chromium (which parses untrusted PDFs and images for Rapido) can run sandboxed here.
 * Chromium refuses its sandbox as root; on Linux it needs unprivileged user namespaces or its
 * setuid helper (owned by root, mode 4755). Elsewhere the OS sandbox needs nothing.
 */
export function chromiumSandboxDecision(facts: SandboxFacts): SandboxDecision {
  if (facts.platform !== 'linux') return { sandbox: true, via: `the ${facts.platform} sandbox` };
  if (facts.uid === 0) {
    return {
      sandbox: false,
      reason: 'Rapido runs as root, and Chromium cannot sandbox itself as root',
      advice: 'run Rapido as an ordinary user',
    };
  }
  const namespacesOff =
    facts.unprivilegedUsernsClone === '0' ||
    facts.maxUserNamespaces === '0' ||
    facts.apparmorRestrictsUserns === '1';
  if (!namespacesOff) return { sandbox: true, via: 'unprivileged user namespaces' };
  const helper = facts.setuidHelper;
  // 0o4000: set-user-id; the helper must be root's and not writable by anyone else.
  if (
    helper &&
    helper.ownerUid === 0 &&
    (helper.mode & 0o4000) !== 0 &&
    (helper.mode & 0o022) === 0
  )
    return { sandbox: true, via: `the setuid helper ${helper.path}` };
  const why = [
    facts.unprivilegedUsernsClone === '0' && 'kernel.unprivileged_userns_clone is 0',
    facts.maxUserNamespaces === '0' && 'user.max_user_namespaces is 0',
    facts.apparmorRestrictsUserns === '1' && 'AppArmor restricts unprivileged user namespaces',
  ].filter((item): item is string => typeof item === 'string');
  return {
    sandbox: false,
    reason: `unprivileged user namespaces are off (${why.join('; ')}) and there is no usable setuid chrome-sandbox${helper ? ` (${helper.path} is not root-owned mode 4755)` : ''}`,
    advice:
      'enable user namespaces (sysctl kernel.unprivileged_userns_clone=1 or user.max_user_namespaces=10000, or an AppArmor profile for Chromium), or install Chromium with its setuid chrome-sandbox',
  };
}

function readProc(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Reads the facts for chromiumSandboxDecision from this machine. */
export function sandboxFacts(executablePath: string): SandboxFacts {
  const candidates = [
    process.env.CHROME_DEVEL_SANDBOX,
    join(dirname(executablePath), 'chrome-sandbox'),
    '/usr/lib/chromium/chrome-sandbox',
    '/usr/lib/chromium-browser/chrome-sandbox',
  ].filter((path): path is string => typeof path === 'string' && path.length > 0);
  let setuidHelper: SandboxFacts['setuidHelper'] = null;
  for (const path of candidates) {
    try {
      const stat = statSync(path);
      setuidHelper = { path, ownerUid: stat.uid, mode: stat.mode };
      break;
    } catch {
      // Not there: try the next place Chromium looks.
    }
  }
  return {
    platform: process.platform,
    uid: process.getuid?.() ?? null,
    unprivilegedUsernsClone: readProc('/proc/sys/kernel/unprivileged_userns_clone'),
    maxUserNamespaces: readProc('/proc/sys/user/max_user_namespaces'),
    apparmorRestrictsUserns: readProc('/proc/sys/kernel/apparmor_restrict_unprivileged_userns'),
    setuidHelper,
  };
}

/** A launch failure that says the sandbox could not start (the facts can be wrong in a container). */
export function isSandboxFailure(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return /sandbox|namespace|zygote/i.test(text);
}

/** The launch options for a decision: nothing in them names a page or a secret. */
export function chromiumLaunchOptions(
  executablePath: string,
  headless: boolean,
  decision: SandboxDecision,
  extraArgs: readonly string[] = [],
): LaunchOptions {
  return {
    executablePath,
    headless,
    // Playwright adds --no-sandbox unless this is true.
    chromiumSandbox: decision.sandbox,
    args: [...chromiumFlags, ...extraArgs],
  };
}

function sandboxWarning(decision: SandboxDecision): string {
  return decision.sandbox
    ? ''
    : `Chromium runs WITHOUT its sandbox: ${decision.reason}. A malicious PDF or image could then reach this user's files. To fix: ${decision.advice}.`;
}

/**
 * Launches Chromium sandboxed whenever this machine allows it. When it cannot, or a sandboxed
 * start fails for a sandbox reason, it starts unsandboxed and `warn` says why and what to do.
 */
export async function withSandboxFallback<T>(
  executablePath: string,
  warn: (message: string) => void,
  launch: (decision: SandboxDecision) => Promise<T>,
  facts: SandboxFacts = sandboxFacts(executablePath),
): Promise<T> {
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium was not found at ${executablePath}. Install it (Debian: sudo apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  const decision = chromiumSandboxDecision(facts);
  if (!decision.sandbox) {
    warn(sandboxWarning(decision));
    return launch(decision);
  }
  try {
    return await launch(decision);
  } catch (error) {
    if (!isSandboxFailure(error)) throw error;
    const fallback: SandboxDecision = {
      sandbox: false,
      reason: `its sandbox (${decision.via}) failed to start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      advice:
        'check that this machine (or container) allows user namespaces, or install the setuid chrome-sandbox',
    };
    warn(sandboxWarning(fallback));
    return launch(fallback);
  }
}

export function launchChromium(options: {
  executablePath: string;
  headless: boolean;
  warn: (message: string) => void;
}): Promise<Browser> {
  return withSandboxFallback(options.executablePath, options.warn, (decision) =>
    chromium.launch(chromiumLaunchOptions(options.executablePath, options.headless, decision)),
  );
}

/**
 * A Chromium app window (`serve --open`) showing `url`. The page is opened through Playwright's
 * pipe, not `--app=<url>`: a command line is readable by every local user in /proc. The
 * window's profile is a fresh temporary folder, removed when the window closes.
 */
export async function openChromiumApp(options: {
  executablePath: string;
  url: string;
  warn: (message: string) => void;
}): Promise<BrowserContext> {
  const profile = await mkdtemp(join(tmpdir(), 'rapido-chromium-'));
  const context = await withSandboxFallback(options.executablePath, options.warn, (decision) =>
    chromium.launchPersistentContext(profile, {
      ...chromiumLaunchOptions(options.executablePath, false, decision, ['--app=about:blank']),
      viewport: null,
    }),
  ).catch(async (error: unknown) => {
    await rm(profile, { recursive: true, force: true });
    throw error;
  });
  context.on('close', () => void rm(profile, { recursive: true, force: true }));
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(options.url);
  return context;
}
