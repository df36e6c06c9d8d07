import fs from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import { expect } from "vitest";

const require = createRequire(import.meta.url);

/** Debian's Chromium (apt-get install chromium), never a downloaded browser build. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!fs.existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** Every console error and page error of a page, for tests to assert there were none. */
export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    // The location names the resource of a "Failed to load resource" message: which request failed.
    if (message.type() === "error") problems.push(`console: ${message.text()} (${message.location().url || "no location"})`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's violations on the page as it is now (WCAG 2.x A and AA, 2.2's target size among them, and best practice). */
export async function axeViolations(page: Page) {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
      // Only the violations are read: axe then skips the details of what passed.
      resultTypes: ["violations"],
    });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(" ")),
    }));
  });
}

/** A browser context that gives up waiting after 10 s, well inside the test's time. */
export async function newContext(browser: Browser, options: BrowserContextOptions = {}) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(10_000);
  return context;
}

/** No axe-core violation; the message lists each one with the elements it was found on. */
export async function expectAccessible(page: Page, what: string) {
  const violations = await axeViolations(page);
  const report = violations
    .map((violation) => `- ${violation.id} (${violation.impact}): ${violation.help}\n    ${violation.targets.join("\n    ")}`)
    .join("\n");
  expect(violations, `axe-core found violations on ${what} (${page.url()}):\n${report}`).toEqual([]);
}
