// The county dashboard in Debian's Chromium against the real server: fengqiao-county serving
// its embedded front end, one office (fengqiao-cli with demo data) enrolled and synced, another
// registered but silent. Sign in, see the office that synced, drill into figures and rates, export the
// roll-up and check its totals, and a viewer refused an admin action by the server.
// Needs `npm run build:county` then `cargo build -p fengqiao-county -p fengqiao-cli`, and the
// chromium and chromium-driver packages. Screenshots go to target/e2e-shots/county-*.png.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import net from "node:net";
import { remote } from "webdriverio";

const root = resolve(import.meta.dirname, "../..");
const target = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(root, "target");
const bin = (name) => join(target, "debug", name);
const SHOTS = process.env.FENGQIAO_SHOTS ?? join(root, "target/e2e-shots");
const CHROMIUM = process.env.FENGQIAO_CHROMIUM ?? "/usr/bin/chromium";
const CHROMEDRIVER = process.env.FENGQIAO_CHROMEDRIVER ?? "/usr/bin/chromedriver";

const children = [];
const tmp = mkdtempSync(join(tmpdir(), "fengqiao-county-e2e-"));
const countyData = join(tmp, "county");
let url = "";
let browser;

function run(cmd, args, input) {
  const r = spawnSync(cmd, args, { encoding: "utf8", input, env: { ...process.env, LANG: "C.UTF-8" } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}
const county = (...args) => run(bin("fengqiao-county"), [...args, "--data", countyData]);
const office = (dir, ...args) => run(bin("fengqiao-cli"), ["--data-dir", dir, ...args]);

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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function shot(name) {
  await sleep(500);
  mkdirSync(SHOTS, { recursive: true });
  await browser.saveScreenshot(join(SHOTS, `county-${name}.png`));
}

const el = (sel) => browser.$(`[data-test="${sel}"]`);
async function click(sel) {
  const e = await el(sel);
  await e.waitForClickable({ timeout: 15000 });
  await e.click();
}
async function typeIn(sel, text) {
  // Element Plus puts the attribute on the <input> itself.
  const found = await el(sel);
  const box = (await found.getTagName()) === "input" ? found : await found.$("input");
  await box.waitForDisplayed({ timeout: 15000 });
  // Emptied as a person would (Vue sees the input events), then typed.
  await box.click();
  await browser.keys(["Control", "a"]);
  await browser.keys("Backspace");
  await box.addValue(text);
}
async function page(path) {
  await click(`menu-${path}`);
  await sleep(600);
}
async function signIn(name, password) {
  await browser.url(`${url}/#/login`);
  await typeIn("login-name", name);
  await typeIn("login-password", password);
  await click("login-submit");
  try {
    await (await el("who")).waitForDisplayed({ timeout: 15000 });
  } catch (e) {
    await shot(`signin-failed-${name}`);
    throw e;
  }
}
async function signOut() {
  await click("logout");
  await (await el("login-submit")).waitForDisplayed({ timeout: 15000 });
}
/** Messages shown beside form fields. */
async function fieldErrors() {
  const out = [];
  for (const e of await browser.$$(".el-form-item__error")) if (await e.isDisplayed()) out.push((await e.getText()).trim());
  return out;
}

before(async () => {
  for (const b of [bin("fengqiao-county"), bin("fengqiao-cli"), CHROMIUM, CHROMEDRIVER]) {
    if (!existsSync(b)) throw new Error(`${b} is missing`);
  }
  // The county: two offices, an admin and a viewer.
  const added = JSON.parse(county("office", "add", "--name", "东山镇司法所", "--division-code", "350502101", "--json"));
  county("office", "add", "--name", "西山镇司法所", "--division-code", "350502102", "--json");
  writeFileSync(join(tmp, "admin.pw"), "admin-pass-1\n");
  writeFileSync(join(tmp, "viewer.pw"), "viewer-pass-1\n");
  county("user", "add", "--name", "张科长", "--role", "admin", "--password-file", join(tmp, "admin.pw"));
  county("user", "add", "--name", "李干事", "--role", "viewer", "--password-file", join(tmp, "viewer.pw"));
  const server = spawn(bin("fengqiao-county"), ["serve", "--listen", "127.0.0.1:0", "--data", countyData], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(server);
  url = await new Promise((ok, fail) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]);
    });
    server.on("exit", (c) => fail(new Error(`fengqiao-county exited ${c}`)));
  });
  // The office: demo records, enrolled with the code, synced once.
  const dir = join(tmp, "office");
  office(dir, "init", "--office", "东山镇司法所", "--division-code", "350502101");
  office(dir, "demo-data", "--disputes", "160", "--released", "30", "--screenings", "10", "--seed", "5");
  office(dir, "enroll", "--server", url, "--code", added.enrollment_code);
  office(dir, "sync", "--once");

  const port = await freePort();
  const driver = spawn(CHROMEDRIVER, [`--port=${port}`], { stdio: "ignore" });
  children.push(driver);
  await waitPort(port);
  browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "error",
    capabilities: {
      browserName: "chrome",
      "goog:chromeOptions": {
        binary: CHROMIUM,
        args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1440,900", "--lang=zh-CN"],
        prefs: { "download.default_directory": join(tmp, "downloads") },
      },
    },
  });
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  for (const c of children) c.kill("SIGTERM");
});

test("signs in and sees the office that synced, the silent one marked", async () => {
  await browser.url(url);
  await (await el("login-submit")).waitForDisplayed({ timeout: 15000 });
  await shot("login");
  await typeIn("login-name", "张科长");
  await typeIn("login-password", "wrong-password");
  await click("login-submit");
  await browser.waitUntil(async () => (await fieldErrors()).includes("账号或密码不正确"), { timeout: 10000, timeoutMsg: "wrong password not refused" });
  await signIn("张科长", "admin-pass-1");
  assert.equal(await (await el("who")).getText(), "张科长（管理员）");
  await (await el("office-东山镇司法所")).waitForDisplayed({ timeout: 15000 });
  const rows = await browser.$$(".el-table__body tr");
  const texts = [];
  for (const r of rows) texts.push(await r.getText());
  const synced = texts.find((t) => t.includes("东山镇司法所"));
  const silent = texts.find((t) => t.includes("西山镇司法所"));
  assert.ok(synced && !synced.includes("从未同步"), synced);
  assert.match(synced, /\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  assert.ok(silent.includes("从未同步"), silent);
  await shot("offices");
});

test("drills into figures: the cases behind 调解成功, the records behind rates", async () => {
  await page("figures");
  // The whole demo period.
  const inputs = await browser.$$(".el-range-input");
  for (const [i, v] of [[0, "2019-01-01"], [1, "2026-12-31"]]) {
    await inputs[i].click();
    await browser.keys(["Control", "a"]);
    await browser.keys("Backspace");
    await inputs[i].addValue(v);
  }
  await browser.keys("Enter");
  await sleep(1500);
  const card = await el("card-success");
  await card.waitForDisplayed({ timeout: 15000 });
  const shown = Number(/(\d+) 件/.exec(await card.getText())[1]);
  assert.ok(shown > 0, "the office's cases reached the county");
  await shot("figures");
  // The charts by type, source and month drew, each one clickable (the shared EChart).
  const charts = await browser.$$(".clickable canvas");
  assert.ok(charts.length >= 3, `${charts.length} clickable charts`);
  await charts[charts.length - 1].scrollIntoView();
  await shot("figures-charts");
  await card.scrollIntoView();
  await card.click();
  const dialog = await browser.$(".el-dialog__title");
  await browser.waitUntil(async () => /调解成功：\d+件/.test(await dialog.getText()), { timeout: 15000 });
  const n = Number(/：(\d+)件/.exec(await dialog.getText())[1]);
  assert.equal(n, shown, "as many cases as the figure counts");
  const first = await browser.$(".el-dialog .el-table__body tr");
  assert.match(await first.getText(), /调解成功/);
  await shot("drill");
  await browser.keys("Escape");
  await sleep(600);
  // 衔接率's persons: as many as its denominator, those handed over (its numerator) marked.
  const rateOf = async (label) => {
    const row = await browser.$(`//div[@data-test="rates"]//tr[.//td[normalize-space(.)="${label}"]]`);
    const [, num, den] = /（(\d+)\/(\d+)）/.exec(await row.getText());
    return [Number(num), Number(den)];
  };
  const drillTitle = await browser.$('[data-test="drill"] .el-dialog__title');
  const [num, den] = await rateOf("衔接率");
  await click("rate-衔接率");
  await browser.waitUntil(async () => (await drillTitle.getText()) === `衔接率：计入分子${num}人，分母${den}人（只读）`, {
    timeout: 15000,
    timeoutMsg: `persons do not match 衔接率 ${num}/${den}`,
  });
  await shot("drill-released");
  await browser.keys("Escape");
  await sleep(600);
  // 协议履行率 from its figure: the agreements in force, the performed ones marked; 只看计入分子的
  // leaves as many as the numerator.
  const [performed, agreements] = await rateOf("协议履行率");
  assert.ok(agreements > 0, "the demo office's cases have agreements");
  await click("rate-value-协议履行率");
  await browser.waitUntil(async () => (await drillTitle.getText()) === `协议履行率：计入分子${performed}件，分母${agreements}件（只读）`, {
    timeout: 15000,
    timeoutMsg: `agreements do not match 协议履行率 ${performed}/${agreements}`,
  });
  const total = async () => Number(/共\s*(\d+)\s*条/.exec(await (await browser.$('[data-test="drill"] .el-pagination__total')).getText())[1]);
  assert.equal(await total(), agreements);
  assert.match(await (await browser.$('[data-test="drill"] .el-table__header')).getText(), /协议编号[\s\S]*履行情况[\s\S]*计入分子/);
  await click("drill-numerator-only");
  await browser.waitUntil(async () => (await total()) === performed, { timeout: 10000, timeoutMsg: "只看计入分子的 did not leave the numerator" });
  const firstRow = await browser.$('[data-test="drill"] .el-table__body tr');
  assert.match(await firstRow.getText(), /履行/);
  await shot("drill-agreements");
  await browser.keys("Escape");
  await sleep(600);
  // One office's 安置率 from the per-office table: the one synced office holds all of it.
  const [resettled, onRoll] = await rateOf("安置率");
  await click("office-rate-东山镇司法所-安置率");
  await browser.waitUntil(async () => (await drillTitle.getText()) === `东山镇司法所安置率：计入分子${resettled}人，分母${onRoll}人（只读）`, {
    timeout: 15000,
    timeoutMsg: `persons do not match 安置率 ${resettled}/${onRoll}`,
  });
  await browser.keys("Escape");
  await sleep(400);
});

test("the compliance matrix and late work show", async () => {
  await page("compliance");
  const matrix = await el("compliance");
  await matrix.waitForDisplayed({ timeout: 15000 });
  // Periods newest first; the demo office's units are in it.
  const headers = [];
  for (const h of await matrix.$$(".el-table__header th")) headers.push(await h.getText());
  assert.deepEqual(headers.slice(0, 2), ["司法所", "单位"]);
  assert.match(headers[2], /^\d{4}年\d{1,2}月(上|下)半月$/);
  assert.match(await matrix.getText(), /东山镇司法所/);
  await shot("compliance");
  await page("late");
  await (await el("late-count-mediation")).waitForDisplayed({ timeout: 15000 });
  // The chosen kind's count (on its tab) is what the table's pages hold, page by page from
  // the server; the demo office has overdue work of some kind.
  await browser.waitUntil(
    async () => {
      const count = await browser.$(".el-tabs__item.is-active [data-test^='late-count-']").getText();
      const total = await browser.$("[data-test='late-table'] .el-pagination__total").getText();
      return Number(count) > 0 && total.replace(/\s/g, "") === `共${count}条`;
    },
    { timeout: 15000, timeoutMsg: "the late-work tab's count is not the table's total" },
  );
  const rows = await browser.$$("[data-test='late-table'] .el-table__body tr");
  assert.ok(rows.length > 0 && rows.length <= 50, `one page of late work, not ${rows.length} rows`);
  await shot("late");
});

test("exports the roll-up and its totals add up", async () => {
  await page("rollup");
  const table = await el("rollup");
  await table.waitForDisplayed({ timeout: 15000 });
  assert.equal(await (await el("checks")).getText(), "全部通过");
  await shot("rollup");
  // The .xlsx through the page's own link, with the browser's session.
  const href = await (await el("download-xlsx")).getAttribute("href");
  const b64 = await browser.executeAsync((h, done) => {
    fetch(h, { credentials: "same-origin" })
      .then((r) => r.arrayBuffer())
      .then((buf) => {
        let s = "";
        for (const b of new Uint8Array(buf)) s += String.fromCharCode(b);
        done(btoa(s));
      });
  }, href);
  const file = join(tmp, "rollup.xlsx");
  writeFileSync(file, Buffer.from(b64, "base64"));
  // Read back with Python's zipfile: each row's label and 调解案件总数.
  const rows = JSON.parse(
    run("python3", [
      "-c",
      `import zipfile, re, json, sys
z = zipfile.ZipFile(sys.argv[1])
ss = re.findall(r"<si><t[^>]*>([^<]*)</t></si>", z.read("xl/sharedStrings.xml").decode())
sheet = z.read("xl/worksheets/sheet1.xml").decode()
out = {}
for row in re.findall(r"<row [^>]*>(.*?)</row>", sheet):
    cells = re.findall(r'<c r="([A-Z]+)\\d+"([^>]*)>(?:<v>([^<]*)</v>)?', row)
    vals = {c: (ss[int(v)] if 't="s"' in a else v) for c, a, v in cells if v is not None}
    if "A" in vals and "B" in vals:
        out[vals["A"]] = vals["B"]
print(json.dumps(out, ensure_ascii=False))`,
      file,
    ]),
  );
  const total = (k) => Number(rows[k]);
  assert.ok(total("东山镇司法所") > 0, JSON.stringify(rows));
  assert.equal(total("东山镇司法所") + total("西山镇司法所"), total("下级上报总计"));
  assert.equal(total("下级上报总计"), total("本级上报总计"));
  // The page's own table says the same.
  assert.match(await table.getText(), new RegExp(`下级上报总计\\s+${total("下级上报总计")}\\b`));
});

test("an admin's pages: an office registered, release notice, settings", async () => {
  await page("offices");
  await click("add-office");
  await typeIn("office-name", "北山镇司法所");
  await typeIn("office-code", "350502104");
  await click("office-submit");
  const code = await el("enrollment-code");
  await code.waitForDisplayed({ timeout: 15000 });
  assert.match(await code.getText(), /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  await shot("office-added");
  await browser.keys("Escape");
  await (await el("office-北山镇司法所")).waitForDisplayed({ timeout: 15000 });
  await page("notices");
  await shot("notice");
  await page("settings");
  await (await el("settings-save")).waitForDisplayed({ timeout: 15000 });
  await shot("settings");
  // The county's audit log has the sign-in and the office just registered.
  await page("audit");
  const log = await el("audit-table");
  await browser.waitUntil(async () => /登记司法所[\s\S]*北山镇司法所/.test(await log.getText()), { timeout: 15000, timeoutMsg: "no 登记司法所 line" });
  assert.match(await log.getText(), /张科长/);
  await shot("audit");
  await signOut();
});

test("a viewer is refused an admin action by the server", async () => {
  await signIn("李干事", "viewer-pass-1");
  assert.equal(await (await el("who")).getText(), "李干事（查看）");
  await page("settings");
  await click("settings-save");
  await browser.waitUntil(async () => (await fieldErrors()).some((e) => e.includes("没有权限")), { timeout: 10000, timeoutMsg: "the server did not refuse the viewer" });
  await shot("viewer-refused");
  // The same answer without the page: the API itself says 403.
  const status = await browser.executeAsync((done) => {
    fetch("/api/v1/dashboard/settings", { method: "PUT", headers: { "content-type": "application/json" }, body: "{}" }).then((r) => done(r.status));
  });
  assert.equal(status, 403);
  // The audit log is not in a viewer's menu, and the server refuses it.
  assert.equal(await (await el("menu-audit")).isExisting(), false);
  const audit = await browser.executeAsync((done) => {
    fetch("/api/v1/dashboard/audit").then((r) => done(r.status));
  });
  assert.equal(audit, 403);
});
