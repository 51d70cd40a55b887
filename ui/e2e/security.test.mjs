// An encrypted office in the real app: first run shows the recovery key once; the window
// locks and unlocks with the password only; the next start opens on 登录, a wrong password
// answered beside the field; a 只读 account added by the 所长 sees no editing buttons and
// is refused by the server; the 所长's 审计日志 shows the sign-ins and the failed ones.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  startDriver, stopDriver, openApp, setUpOffice, type, click, choose, text, fieldErrors, shot, menu, tab, demoCases, LOGIN, PASSWORD,
} from "./harness.mjs";

before(startDriver);
after(stopDriver);

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

/** A table's text (WebKitWebDriver's getText on an Element Plus table root is empty). */
async function tableText(b, name) {
  await b.$(`[data-test="${name}"] .el-table__body`).waitForDisplayed({ timeout: 10000 });
  return b.execute((s) => document.querySelector(s)?.textContent ?? "", `[data-test="${name}"] .el-table__body`);
}

async function run(dataDir, body, options) {
  const { browser: b, dataDir: dir } = await openApp(dataDir, options);
  try {
    await body(b, dir);
  } catch (e) {
    console.error(e);
    await shot(b, `failed-security-${Date.now()}`).catch(() => {});
    throw e;
  } finally {
    await b.deleteSession();
  }
}

let officeDir;

test("first run encrypts the office; the lock needs the password", async () => {
  await run(undefined, async (b, dir) => {
    officeDir = dir;
    await setUpOffice(b);
    const db = readFileSync(join(dir, "fengqiao.db"));
    assert.ok(!db.includes(Buffer.from("SQLite format 3")), "the database file is not plain SQLite");
    assert.ok(existsSync(join(dir, "keyring.json")));
    assert.match(await text(b, '[data-test="current-account"]'), /李明/);

    await click(b, "lock-button");
    await b.$('[data-test="lock-overlay"]').waitForDisplayed({ timeout: 5000 });
    await shot(b, "30-locked");
    await type(b, "lock-password", "not-the-password");
    await click(b, "lock-submit");
    await b.waitUntil(async () => (await fieldErrors(b)).length > 0 || (await b.$('[data-test="lock-failure"]').isDisplayed()), {
      timeout: 5000,
      timeoutMsg: "no refusal on a wrong password",
    });
    assert.ok(await b.$('[data-test="lock-overlay"]').isDisplayed(), "still locked");
    await type(b, "lock-password", PASSWORD);
    await click(b, "lock-submit");
    await b.$('[data-test="lock-overlay"]').waitForDisplayed({ reverse: true, timeout: 10000 });

    // The 所长 adds a 只读 account.
    await menu(b, "settings");
    await click(b, "account-add");
    await type(b, "account-name", "chakan");
    await type(b, "account-display-name", "赵查看");
    await choose(b, "account-role", "只读");
    await type(b, "account-password", "Readonly#2026");
    await type(b, "account-password-confirm", "Readonly#2026");
    await click(b, "account-save");
    await b.waitUntil(async () => (await tableText(b, "accounts-table")).includes("chakan"), { timeout: 5000 });
  });
});

test("the next start opens on 登录; a 只读 account edits nothing; the audit log shows it all", async () => {
  demoCases(officeDir, 3);
  await run(
    officeDir,
    async (b) => {
      await b.$('[data-test="sign-in"]').waitForDisplayed({ timeout: 15000 });
      await shot(b, "31-sign-in");
      await type(b, "sign-in-name", "chakan");
      await type(b, "sign-in-password", "wrong-password");
      await click(b, "sign-in-submit");
      await b.waitUntil(async () => (await fieldErrors(b)).includes("登录名或密码不正确"), { timeout: 10000 });
      await type(b, "sign-in-password", "Readonly#2026");
      await click(b, "sign-in-submit");
      await b.$('[data-test="readonly-tag"]').waitForDisplayed({ timeout: 15000 });
      assert.match(await text(b, '[data-test="current-account"]'), /赵查看/);
      // No 审计日志 in a 只读 account's menu, and no 登记纠纷 button.
      assert.ok(!(await b.$('[data-test="menu-audit"]').isExisting()));
      await menu(b, "cases");
      await pause(500);
      assert.ok(!(await b.$('[data-test="new-case"]').isExisting()), "no 登记纠纷 for 只读");
      // A case opens read-only: no workflow step, no 添加当事人 (as an archived case).
      const link = await b.$('[data-test="ledger"] .el-table__body tr a');
      await link.waitForClickable({ timeout: 20000 });
      await link.click();
      await b.$('[data-test="case-file"]').waitForDisplayed({ timeout: 10000 });
      assert.match(await text(b, '[data-test="workflow"]'), /只读账号：只能查看本案/);
      assert.equal((await b.$$('[data-test^="action-"]')).length, 0, "no workflow step for 只读");
      await tab(b, "当事人");
      await pause(300);
      assert.ok(!(await b.$('[data-test="add-party"]').isExisting()), "no 添加当事人 for 只读");
      await shot(b, "33-readonly-case");

      // Switch to the 所长 from the lock screen and read the audit log.
      await click(b, "lock-button");
      await b.$('[data-test="lock-overlay"]').waitForDisplayed({ timeout: 5000 });
      await click(b, "lock-switch");
      await type(b, "lock-name", LOGIN);
      await type(b, "lock-password", PASSWORD);
      await click(b, "lock-submit");
      await b.$('[data-test="lock-overlay"]').waitForDisplayed({ reverse: true, timeout: 10000 });
      await menu(b, "audit");
      await b.$('[data-test="audit-table"]').waitForDisplayed({ timeout: 10000 });
      const log = await tableText(b, "audit-table");
      assert.match(log, /登录失败/);
      assert.match(log, /赵查看（chakan，只读）登录/);
      // The 所长 added the 只读 account before the demo cases went in: further down the log.
      let all = log;
      for (let i = 0; i < 20 && !/新建账号/.test(all) && (await b.$('[data-test="audit-more"]').isExisting()); i++) {
        await click(b, "audit-more");
        await pause(300);
        all = await tableText(b, "audit-table");
      }
      assert.match(all, /新建账号/);
      assert.match(await text(b, '[data-test="audit-chain"]'), /审计日志完整/);
      await shot(b, "32-audit-log");
    },
    { signIn: false },
  );
});
