// The real desktop app driven over WebDriver: Xvfb (when there is no display), tauri-driver
// (which starts WebKitWebDriver), and one app process per session on its own temporary data
// directory. Used by the *.test.mjs files (node --test).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import net from "node:net";
import { remote } from "webdriverio";

const root = resolve(import.meta.dirname, "../..");
/** Cargo's target directory (CARGO_TARGET_DIR when set, as cargo does). */
export const TARGET = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(root, "target");
export const BIN = process.env.FENGQIAO_BIN ?? join(TARGET, "debug/fengqiao");
export const SHOTS = process.env.FENGQIAO_SHOTS ?? join(root, "target/e2e-shots");
/** The office's clock during the tests: 2026-11-20 10:00 in China. */
export const NOW = process.env.FENGQIAO_NOW ?? "2026-11-20T10:00:00+08:00";

const children = [];
let driverPort = 0;

function freePort() {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on("error", fail);
  });
}

async function waitPort(port, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((r) => {
      const c = net.connect(port, "127.0.0.1", () => (c.end(), r(true)));
      c.on("error", () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} did not open`);
}

export async function startDriver() {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build it with \`cargo build -p fengqiao-desktop\``);
  const env = { ...process.env, FENGQIAO_NOW: NOW, LANG: "C.UTF-8", WEBKIT_DISABLE_COMPOSITING_MODE: "1" };
  // A virtual display of the window's size (tauri.conf.json), so a capture of the display is
  // a capture of the window.
  const display = `:${70 + Math.floor(Math.random() * 20)}`;
  const x = spawn("Xvfb", [display, "-screen", "0", "1360x860x24", "-nolisten", "tcp"], { stdio: "ignore" });
  children.push(x);
  env.DISPLAY = display;
  process.env.FENGQIAO_E2E_DISPLAY = display;
  await new Promise((r) => setTimeout(r, 800));
  driverPort = await freePort();
  const nativePort = await freePort();
  const which = spawnSync("sh", ["-c", "command -v tauri-driver || echo $HOME/.cargo/bin/tauri-driver"], { encoding: "utf8" });
  const driver = spawn(which.stdout.trim(), ["--port", String(driverPort), "--native-port", String(nativePort)], {
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.push(driver);
  await waitPort(driverPort);
  mkdirSync(SHOTS, { recursive: true });
}

export function stopDriver() {
  for (const c of children.reverse()) c.kill();
  children.length = 0;
}

/** A new app window on `dataDir` (a fresh temporary one by default). */
export async function openApp(dataDir = mkdtempSync(join(tmpdir(), "fengqiao-e2e-")), { signIn = true } = {}) {
  const browser = await remote({
    hostname: "127.0.0.1",
    port: driverPort,
    logLevel: "error",
    capabilities: { "tauri:options": { application: BIN, args: ["--data-dir", dataDir] } },
  });
  // Forget drafts and column choices of earlier runs (the webview keeps its localStorage).
  await browser.execute(() => localStorage.clear());
  await browser.refresh();
  await browser.$("#app > *").waitForExist({ timeout: 15000 });
  if (signIn) await signInIfAsked(browser);
  return { browser, dataDir };
}

/** The first account of every office the tests set up (the office's 所长). */
export const LOGIN = "liming";
export const PASSWORD = "Dongshan#2026";

/** An encrypted office opens on its 登录 screen: signs in as the tests' 所长. */
async function signInIfAsked(b) {
  const screens = '[data-test="sign-in"], [data-test="first-run-mode"], [data-test="dashboard"], .el-header';
  await b.$(screens).waitForExist({ timeout: 15000 });
  if (!(await b.$('[data-test="sign-in"]').isExisting())) return;
  await type(b, "sign-in-name", LOGIN);
  await type(b, "sign-in-password", PASSWORD);
  await click(b, "sign-in-submit");
  await b.$('[data-test="sign-in"]').waitForExist({ reverse: true, timeout: 15000 });
}

/** The 所长 account's answers on first run's last step, then 完成设置 and the recovery key
 *  dialog (shown once) confirmed. */
export async function finishFirstRun(b) {
  await type(b, "login-name", LOGIN);
  await type(b, "password", PASSWORD);
  await type(b, "password-confirm", PASSWORD);
  await click(b, "finish");
}

/** Confirms the recovery key dialog first run shows once; returns the key it showed. */
export async function keepRecoveryKey(b) {
  await b.$('[data-test="recovery-key-dialog"]').waitForDisplayed({ timeout: 15000 });
  const key = await b.$('[data-test="recovery-key-text"]').getText();
  await click(b, "recovery-key-ack");
  await b.$('[data-test="recovery-key-dialog"]').waitForDisplayed({ reverse: true, timeout: 10000 });
  return key;
}

// ---- Element Plus helpers -------------------------------------------------------------

/** A data-test name, or a CSS selector as is. */
const sel = (name) => (/[\[\s.#>]/.test(name) ? name : `[data-test="${name}"]`);

/** A valid 18-digit ID number (GB 11643 check character) from its first 17 digits. */
export function idNumber(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, c, i) => s + Number(c) * w[i], 0);
  return first17 + "10X98765432"[sum % 11];
}

/** The <input> or <textarea> behind a data-test name (on the element or a wrapper). */
export async function field(b, name) {
  const el = await b.$(sel(name));
  await el.waitForExist({ timeout: 10000 });
  const tag = await el.getTagName();
  if (tag === "input" || tag === "textarea") return el;
  return el.$("input, textarea");
}

/** Replaces a field's text as a clerk would: select all, delete, type. */
async function retype(b, el, text) {
  await el.click();
  await b.keys(["Control", "a"]);
  await b.keys("Backspace");
  if (text) await el.addValue(text);
}

export async function type(b, name, text) {
  const el = await field(b, name);
  await el.waitForDisplayed();
  await retype(b, el, text);
}

export async function click(b, name) {
  const el = await b.$(sel(name));
  await el.waitForClickable({ timeout: 10000 });
  await waitStill(b, el);
  await el.click();
}

/** Waits until an element stops moving: a button in a drawer or dialog that is still sliding
 * in is "clickable", but a click at its position of the moment lands beside it (seen under
 * load: the click on 登记矛盾纠纷 as the round's drawer opened was lost). */
async function waitStill(b, el) {
  let last = "";
  await b.waitUntil(
    async () => {
      const r = await b.execute((e) => JSON.stringify(e.getBoundingClientRect()), el);
      const still = r === last;
      last = r;
      return still;
    },
    { timeout: 10000, interval: 120 },
  );
}

/** Picks `text` in the el-select `name`. */
export async function choose(b, name, text) {
  const el = await b.$(sel(name));
  await el.waitForDisplayed();
  await el.click();
  await b.waitUntil(
    async () => {
      for (const o of await b.$$(".el-select-dropdown__item")) {
        if ((await o.isDisplayed()) && (await o.getText()).trim() === text) {
          await o.click();
          return true;
        }
      }
      return false;
    },
    { timeout: 5000, timeoutMsg: `no option “${text}” in ${name}` },
  );
  await b.keys("Escape").catch(() => {});
}

/** Types a date (or date and time) into a picker and confirms it. */
export async function date(b, name, text) {
  const el = await field(b, name);
  await retype(b, el, text);
  await b.keys("Enter");
  await b.keys("Tab");
}

export async function text(b, selector) {
  const el = await b.$(selector);
  await el.waitForDisplayed({ timeout: 10000 });
  return (await el.getText()).trim();
}

/** The error messages Element Plus shows beside fields. */
export async function fieldErrors(b) {
  const out = [];
  for (const e of await b.$$(".el-form-item__error")) if (await e.isDisplayed()) out.push((await e.getText()).trim());
  return out;
}

/** A screenshot of the window, taken from the X display (WebKitWebDriver's own screenshot
 * can hang on a page whose table keeps re-measuring itself). */
export async function shot(b, name) {
  await new Promise((r) => setTimeout(r, 400));
  const dir = process.env.FENGQIAO_SHOTS ?? SHOTS;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.png`);
  const r = spawnSync("import", ["-display", process.env.FENGQIAO_E2E_DISPLAY, "-window", "root", file], { stdio: "ignore" });
  if (r.status !== 0) await b.saveScreenshot(file);
}

export async function menu(b, path) {
  await click(b, `menu-${path}`);
  await new Promise((r) => setTimeout(r, 300));
}

export async function tab(b, label) {
  const t = await b.$(`//div[contains(@class,"el-tabs__item") and starts-with(normalize-space(.), "${label}")]`);
  await t.waitForClickable();
  await t.click();
  await new Promise((r) => setTimeout(r, 200));
}

export async function buttonByText(b, label) {
  const btn = await b.$(`//button[normalize-space(.)="${label}"]`);
  await btn.waitForClickable({ timeout: 10000 });
  return btn;
}

/** First run with the usual answers: 东山镇司法所, its 调委会 and one 调解员, staff 李明. */
export async function setUpOffice(b) {
  await type(b, "office-name", "东山镇司法所");
  await type(b, "division-code", "350502101");
  await click(b, "next");
  await type(b, "committee-name", "东山镇人民调解委员会");
  await type(b, "number-prefix", "东山");
  await click(b, "next");
  await type(b, "mediator-name-0", "王秀英");
  await choose(b, "mediator-gender-0", "女");
  await click(b, "next");
  await type(b, "staff-name", "李明");
  await finishFirstRun(b);
  await keepRecoveryKey(b);
  await b.$('[data-test="dashboard"]').waitForDisplayed({ timeout: 10000 });
}

/** Runs `body` on a fresh app; a failure leaves a screenshot of the window behind. */
export async function withApp(dataDir, body) {
  const { browser: b, dataDir: dir } = await openApp(dataDir);
  try {
    await body(b, dir);
  } catch (e) {
    console.error(e);
    await shot(b, `failed-${Date.now()}`).catch(() => {});
    throw e;
  } finally {
    await b.deleteSession();
  }
}

/** `fengqiao-cli` beside the app's binary. */
export const CLI = process.env.FENGQIAO_CLI ?? join(resolve(BIN, ".."), "fengqiao-cli");

/** Cases with parties, sessions and agreements, as an office would have them, put in with
 * `fengqiao-cli demo-data` while the app is closed (signed in as the 所长: first run encrypted
 * the office). */
export function demoCases(dataDir, disputes) {
  const r = spawnSync(CLI, ["--data-dir", dataDir, "demo-data", "--disputes", String(disputes)], {
    encoding: "utf8",
    env: { ...process.env, FENGQIAO_NOW: NOW, FENGQIAO_USER: LOGIN, FENGQIAO_PASSWORD: PASSWORD },
  });
  if (r.status !== 0) throw new Error(`fengqiao-cli demo-data failed: ${r.stderr}`);
}
