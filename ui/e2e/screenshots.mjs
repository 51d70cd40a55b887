// Screenshots of the main screens for the README, from the real app on a demo-data store:
//   fengqiao-cli --data-dir DIR init …; fengqiao-cli --data-dir DIR demo-data …
//   node e2e/screenshots.mjs DIR ../docs/images
// (FENGQIAO_NOW fixes the office's clock, as for the demo data.)
import { startDriver, stopDriver, openApp, click, type, menu, tab, shot, SHOTS } from "./harness.mjs";

const [dataDir, out = SHOTS] = process.argv.slice(2);
if (!dataDir) {
  console.error("usage: node e2e/screenshots.mjs DATA_DIR [OUT_DIR]");
  process.exit(2);
}
process.env.FENGQIAO_SHOTS = out;
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

async function save(b, name) {
  // The pointer away from buttons, so nothing shows a hover style or a tooltip.
  await b.action("pointer").move({ x: 1350, y: 850 }).perform().catch(() => {});
  await shot(b, name);
  console.log(`${name}.png`);
}

await startDriver();
const { browser: b } = await openApp(dataDir);
try {
  await b.$('[data-test="dashboard"]').waitForDisplayed({ timeout: 20000 });
  await b.$('[data-test="overdue-count"]').waitForDisplayed({ timeout: 60000 });
  await pause(1000);
  await save(b, "dashboard");
  await menu(b, "cases");
  await b.$('[data-test="ledger"] .el-table__body tr').waitForDisplayed({ timeout: 20000 });
  await save(b, "ledger");
  await type(b, "ledger-search", "张伟");
  await pause(1200);
  await save(b, "ledger-search");
  await type(b, "ledger-search", "");
  await pause(1000);
  // An open case in 调解中, from the ledger's status filter.
  await b.url(`${(await b.getUrl()).split("#")[0]}#/cases?status=mediating`);
  await pause(1500);
  const link = await b.$('[data-test="ledger"] .el-table__body tr a');
  await link.click();
  await b.$('[data-test="case-file"]').waitForDisplayed({ timeout: 10000 });
  await save(b, "case-file");
  await tab(b, "当事人");
  await save(b, "case-parties");
  await tab(b, "调解记录");
  await save(b, "case-sessions");
  await click(b, "action-agreement_reached").catch(() => {});
  await pause(500);
  await save(b, "case-refusal");
  await menu(b, "screening");
  await pause(1500);
  await save(b, "screening");
  await menu(b, "released");
  await pause(1500);
  await save(b, "released");
  await b.$('[data-test="released"] .el-table__body tr a').click();
  await b.$('[data-test="released-file"]').waitForDisplayed({ timeout: 10000 });
  await save(b, "released-file");
  await menu(b, "statistics");
  await pause(2500);
  await save(b, "statistics");
  await menu(b, "settings");
  await pause(1000);
  await save(b, "settings");
} finally {
  await b.deleteSession();
  stopDriver();
}
