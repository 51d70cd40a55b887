// 打印 from a case file: 打印全部卷宗 makes the PDF in the data directory's print folder and
// shows its first page in the app (drawn by the documents crate, not by the webview's PDF
// support); 卷宗封面 from the menu; 取消 closes the preview.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDriver, stopDriver, withApp, setUpOffice, menu, shot, text, demoCases } from "./harness.mjs";

before(startDriver);
after(stopDriver);

/** Waits for the dialog with this title (other dialogs stay in the page, hidden). */
async function dialogTitled(b, title) {
  await b.$(`//span[contains(@class,"el-dialog__title") and normalize-space(.)="${title}"]`).waitForDisplayed({ timeout: 20000 });
}

function pdfText(file) {
  const r = spawnSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
  assert.equal(r.status, 0, `pdftotext ${file}`);
  return r.stdout;
}

test("a case's whole 卷宗 prints from the case file and its first page is previewed", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "fengqiao-e2e-print-"));
  await withApp(dataDir, async (b) => setUpOffice(b));
  demoCases(dataDir, 4);

  await withApp(dataDir, async (b) => {
    await menu(b, "cases");
    const link = await b.$('[data-test="ledger"] .el-table__body tr a');
    await link.waitForClickable({ timeout: 20000 });
    await link.click();
    await b.$('[data-test="case-file"]').waitForDisplayed({ timeout: 10000 });
    const caseNo = (await text(b, '[data-test="case-no"]')).trim();
    assert.match(caseNo, /调字第\d+号/);

    // The split button's main half: 打印全部卷宗.
    const main = await b.$('[data-test="print-menu"] button');
    await main.waitForClickable({ timeout: 10000 });
    assert.equal((await main.getText()).trim(), "打印全部卷宗");
    await main.click();
    const page = await b.$('[data-test="print-preview-page"]');
    await page.waitForDisplayed({ timeout: 30000 });
    assert.match(await page.getAttribute("src"), /^data:image\/svg\+xml/);
    // The image really drew (a broken SVG has no natural size).
    await b.waitUntil(async () => (await b.execute((el) => el.complete && el.naturalWidth > 0, page)), { timeout: 5000 });
    const meta = await text(b, '[data-test="print-preview-meta"]');
    assert.match(meta, /共\d+页/);
    await b.action("pointer").move({ x: 5, y: 5 }).perform().catch(() => {});
    await shot(b, "print-preview");

    const prints = join(dataDir, "prints");
    const files = readdirSync(prints);
    const whole = files.find((f) => f.startsWith("人民调解卷宗（全卷）"));
    assert.ok(whole, `the 卷宗 in ${prints}: ${files}`);
    assert.ok(meta.includes(join(prints, whole)), meta);
    const t = pdfText(join(prints, whole));
    assert.match(t, /卷内目录/);
    assert.ok(t.includes(caseNo), `${caseNo} in the 卷宗`);
    assert.ok(whole.includes(caseNo), `the file is named with the case: ${whole}`);

    await b.$('[data-test="print-cancel"]').click();
    await page.waitForDisplayed({ reverse: true, timeout: 5000 });

    // One document from the menu: the cover.
    await b.$('[data-test="print-menu"] .el-dropdown__caret-button').click();
    const cover = await b.$('[data-test="print-cover"]');
    await cover.waitForClickable({ timeout: 5000 });
    await cover.click();
    await b.$('[data-test="print-preview-page"]').waitForDisplayed({ timeout: 20000 });
    assert.match(await text(b, ".el-dialog__title"), /^打印预览：卷宗封面/);
    assert.ok(readdirSync(prints).some((f) => f.startsWith("卷宗封面")));
    await shot(b, "print-preview-cover");
  });
});

test("cases ticked in the ledger print in one go with progress, and the ledger prints for its period", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "fengqiao-e2e-print-"));
  await withApp(dataDir, async (b) => setUpOffice(b));
  demoCases(dataDir, 6);

  await withApp(dataDir, async (b) => {
    await menu(b, "cases");
    await b.$('[data-test="ledger"] .el-table__body tr a').waitForClickable({ timeout: 20000 });
    const batch = await b.$('[data-test="print-batch"]');
    assert.equal(await batch.isEnabled(), false, "nothing ticked");
    const ticks = await b.$$('[data-test="ledger"] .el-table__body tr .el-checkbox');
    for (const t of ticks.slice(0, 3)) await t.click();
    await b.waitUntil(async () => (await batch.getText()).includes("（3件）"), { timeout: 5000 });
    await shot(b, "print-ledger-ticked");
    await batch.click();
    await b.$('[data-test="print-batch-dialog"]').waitForDisplayed({ timeout: 5000 });
    const preview = await b.$('[data-test="print-batch-preview"]');
    await preview.waitForDisplayed({ timeout: 60000 });
    assert.match(await text(b, '[data-test="print-batch-now"]'), /已完成：3件已生成/);
    await shot(b, "print-batch-done");
    await preview.click();
    await b.$('[data-test="print-preview-page"]').waitForDisplayed({ timeout: 20000 });
    await dialogTitled(b, "打印预览：人民调解卷宗（3件）");
    assert.ok(readdirSync(join(dataDir, "prints")).includes("人民调解卷宗（3件）.pdf"));
    await b.$('[data-test="print-cancel"]').click();
    await b.pause(500);

    // The ledger of this month, landscape.
    await b.$('[data-test="print-dispute-ledger"]').click();
    await b.$('[data-test="print-preview-page"]').waitForDisplayed({ timeout: 20000 });
    await dialogTitled(b, "打印预览：人民调解纠纷台账（2026-11-01至2026-11-30）");
    await shot(b, "print-preview-ledger");
  });
});
