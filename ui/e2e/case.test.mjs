// A day's work in the real app: first run, a dispute from intake through acceptance,
// mediation, a written agreement, performance and return visit to archive; wrong input
// answered with the model's message and nothing saved; the dashboard counting what was
// entered.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  startDriver, stopDriver, openApp, type, click, choose, date, text, fieldErrors, shot, menu, tab, idNumber, finishFirstRun, keepRecoveryKey,
} from "./harness.mjs";

before(startDriver);
after(stopDriver);

const pause = (ms) => new Promise((r) => setTimeout(r, ms));
/** The office made by the first test; the next ones reopen it (so it survives a restart). */
let officeDir;

test("first run refuses a wrong code, then sets the office up", async () => {
  const { browser: b, dataDir } = await openApp();
  officeDir = dataDir;
  try {
    await type(b, "office-name", "东山镇司法所");
    await type(b, "division-code", "3505");
    await shot(b, "01-first-run");
    await click(b, "next");
    await type(b, "committee-name", "东山镇人民调解委员会");
    await type(b, "number-prefix", "东山");
    await click(b, "next");
    await type(b, "mediator-name-0", "王秀英");
    await choose(b, "mediator-gender-0", "女");
    await click(b, "next");
    await type(b, "staff-name", "李明");
    await finishFirstRun(b);
    // Refused: back on the first step with the model's message beside the field.
    await b.waitUntil(async () => (await fieldErrors(b)).length > 0, { timeout: 5000 });
    assert.deepEqual(await fieldErrors(b), ["行政区划代码应为6位、9位或12位数字"]);
    assert.ok(await b.$('[data-test="step-office"]').isDisplayed());
    assert.ok(!existsSync(join(dataDir, "fengqiao.db")), "nothing is written on refusal");
    await shot(b, "02-first-run-refused");

    await type(b, "division-code", "350502101");
    for (let i = 0; i < 3; i++) await click(b, "next");
    await click(b, "finish");
    // The office's data is encrypted; its recovery key is shown once, to be printed.
    const key = await keepRecoveryKey(b);
    assert.match(key, /^[A-Z2-9]{4}(-[A-Z2-9]{4}){7}$/);
    await b.$('[data-test="dashboard"]').waitForDisplayed({ timeout: 10000 });
    assert.equal(await text(b, '[data-test="month-cases"] .el-statistic__number'), "0");
    assert.match(await text(b, ".el-header"), /行政区划代码 350502101\b/);
    assert.ok(existsSync(join(dataDir, "fengqiao.db")));
  } catch (e) {
    console.error(e);
    await shot(b, `failed-${Date.now()}`).catch(() => {});
    throw e;
  } finally {
    await b.deleteSession();
  }
});

test("a dispute from intake to archive, and the dashboard counts it", async () => {
  const { browser: b } = await openApp(officeDir);
  try {
    await b.$('[data-test="dashboard"]').waitForDisplayed({ timeout: 10000 });
    await menu(b, "cases");
    await click(b, "new-case");
    await b.$('[data-test="new-case-page"]').waitForDisplayed();
    await choose(b, "dispute-type", "邻里纠纷");
    await type(b, "title", "张伟与李娜相邻通行纠纷");
    await type(b, "summary", "李娜在两家共用通道堆放柴草，张伟无法通行，双方多次争吵。");
    await type(b, '[data-test="party-0"] [data-test="person-name"]', "张伟");
    await type(b, '[data-test="party-0"] [data-test="id-number"]', idNumber("35050219800101001"));
    await type(b, '[data-test="party-1"] [data-test="person-name"]', "李娜");
    for (const n of [0, 1]) await date(b, `[data-test="party-${n}"] [data-test="notice-date"]`, "2026-11-20");
    await click(b, '[data-test="party-0"] [data-test="id-copy"]');
    // A mistyped ID number: refused beside the field, nothing saved.
    const good = idNumber("35050219850315002");
    const bad = good.slice(0, 17) + (good[17] === "1" ? "2" : "1");
    await type(b, '[data-test="party-1"] [data-test="id-number"]', bad);
    await click(b, "save-case");
    await b.waitUntil(async () => (await fieldErrors(b)).some((e) => e.includes("校验码")), { timeout: 5000 });
    const errors = await fieldErrors(b);
    assert.ok(errors.some((e) => e.startsWith(`公民身份号码校验码错误：最后一位应为${good[17]}`)), errors.join(" | "));
    await shot(b, "05-intake-refused");
    assert.ok(await b.$('[data-test="new-case-page"]').isDisplayed(), "still on the intake form");

    await type(b, '[data-test="party-1"] [data-test="id-number"]', good);
    await b.waitUntil(async () => (await b.$$('[data-test="id-derived"]')).length === 2, { timeout: 5000 });
    await shot(b, "04-intake");
    await click(b, "save-case");
    await b.$('[data-test="case-file"]').waitForDisplayed({ timeout: 10000 });
    assert.equal(await text(b, '[data-test="case-status"]'), "登记中");

    // 受理 issues the number.
    await click(b, "action-accepted");
    await b.waitUntil(async () => (await text(b, '[data-test="case-status"]')) === "已受理", { timeout: 5000 });
    assert.equal(await text(b, '[data-test="case-no"]'), "（2026）东山调字第1号");
    await click(b, "action-mediating");
    await b.waitUntil(async () => (await text(b, '[data-test="case-status"]')) === "调解中", { timeout: 5000 });

    // 达成协议 before any session or agreement: refused, with the reasons.
    await click(b, "action-agreement_reached");
    const refusal = await text(b, '[data-test="refusal"]');
    assert.match(refusal, /尚无定稿的调解记录/);
    assert.match(refusal, /尚未登记调解协议/);
    await shot(b, "07-refusal");

    await tab(b, "调解记录");
    await click(b, "add-session");
    await date(b, "held-at", "2026-11-20 09:00");
    await type(b, "session-place", "东山镇人民调解室");
    await type(b, "session-content", "告知双方权利义务；双方陈述；经调解，李娜同意清除柴草。");
    await choose(b, "outcome", "达成协议");
    await choose(b, "session-recorder", "王秀英");
    await click(b, "save-session");
    await b.waitUntil(async () => (await b.$$('[data-test="sessions"] .el-card')).length === 1, { timeout: 5000 });

    await tab(b, "协议");
    await type(b, "facts", "李娜在共用通道堆放柴草，致张伟无法通行。");
    await type(b, "terms", "李娜于当日清除通道柴草。");
    await type(b, "performance-method", "即时履行");
    await date(b, "signed-on", "2026-11-20");
    for (const s of await b.$$('[data-test^="sig-"]')) {
      const name = await s.getAttribute("data-test");
      await choose(b, `[data-test="${name}"]`, "已签名并按指印");
    }
    await click(b, '[data-test="mediator-signed"]');
    await click(b, '[data-test="seal-applied"]');
    await choose(b, "performance-status", "即时履行完毕");
    await shot(b, "08-agreement");
    await click(b, "save-agreement");
    await pause(800);
    await click(b, "action-agreement_reached");
    await b.waitUntil(async () => (await text(b, '[data-test="case-status"]')) === "已达成协议", { timeout: 5000 });

    await tab(b, "履行与回访");
    await click(b, "add-visit");
    await choose(b, "visited-person", "张伟");
    await date(b, "visited-at", "2026-11-20 09:30");
    await type(b, "visit-content", "通道已清理，双方满意。");
    await choose(b, "observed", "即时履行完毕");
    await click(b, "save-visit");
    await b.waitUntil(async () => (await b.$$('[data-test="visits"] .el-card')).length === 1, { timeout: 5000 });

    await click(b, "action-closed");
    await click(b, "confirm-action");
    await b.waitUntil(async () => (await text(b, '[data-test="case-status"]')) === "已结案", { timeout: 5000 });
    // 归档 checks the 卷宗: 乙's ID copy is missing.
    await click(b, "action-archived");
    assert.match(await text(b, '[data-test="refusal"]'), /卷宗缺少必备材料：当事人身份证明/);
    await shot(b, "10-archive-refused");
    await tab(b, "当事人");
    await click(b, "edit-party-1");
    await click(b, '.el-dialog [data-test="id-copy"]');
    await click(b, "save-party");
    await pause(800);
    await click(b, "action-archived");
    await click(b, "confirm-action");
    await b.waitUntil(async () => (await text(b, '[data-test="case-status"]')) === "已归档", { timeout: 5000 });
    await tab(b, "卷宗");
    await shot(b, "09-archived");

    // The ledger finds it by a 2-character name; the dashboard counts it.
    await menu(b, "cases");
    await type(b, "ledger-search", "李娜");
    await b.waitUntil(async () => (await b.$$(".el-table__body tr")).length === 1, { timeout: 5000 });
    assert.match(await text(b, ".el-pagination__total"), /共 1 条/);
    await menu(b, "dashboard");
    await b.waitUntil(async () => (await text(b, '[data-test="month-cases"] .el-statistic__number')) === "1", { timeout: 5000 });
    assert.equal(await text(b, '[data-test="month-success"] .el-statistic__number'), "1");
  } catch (e) {
    console.error(e);
    await shot(b, `failed-${Date.now()}`).catch(() => {});
    throw e;
  } finally {
    await b.deleteSession();
  }
});
