// A reader's path through the desk in Debian's Chromium (playwright-core), JavaScript on:
//
//   node subscribe_flow.mjs subscribe BASE_URL ADDRESS   fill /subscribe, press the button, wait for the
//                                                        answer page (the proof-of-work runs in pow.js)
//   node subscribe_flow.mjs confirm URL                  open a confirmation link and press its button
//
// Prints JSON {heading, ms, blocked}; only the loopback server may be reached.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];

async function withPage(fn) {
  const profile = mkdtempSync(join(tmpdir(), 'ew-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: FLAGS,
  });
  const blocked = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  try {
    const page = await context.newPage();
    return { ...(await fn(page)), blocked };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function heading(page) {
  return (await page.locator('main h1').first().textContent()).trim();
}

const [mode, ...rest] = process.argv.slice(2);
let report;
if (mode === 'subscribe') {
  const [base, address] = rest;
  report = await withPage(async (page) => {
    await page.goto(base + '/subscribe', { waitUntil: 'load' });
    await page.getByLabel('Email address').fill(address);
    const started = Date.now();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForSelector('main h1:not(:has-text("Subscribe to"))', { timeout: 120000 });
    return { heading: await heading(page), ms: Date.now() - started };
  });
} else if (mode === 'confirm') {
  const [url] = rest;
  report = await withPage(async (page) => {
    await page.goto(url, { waitUntil: 'load' });
    const started = Date.now();
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    await page.waitForSelector('main h1:not(:has-text("Confirm your"))', { timeout: 30000 });
    return { heading: await heading(page), ms: Date.now() - started };
  });
} else {
  console.error('usage: node subscribe_flow.mjs subscribe BASE ADDRESS | confirm URL');
  process.exit(2);
}
console.log(JSON.stringify(report));
process.exit(report.blocked.length ? 1 : 0);
