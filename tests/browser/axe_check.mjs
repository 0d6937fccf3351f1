// Accessibility checks and screenshots in Debian's Chromium, driven by playwright-core.
//
//   node axe_check.mjs axe [--tags wcag] FILE_OR_URL...   axe-core in light and dark colour schemes;
//                                                         prints JSON, exits 1 on any violation
//   node axe_check.mjs shot FILE_OR_URL OUT.png light|dark [WIDTH]
//                                                         full-page screenshot
//
// Every request that is not file://, data: or a loopback http://127.0.0.1:PORT/ server is blocked
// and reported: the pages must be complete offline. Chromium runs with a fresh --user-data-dir that is removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

function toUrl(target) {
  return /^[a-z]+:\/\//i.test(target) ? target : pathToFileURL(resolve(target)).href;
}

async function withBrowser(fn) {
  const profile = mkdtempSync(join(tmpdir(), 'ew-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: FLAGS,
    viewport: { width: 1000, height: 900 },
    bypassCSP: true, // axe is injected as a script tag; the desk's CSP (script-src 'self') would block it
  });
  const blocked = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    // the desk's pages come from a loopback server the test starts; nothing else may load
    if (url.startsWith('file://') || url.startsWith('data:') || /^http:\/\/127\.0\.0\.1:\d+\//.test(url)) {
      return route.continue();
    }
    blocked.push(url);
    return route.abort();
  });
  try {
    return await fn(context, blocked);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function runAxe(targets, tags) {
  return withBrowser(async (context, blocked) => {
    const results = [];
    for (const target of targets) {
      for (const scheme of ['light', 'dark']) {
        const page = await context.newPage();
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(toUrl(target), { waitUntil: 'load' });
        await page.addScriptTag({ path: AXE });
        const out = await page.evaluate(async (runOnly) => {
          // eslint-disable-next-line no-undef
          const r = await axe.run(document, runOnly ? { runOnly: { type: 'tag', values: runOnly } } : {});
          return {
            violations: r.violations.map((v) => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, summary: n.failureSummary })),
            })),
            passes: r.passes.length,
          };
        }, tags === 'wcag' ? WCAG : null);
        results.push({ target, scheme, ...out });
        await page.close();
      }
    }
    return { results, blocked };
  });
}

async function shot(target, out, scheme, width) {
  return withBrowser(async (context, blocked) => {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(toUrl(target), { waitUntil: 'load' });
    await page.screenshot({ path: out, fullPage: true });
    return { target, out, scheme, blocked };
  });
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'axe') {
  let tags = null;
  if (rest[0] === '--tags') { tags = rest[1]; rest.splice(0, 2); }
  const report = await runAxe(rest, tags);
  console.log(JSON.stringify(report, null, 2));
  const bad = report.results.some((r) => r.violations.length) || report.blocked.length;
  process.exit(bad ? 1 : 0);
} else if (mode === 'shot') {
  const [target, out, scheme = 'light', width = '700'] = rest;
  const report = await shot(target, out, scheme, Number(width));
  console.log(JSON.stringify(report));
  process.exit(report.blocked.length ? 1 : 0);
} else {
  console.error('usage: node axe_check.mjs axe [--tags wcag] FILE... | shot FILE OUT.png light|dark [WIDTH]');
  process.exit(2);
}
