// 排查 and 安置帮教 in the real app: a zero report in one action, a round with an item that
// becomes a dispute case, a released person from notice through handover, help group and a
// visit; wrong input refused with the model's message and nothing saved.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startDriver, stopDriver, withApp, setUpOffice, type, click, choose, date, text, fieldErrors, shot, menu, tab, idNumber,
} from "./harness.mjs";

before(startDriver);
after(stopDriver);
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const rowsOf = async (b, scope) => (await b.$$(`${scope} .el-table__body tr`)).length;

test("a zero report in one action, and a round whose item becomes a case", async () => {
  await withApp(undefined, async (b) => {
    await setUpOffice(b);
    await menu(b, "screening");
    await b.$('[data-test="screening"]').waitForDisplayed();
    await click(b, "zero-report");
    // The unit's code is required: refused beside the field, nothing saved.
    await type(b, "zero-unit-name", "东山村");
    await type(b, "zero-screeners", "林海");
    await click(b, "save-zero");
    await b.waitUntil(async () => (await fieldErrors(b)).some((e) => e.includes("排查单位")), { timeout: 5000 });
    await type(b, "zero-unit-division", "350502101201");
    await click(b, "save-zero");
    await b.waitUntil(async () => (await b.$$(".el-drawer__body .el-descriptions")).length > 0, { timeout: 5000 });
    assert.match(await text(b, ".el-drawer__body"), /本期未发现矛盾纠纷/);
    await b.keys("Escape");
    await pause(500);

    await click(b, "new-round");
    await type(b, "unit-name", "西岭村");
    await type(b, "unit-division", "350502101202");
    await type(b, "screeners", "郑平 林海");
    await click(b, "save-round");
    await b.$('[data-test="add-item"]').waitForClickable({ timeout: 5000 });
    await click(b, "add-item");
    await type(b, "item-parties", "孙某与钱某");
    await choose(b, "item-type", "房屋宅基地纠纷");
    await type(b, "item-summary", "两家宅基地界址争议，已发生口角。");
    await choose(b, "item-disposition", "移交调委会");
    // Wrong: no one involved. Refused beside the field; the round still has no item.
    await type(b, "item-people", "0");
    await click(b, "save-item");
    await b.waitUntil(async () => (await fieldErrors(b)).includes("涉及人数至少为1"), { timeout: 5000 });
    await shot(b, "12-screening-item-refused");
    await type(b, "item-people", "2");
    await click(b, "save-item");
    await b.waitUntil(async () => (await rowsOf(b, ".el-drawer__body")) === 1, { timeout: 5000 });
    await shot(b, "13-screening-round");
    await click(b, "to-case");
    await b.$('[data-test="case-file"]').waitForDisplayed({ timeout: 10000 });
    assert.equal(await text(b, '[data-test="case-title"]'), "孙某与钱某房屋宅基地纠纷");
    assert.equal(await text(b, '[data-test="case-status"]'), "登记中");

    await menu(b, "screening");
    await b.waitUntil(async () => (await rowsOf(b, '[data-test="screening"]')) === 2, { timeout: 5000 });
    await shot(b, "11-screening");

    // 关于: the version, and the log this start wrote (with no personal data in it).
    await menu(b, "about");
    const about = await text(b, '[data-test="about"]');
    assert.match(about, /枫桥司法所工作台 \d+\.\d+\.\d+/);
    assert.match(about, /fengqiao\.log（[\d.]+ (B|KB)）/);
    await shot(b, "15-about");
  });
});

test("a released person from notice through handover, help group and a visit", async () => {
  await withApp(undefined, async (b) => {
    await setUpOffice(b);
    await menu(b, "released");
    await click(b, "new-released");
    await b.$('[data-test="released-file"]').waitForDisplayed();
    await type(b, "person-name", "孙强");
    await type(b, "crime-name", "盗窃罪");
    await type(b, "sentence", "有期徒刑2年");
    await type(b, "prison", "福建省某监狱");
    await date(b, "released-on", "2026-11-10");
    await choose(b, "assessment", "重点帮教人员");
    // No ID number: a released person must have one. Refused, nothing saved.
    await click(b, "save-released");
    // (Waited for as a whole: the form re-validates as it settles, so a first read can be empty.)
    let errors = [];
    await b.waitUntil(async () => (errors = await fieldErrors(b)).includes("必须填写"), {
      timeout: 8000,
      timeoutMsg: "no 必须填写 beside the ID number",
    });
    assert.equal(await b.getUrl().then((u) => /#\/released\/[0-9a-f-]{36}$/.test(u)), false, "nothing saved");
    await type(b, "id-number", idNumber("35050219900315003"));
    await b.$('[data-test="id-derived"]').waitForDisplayed({ timeout: 5000 });
    await click(b, "save-released");
    await b.waitUntil(async () => (await b.getUrl()).match(/#\/released\/[0-9a-f-]{36}$/), { timeout: 5000 });
    assert.equal(await text(b, '[data-test="handover-tag"]'), "待衔接");

    await tab(b, "衔接");
    await choose(b, "handover-status", "已衔接");
    await date(b, "handover-on", "2026-11-10");
    await choose(b, "handover-method", "司法所接回");
    await click(b, "save-handover");
    await b.waitUntil(async () => (await text(b, '[data-test="handover-tag"]')) === "已衔接", { timeout: 5000 });

    await tab(b, "帮教小组");
    await click(b, "edit-group");
    await click(b, "add-member");
    await type(b, "member-name-0", "李明");
    await choose(b, "member-role-0", "司法所工作人员");
    await click(b, "add-member");
    await type(b, "member-name-1", "孙母");
    await choose(b, "member-role-1", "家庭成员/监护人");
    await click(b, "save-group");
    await b.waitUntil(async () => (await b.$$('[data-test="released-file"] .el-tab-pane .el-table__body tr')).length >= 2, { timeout: 5000 });

    await tab(b, "帮教记录");
    await click(b, "add-help-visit");
    await date(b, "help-visit-at", "2026-11-15 10:00");
    await type(b, "help-visit-content", "走访家中，了解就业意向，情绪稳定。");
    await click(b, "save-help-visit");
    await b.waitUntil(async () => (await text(b, '.el-tabs__item.is-active')).includes("（1）"), { timeout: 5000 });
    await shot(b, "14-released-file");

    await menu(b, "released");
    await b.waitUntil(async () => (await rowsOf(b, '[data-test="released"]')) === 1, { timeout: 5000 });
    await menu(b, "dashboard");
    await b.$('[data-test="dashboard"]').waitForDisplayed();
    assert.match(await text(b, '[data-test="dashboard"]'), /衔接率\s*100\.0%\s*1 \/ 1 人/);
  });
});
