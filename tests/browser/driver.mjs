// A small remote control for Debian's Chromium (playwright-core), used by test_e2e.py.
//
//   node driver.mjs            reads one JSON command per line on stdin, answers one JSON line each
//
// One browser, one context (cookies kept between commands, like a person's browser), one page at a
// time. The page's Content Security Policy stays ON: what the tests see is what a reader gets. axe-core
// is evaluated through the DevTools protocol, which the page's CSP does not govern.
//
// Commands ({"op": ..., ...}; the answer is {"ok": true, "result": ...} or {"ok": false, "error": "..."}):
//   goto {url}                         → {status, url, title}
//   fill {label | selector, value}     type into a field
//   click {role, name | selector, waitFor?, waitUrl?}
//                                      press; then wait for a selector, or for the URL's path and
//                                      query to match a regular expression
//   wait {selector, timeout?}          wait for a selector to appear
//   text {selector}                    → text of the first match (null when none)
//   texts {selector}                   → texts of every match
//   attr {selector, name}              → attribute of the first match (null when none)
//   count {selector}                   → number of matches
//   eval {expression}                  → value of a JavaScript expression in the page
//   url                                → the page's URL
//   shot {path, scheme?, width?}       full-page PNG
//   axe {scheme?, tags?}               → axe-core violations on the current page
//   events                             → and forget: dialogs, page errors, console errors,
//                                        CSP violations and blocked (non-loopback) requests
//   close                              end the browser and exit
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const LOOPBACK = /^http:\/\/127\.0\.0\.1:\d+\//;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: FLAGS,
});
const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
const events = { dialogs: [], pageErrors: [], consoleErrors: [], csp: [], blocked: [] };

await context.route('**/*', (route) => {
  const url = route.request().url();
  if (LOOPBACK.test(url) || url.startsWith('data:')) return route.continue();
  events.blocked.push(url);
  return route.abort();
});
// Any CSP violation the page meets is reported here (the policy blocked something an attacker or
// a template put in the page). Bindings and init scripts are not subject to the page's CSP.
await context.exposeBinding('__ewReportCsp', (_source, v) => { events.csp.push(v); });
await context.addInitScript(() => {
  document.addEventListener('securitypolicyviolation', (e) => {
    // eslint-disable-next-line no-undef
    window.__ewReportCsp({
      directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, page: document.URL,
    });
  });
});

const page = await context.newPage();
page.setDefaultTimeout(60000);
page.on('dialog', async (dialog) => {
  events.dialogs.push({ type: dialog.type(), message: dialog.message(), page: page.url() });
  await dialog.dismiss();
});
page.on('pageerror', (err) => events.pageErrors.push({ message: String(err), page: page.url() }));
page.on('console', (msg) => {
  if (msg.type() === 'error') events.consoleErrors.push({ text: msg.text(), page: page.url() });
});

function locate(cmd) {
  if (cmd.label) return page.getByLabel(cmd.label, { exact: true });
  if (cmd.role) return page.getByRole(cmd.role, { name: cmd.name, exact: true });
  return page.locator(cmd.selector);
}

async function afterAction(cmd) {
  if (cmd.waitUrl) {
    const wanted = new RegExp(cmd.waitUrl);
    await page.waitForURL((url) => wanted.test(url.pathname + url.search), { waitUntil: 'load' });
  }
  if (cmd.waitFor) await page.waitForSelector(cmd.waitFor, { timeout: cmd.timeout || 60000 });
  await page.waitForLoadState('load');
}

async function run(cmd) {
  switch (cmd.op) {
    case 'goto': {
      const response = await page.goto(cmd.url, { waitUntil: 'load' });
      return { status: response ? response.status() : null, url: page.url(), title: await page.title() };
    }
    case 'fill':
      await locate(cmd).first().fill(cmd.value);
      return null;
    case 'click':
      await locate(cmd).first().click();
      await afterAction(cmd);
      return { url: page.url(), title: await page.title() };
    case 'wait':
      await page.waitForSelector(cmd.selector, { timeout: cmd.timeout || 60000 });
      return null;
    case 'text': {
      const found = page.locator(cmd.selector);
      return (await found.count()) ? (await found.first().textContent()).trim() : null;
    }
    case 'texts':
      return (await page.locator(cmd.selector).allTextContents()).map((t) => t.trim());
    case 'attr': {
      const found = page.locator(cmd.selector);
      return (await found.count()) ? await found.first().getAttribute(cmd.name) : null;
    }
    case 'count':
      return await page.locator(cmd.selector).count();
    case 'eval':
      return await page.evaluate(cmd.expression);
    case 'url':
      return page.url();
    case 'shot': {
      if (cmd.scheme) await page.emulateMedia({ colorScheme: cmd.scheme });
      if (cmd.width) await page.setViewportSize({ width: cmd.width, height: 900 });
      await page.screenshot({ path: cmd.path, fullPage: true });
      await page.setViewportSize({ width: 1000, height: 900 });
      await page.emulateMedia({ colorScheme: 'light' });
      return cmd.path;
    }
    case 'axe': {
      await page.emulateMedia({ colorScheme: cmd.scheme || 'light' });
      const has = await page.evaluate('typeof window.axe');
      if (has === 'undefined') await page.evaluate(AXE_SOURCE);
      const result = await page.evaluate(async (tags) => {
        // eslint-disable-next-line no-undef
        const r = await axe.run(document, tags ? { runOnly: { type: 'tag', values: tags } } : {});
        return {
          violations: r.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, summary: n.failureSummary })),
          })),
          passes: r.passes.length,
        };
      }, cmd.tags === 'wcag' ? WCAG : null);
      await page.emulateMedia({ colorScheme: 'light' });
      return result;
    }
    case 'events': {
      const out = JSON.parse(JSON.stringify(events));
      for (const key of Object.keys(events)) events[key].length = 0;
      return out;
    }
    default:
      throw new Error(`unknown op ${cmd.op}`);
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch (err) {
    process.stdout.write(JSON.stringify({ ok: false, error: `bad JSON: ${err}` }) + '\n');
    continue;
  }
  if (cmd.op === 'close') break;
  try {
    const result = await run(cmd);
    process.stdout.write(JSON.stringify({ ok: true, result }) + '\n');
  } catch (err) {
    process.stdout.write(JSON.stringify({ ok: false, error: String(err && err.message ? err.message : err) }) + '\n');
  }
}
await browser.close();
process.exit(0);
