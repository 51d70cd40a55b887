// Sync in the real app against a real county server: `fengqiao-county serve` on loopback, an
// office added with `office add --json` for its one-time code, enrollment in 设置 (a wrong
// code refused beside its field first), a case saved in the app, the header's indicator
// reaching 已同步 and the county's `export` holding the case; the 同步 page opened from the
// indicator; the server killed (离线（自…起）) and started again on the same address (已同步).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import {
  startDriver, stopDriver, withApp, setUpOffice, type, click, choose, date, text, fieldErrors, shot, menu, idNumber, TARGET,
} from "./harness.mjs";

const COUNTY = process.env.FENGQIAO_COUNTY_BIN ?? join(TARGET, "debug/fengqiao-county");
const countyData = mkdtempSync(join(tmpdir(), "fengqiao-county-e2e-"));
let server = null;
let url = "";
let listen = "";

function county(...args) {
  const r = spawnSync(COUNTY, [...args, "--data", countyData], { encoding: "utf8", timeout: 60000 });
  assert.equal(r.status, 0, `fengqiao-county ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** `fengqiao-county serve` on `addr`; resolves with its URL once it listens. */
async function startServer(addr) {
  server = spawn(COUNTY, ["serve", "--listen", addr, "--data", countyData], { stdio: ["ignore", "pipe", "inherit"] });
  url = await new Promise((ok, fail) => {
    const lines = createInterface({ input: server.stdout });
    lines.on("line", (l) => {
      const m = /(http:\/\/[0-9.:]+)/.exec(l);
      if (m) ok(m[1]);
    });
    server.on("exit", (c) => fail(new Error(`fengqiao-county serve exited with ${c}`)));
    setTimeout(() => fail(new Error("fengqiao-county serve did not start")), 30000);
  });
  listen = url.replace("http://", "");
}

async function stopServer() {
  const s = server;
  server = null;
  await new Promise((ok) => {
    s.on("exit", ok);
    s.kill("SIGKILL");
  });
}

before(async () => {
  if (!existsSync(COUNTY)) throw new Error(`${COUNTY} is missing: build it with \`cargo build -p fengqiao-county\``);
  await startDriver();
  await startServer("127.0.0.1:0");
});

after(() => {
  server?.kill();
  stopDriver();
});

const indicator = '[data-test="sync-indicator"]';

async function phase(b) {
  return (await b.$(indicator)).getAttribute("data-phase");
}

test("enrolled in 设置, a new case reaches the county and the indicator says 已同步", async () => {
  const { office_id, enrollment_code } = JSON.parse(county("office", "add", "--name", "东山镇司法所", "--division-code", "350502101", "--json"));
  await withApp(undefined, async (b) => {
    await setUpOffice(b);
    assert.equal(await text(b, '[data-test="sync-label"]'), "未连接县局");

    // A wrong code: refused beside the code field, nothing remembered.
    await menu(b, "settings");
    await type(b, "county-server", url);
    await type(b, "enrollment-code", "WRONG-CODE");
    await click(b, "enroll");
    await b.waitUntil(async () => (await fieldErrors(b)).length > 0, { timeout: 15000 });
    assert.deepEqual(await fieldErrors(b), ["注册码无效、已使用或已过期，请向县司法局申请新的注册码"]);
    await (await b.$('[data-test="county-card"]')).scrollIntoView();
    await shot(b, "sync-01-enroll-refused");
    assert.equal(await text(b, '[data-test="sync-label"]'), "未连接县局");

    // The county's code: enrolled, and the agent syncs at once (no restart).
    await type(b, "enrollment-code", enrollment_code);
    await b.keys("Enter");
    await b.$('[data-test="enrolled"]').waitForDisplayed({ timeout: 15000 });
    await b.waitUntil(async () => (await phase(b)) === "synced", { timeout: 30000, timeoutMsg: "never 已同步 after enrolling" });
    assert.equal(await text(b, '[data-test="sync-label"]'), "已同步");

    // A case saved here goes up by itself.
    await menu(b, "cases");
    await click(b, "new-case");
    await b.$('[data-test="new-case-page"]').waitForDisplayed();
    await choose(b, "dispute-type", "邻里纠纷");
    await type(b, "title", "孙浩与钱芳相邻排水纠纷");
    await type(b, "summary", "钱芳家屋檐滴水落入孙浩院内，双方多次争吵。");
    await type(b, '[data-test="party-0"] [data-test="person-name"]', "孙浩");
    await type(b, '[data-test="party-0"] [data-test="id-number"]', idNumber("35050219790506001"));
    await type(b, '[data-test="party-1"] [data-test="person-name"]', "钱芳");
    await type(b, '[data-test="party-1"] [data-test="id-number"]', idNumber("35050219820712002"));
    for (const n of [0, 1]) await date(b, `[data-test="party-${n}"] [data-test="notice-date"]`, "2026-11-20");
    await click(b, "save-case");
    await b.$('[data-test="case-file"]').waitForDisplayed({ timeout: 10000 });
    let exported = "";
    await b.waitUntil(
      async () => {
        exported = county("export", "--office", office_id);
        return exported.includes("孙浩与钱芳相邻排水纠纷") && (await phase(b)) === "synced";
      },
      { timeout: 30000, interval: 500, timeoutMsg: "the case never reached the county" },
    );
    // The county holds the case as the office does, its parties with it.
    const held = exported.trim().split("\n").map((l) => JSON.parse(l)).find((r) => r.kind === "dispute_case");
    assert.equal(held.title, "孙浩与钱芳相邻排水纠纷");
    assert.deepEqual(held.parties.map((p) => p.person?.name).sort(), ["孙浩", "钱芳"].sort());
    assert.equal(await text(b, '[data-test="sync-label"]'), "已同步");
    await shot(b, "sync-02-indicator-synced");

    // The indicator opens the 同步 page.
    await click(b, indicator);
    await b.$('[data-test="sync-page"]').waitForDisplayed({ timeout: 10000 });
    assert.equal(await text(b, '[data-test="sync-server"]'), url);
    assert.equal(await text(b, '[data-test="sync-pending"]'), "0");
    await b.$('[data-test="sync-history"]').waitForDisplayed({ timeout: 10000 });
    await click(b, "sync-now");
    await shot(b, "sync-03-page");

    // The server goes away: 立即同步 finds it gone, the indicator says since when; back on the
    // same address, the agent notices by itself.
    await stopServer();
    await click(b, "sync-now");
    await b.waitUntil(async () => (await phase(b)) === "offline", { timeout: 30000, timeoutMsg: "never 离线" });
    assert.match(await text(b, '[data-test="sync-label"]'), /^离线（自(\d\d-\d\d )?\d\d:\d\d起）$/);
    await shot(b, "sync-04-offline");
    await startServer(listen);
    await b.waitUntil(async () => (await phase(b)) === "synced", { timeout: 60000, timeoutMsg: "never 已同步 after the server came back" });
  });
});
