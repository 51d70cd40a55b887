// Reminders where the work is, in the real app on the fixed clock (2026-11-20): a case
// accepted 27 days before shows its 调解期限 reminder on the 工作台 and at the top of its
// file; 暂缓 without a reason is refused beside the field, with one it hides the reminder
// everywhere. Then 导入Excel on the 纠纷台账: a workbook whose 纠纷性质 column the app does
// not know, mapped by the clerk, a bad row shown with its problem, and the import.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDriver, stopDriver, withApp, setUpOffice, type, click, choose, date, text, fieldErrors, shot, menu, idNumber } from "./harness.mjs";
import { writeXlsx } from "./xlsx.mjs";

before(startDriver);
after(stopDriver);

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

/** A 邻里纠纷 accepted on `accepted`, through 登记纠纷 and 受理. */
async function acceptedCase(b, title, accepted) {
  await menu(b, "cases");
  await click(b, "new-case");
  await b.$('[data-test="new-case-page"]').waitForDisplayed();
  await choose(b, "dispute-type", "邻里纠纷");
  await type(b, "title", title);
  await type(b, "summary", "双方因共用通道通行发生争执。");
  await date(b, "accepted-on", accepted);
  await type(b, '[data-test="party-0"] [data-test="person-name"]', "张伟");
  await type(b, '[data-test="party-0"] [data-test="id-number"]', idNumber("35050219800101001"));
  await type(b, '[data-test="party-1"] [data-test="person-name"]', "李娜");
  await type(b, '[data-test="party-1"] [data-test="id-number"]', idNumber("35050219850315002"));
  for (const n of [0, 1]) await date(b, `[data-test="party-${n}"] [data-test="notice-date"]`, accepted);
  await click(b, "save-case");
  await b.$('[data-test="case-file"]').waitForDisplayed({ timeout: 10000 });
  await click(b, "action-accepted");
  await b.waitUntil(async () => (await text(b, '[data-test="case-status"]')) === "已受理", { timeout: 5000 });
}

test("a case near its month is reminded on the dashboard and in its file; 暂缓 with a reason hides it", async () => {
  await withApp(undefined, async (b) => {
    await setUpOffice(b);
    await acceptedCase(b, "张伟与李娜相邻通行纠纷", "2026-10-24");

    // At the top of the case file.
    const inFile = await b.$('[data-test="record-reminder-mediation_due"]');
    await inFile.waitForDisplayed({ timeout: 10000 });
    assert.match(await inFile.getText(), /受理已27天，尚未调结/);

    // On the 工作台.
    await menu(b, "dashboard");
    const onBoard = await b.$('[data-test="due-list"] [data-test="reminder-mediation_due"]');
    await onBoard.waitForDisplayed({ timeout: 10000 });
    // The title is cut to the card's width; the whole of it is its tooltip.
    assert.match(await onBoard.$(".title").getAttribute("title"), /张伟与李娜相邻通行纠纷：受理已27天/);
    assert.match(await onBoard.getText(), /调解期限将满/);
    assert.equal(await text(b, '[data-test="due-count"]'), "1");
    await shot(b, "reminders-dashboard");

    // The dashboard item opens the case; 暂缓 there.
    await onBoard.$(".title").click();
    await b.$('[data-test="case-file"]').waitForDisplayed({ timeout: 10000 });
    await click(b, '[data-test="record-reminder-mediation_due"] [data-test="reminder-snooze"]');
    await b.$('[data-test="reminder-reason"]').waitForDisplayed({ timeout: 5000 });
    await click(b, "reminder-confirm");
    await b.waitUntil(async () => (await fieldErrors(b)).includes("请填写原因"), { timeout: 5000, timeoutMsg: "no 请填写原因 beside the reason" });
    await shot(b, "reminders-snooze-refused");
    await date(b, '[data-test="snooze-until"]', "2026-11-27");
    await type(b, "reminder-reason", "当事人李娜外出务工，11月27日返回后再调解");
    await click(b, "reminder-confirm");
    await b.waitUntil(async () => (await b.$$('[data-test="record-reminder-mediation_due"]')).length === 0, {
      timeout: 5000,
      timeoutMsg: "the reminder is still in the case file",
    });

    await menu(b, "dashboard");
    await b.$('[data-test="due-count"]').waitForDisplayed({ timeout: 10000 });
    await pause(500);
    assert.equal(await text(b, '[data-test="due-count"]'), "0");
    assert.equal((await b.$$('[data-test="reminder-mediation_due"]')).length, 0);
  });
});

test("导入Excel on the 纠纷台账: the clerk maps a column, sees a bad row, imports the rest", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fengqiao-xlsx-"));
  const file = join(dir, "2024年调解台账.xlsx");
  writeXlsx(file, "2024年台账", [
    ["东山镇矛盾纠纷调解台账（2024年）"],
    ["序号", "案卷号", "当事人", "受理日期", "纠纷性质", "调解结果", "备注"],
    ["1", "（2024）东山调字第1号", "张伟、李娜", "2024.5.6", "邻里", "调解成功", ""],
    ["2", "（2024）东山调字第2号", "王芳、赵强", "2024年6月3日", "婚姻家庭", "调解成功", ""],
    ["3", "（2024）东山调字第3号", "刘洋、陈静", "2024.13.1", "土地", "", "日期写错"],
    ["4", "（2024）东山调字第4号", "孙丽、周杰", "20240801", "合同", "调解成功", ""],
    [],
    ["合计：4件"],
  ]);
  await withApp(undefined, async (b) => {
    await setUpOffice(b);
    await menu(b, "cases");
    await click(b, "import-excel");
    await type(b, "import-path", file);
    await b.keys("Enter");
    const missing = await b.$('[data-test="import-missing"]');
    await missing.waitForDisplayed({ timeout: 10000 });
    assert.match(await missing.getText(), /缺少必需的列：纠纷类型/);
    assert.equal(await (await b.$('[data-test="import-commit"]')).isEnabled(), false);

    // The clerk says column E is the 纠纷类型.
    await choose(b, '[data-test="import-col-E"] .el-select', "纠纷类型 *");
    const summary = await b.$('[data-test="import-summary"]');
    await summary.waitForDisplayed({ timeout: 10000 });
    assert.match(await summary.getText(), /将导入\s*3\s*行.*有问题不导入\s*1\s*行/);
    assert.match(await text(b, '[data-test="import-rows"]'), /“2024\.13\.1”这一天不存在/);
    await shot(b, "import-dialog");

    await click(b, "import-commit");
    const report = await b.$('[data-test="import-report"]');
    await report.waitForDisplayed({ timeout: 10000 });
    assert.match(await report.getText(), /已导入3行/);
    await shot(b, "import-report");
    await click(b, "import-done");
    await b.waitUntil(async () => /共 3 条/.test(await text(b, ".el-pagination__total")), { timeout: 5000, timeoutMsg: "the ledger does not list 3 cases" });
  });
});
