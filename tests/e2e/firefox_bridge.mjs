// Firefox for the Python browser tests: puppeteer-core drives Debian's firefox-esr over
// WebDriver BiDi, and this script hands its page operations to pytest (tests/e2e/firefox.py)
// as JSON lines: one request on stdin, one reply on stdout, in order.
//
// Why a bridge: Playwright's Firefox needs Mozilla builds patched by Playwright (a browser
// download, impossible here), and Selenium or a Python BiDi client needs geckodriver (not
// packaged in Debian 12). puppeteer-core speaks BiDi to the stock browser and brings its
// profile, launch and input handling (real clicks and keys, with user activation).
import { createInterface } from "node:readline";
import puppeteer from "puppeteer-core";

const executablePath = process.env.FIREFOX || "/usr/bin/firefox-esr";
// Headless Firefox has no screen, so getDisplayMedia() fails with NotFoundError there;
// with a DISPLAY (tests/e2e/firefox.py starts Xvfb) it shares that virtual screen.
const headless = !process.env.DISPLAY;
const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath,
  headless,
  extraPrefsFirefox: {
    // Fake camera (a coloured picture) and microphone (a 1 kHz tone), no prompt: what
    // Chromium's --use-fake-device-for-media-stream and --use-fake-ui-for-media-stream do.
    "media.navigator.streams.fake": true,
    // This also grants screen sharing at once, with the whole (virtual) screen.
    "media.navigator.permission.disabled": true,
    // Real host addresses in ICE candidates, not mDNS names (xxxx.local), which nothing on
    // this machine resolves: Chromium (camera permission granted) shows its own too.
    // With mDNS names only Chromium's candidates were usable, and under heavy load one
    // connection stayed "connecting" for 20 s (docs/browsers.md).
    "media.peerconnection.ice.obfuscate_host_addresses": false,
    // Remote audio plays without a click (Chromium: --autoplay-policy=no-user-gesture-required).
    "media.autoplay.default": 0,
    "media.autoplay.blocking_policy": 0,
    // The pages in English, as the Chromium tests' locale="en-US".
    "intl.accept_languages": "en-US, en",
    "intl.locale.requested": "en-US",
  },
});

const pages = new Map();
let nextId = 1;

function pageOf(request) {
  const entry = pages.get(request.page);
  if (!entry) throw new Error(`no page ${request.page}`);
  return entry;
}

// A page function given as source text, called with one JSON argument; awaited.
function expression(source, arg) {
  return `(${source})(${JSON.stringify(arg ?? null)})`;
}

const operations = {
  async newPage({ baseURL }) {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const id = nextId++;
    const entry = { id, context, page, baseURL, errors: [], requests: [] };
    page.on("request", (request) => entry.requests.push(request.url()));
    page.on("console", (message) => {
      if (message.type() === "error") entry.errors.push(message.text());
    });
    page.on("pageerror", (error) => entry.errors.push(String(error)));
    pages.set(id, entry);
    return id;
  },
  async goto(request) {
    const { page, baseURL } = pageOf(request);
    await page.goto(new URL(request.url, baseURL).href, { waitUntil: "load" });
    return page.url();
  },
  // A script run in every document of the page before its own (puppeteer over BiDi:
  // script.addPreloadScript).
  async addInitScript(request) {
    await pageOf(request).page.evaluateOnNewDocument(request.script);
  },
  async reload(request) {
    const { page } = pageOf(request);
    await page.reload({ waitUntil: "load" });
    return page.url();
  },
  async url(request) {
    return pageOf(request).page.url();
  },
  async evaluate(request) {
    return pageOf(request).page.evaluate(expression(request.script, request.arg));
  },
  async click(request) {
    await pageOf(request).page.locator(request.selector).click();
    return null;
  },
  async fill(request) {
    await pageOf(request).page.locator(request.selector).fill(request.value);
    return null;
  },
  async press(request) {
    await pageOf(request).page.keyboard.press(request.key);
    return null;
  },
  async errors(request) {
    return pageOf(request).errors;
  },
  async requests(request) {
    return pageOf(request).requests;
  },
  async closePage(request) {
    const entry = pageOf(request);
    pages.delete(entry.id);
    await entry.context.close();
    return null;
  },
};

process.stdout.write(`${JSON.stringify({ ready: await browser.version() })}\n`);

// An operation that never settles (a page script awaiting something that never comes, a
// BiDi command lost on its way) is answered as a failure after this long, and the browser
// stays in service for the module's other tests: firefox.py's own, longer limit kills it.
const OPERATION_MS = 45_000;

function timeBox(request) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const where = pages.get(request.page)?.page.url() ?? "no page";
      reject(new Error(`${request.op} did not settle within ${OPERATION_MS / 1000} s (at ${where})`));
    }, OPERATION_MS);
  });
  const run = Promise.resolve().then(() => operations[request.op](request));
  return Promise.race([run, late]).finally(() => clearTimeout(timer));
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const request = JSON.parse(line);
  let reply;
  try {
    reply = { ok: true, value: (await timeBox(request)) ?? null };
  } catch (error) {
    reply = { ok: false, error: String(error?.message || error) };
  }
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}
await browser.close();
