// The desktop benchmark (issue 3), on the real app built with `cargo build --release
// -p fengqiao-desktop -p fengqiao-cli`:
//   - start: launch → first screen interactive (the UI's `app_ready`, see src/lib/ready.ts), cold
//     (the page cache dropped before each launch, when run as root) and warm (the usual start of
//     an office PC that ran the app before); on the big store (工作台 with its figures) and, as
//     the baseline, on an empty data directory (首次运行);
//   - the 纠纷台账 on the big store: open it, page forward, jump to the last page, search a
//     2-character name — each timed inside the page from the click to the new rows painted;
//     the baseline is the same on a 1,000-case store, in the same run.
// Medians of --runs launches / repetitions. Usage:
//   node e2e/bench.mjs [--cases 100000] [--runs 7]
// The stores are made with `fengqiao-cli demo-data` under target/bench-data and reused (the
// same directories as crates/cli/benches/store.rs).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const root = resolve(import.meta.dirname, "../..");
const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
const { values: opt } = parseArgs({ options: { cases: { type: "string", default: "100000" }, runs: { type: "string", default: "7" } } });
const CASES = Number(opt.cases);
const RUNS = Number(opt.runs);
process.env.FENGQIAO_BIN ??= join(target, "release/fengqiao");
const CLI = join(target, "release/fengqiao-cli");
const { startDriver, stopDriver, openApp, NOW } = await import("./harness.mjs");

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(0)} ms`;

/** The demo store of `cases` disputes (with released persons and rounds in proportion). */
function store(cases) {
  const released = Math.round(cases / 5);
  const screenings = Math.round(cases / 20);
  const dir = join(target, `bench-data/d${cases}-r${released}-s${screenings}`);
  if (!existsSync(join(dir, "fengqiao.db"))) {
    console.error(`making ${dir} …`);
    const run = (...args) => {
      const r = spawnSync(CLI, ["--data-dir", dir, ...args], { stdio: ["ignore", "ignore", "inherit"] });
      if (r.status !== 0) throw new Error(`fengqiao-cli ${args.join(" ")} failed`);
    };
    run("init", "--office", "东山镇司法所", "--division-code", "350502101");
    run("demo-data", "--disputes", String(cases), "--released", String(released), "--screenings", String(screenings));
  }
  return dir;
}

function dropCaches() {
  try {
    spawnSync("sync");
    writeFileSync("/proc/sys/vm/drop_caches", "3");
    return true;
  } catch {
    return false;
  }
}

/** Launch → `ready SCREEN MS` on stdout (FENGQIAO_EXIT_WHEN_READY); the wall time seen from here. */
function launch(dataDir, display) {
  return new Promise((ok, fail) => {
    const env = { ...process.env, DISPLAY: display, FENGQIAO_NOW: NOW, FENGQIAO_EXIT_WHEN_READY: "1", LANG: "C.UTF-8" };
    const t0 = performance.now();
    const app = spawn(process.env.FENGQIAO_BIN, ["--data-dir", dataDir], { env, stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    const timer = setTimeout(() => {
      app.kill("SIGKILL");
      fail(new Error(`no ready signal in 60 s from ${dataDir}`));
    }, 60000);
    app.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/ready (\S+) ([\d.]+)/);
      if (m) {
        clearTimeout(timer);
        ok({ screen: m[1], wall: performance.now() - t0 });
      }
    });
    app.on("exit", () => clearTimeout(timer));
  });
}

async function starts(dataDir, display, drop) {
  const walls = [];
  let screen = "";
  let cold = false;
  if (!drop) await launch(dataDir, display); // warms the page cache
  for (let i = 0; i < RUNS; i++) {
    cold = drop && dropCaches();
    const r = await launch(dataDir, display);
    walls.push(r.wall);
    screen = r.screen;
    await new Promise((ok) => setTimeout(ok, 300));
  }
  return { median: median(walls), screen, cold };
}

/** Clicks `selector` in the page and resolves with the ms until the ledger's first row changed
 * and was painted. */
function timedClick(b, selector) {
  return b.executeAsync((selector, done) => {
    const table = () => document.querySelector('[data-test="ledger"] .el-table__body tbody');
    const first = () => table()?.querySelector("tr")?.textContent ?? "";
    const before = first();
    const t0 = performance.now();
    const check = () => {
      if (table() && first() && first() !== before) {
        requestAnimationFrame(() => done(performance.now() - t0));
        return true;
      }
      return false;
    };
    const obs = new MutationObserver(() => check() && obs.disconnect());
    obs.observe(document.body, { childList: true, subtree: true, characterData: true });
    document.querySelector(selector).click();
    setTimeout(() => (obs.disconnect(), done(-1)), 30000);
  }, selector);
}

/** Types a search into the ledger; ms from the input to the new rows painted (includes the
 * ledger's 250 ms typing pause). */
function timedSearch(b, text) {
  return b.executeAsync((text, done) => {
    const el = document.querySelector('[data-test="ledger-search"]');
    const input = el.tagName === "INPUT" ? el : el.querySelector("input");
    const tbody = () => document.querySelector('[data-test="ledger"] .el-table__body tbody');
    const before = tbody().textContent;
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      if (tbody().textContent !== before) {
        obs.disconnect();
        requestAnimationFrame(() => done(performance.now() - t0));
      }
    });
    obs.observe(tbody(), { childList: true, subtree: true, characterData: true });
    input.value = text;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    setTimeout(() => (obs.disconnect(), done(-1)), 30000);
  }, text);
}

async function ledger(dataDir) {
  const { browser: b } = await openApp(dataDir);
  try {
    await b.$('[data-test="dashboard"]').waitForDisplayed({ timeout: 60000 });
    const open = [];
    for (let i = 0; i < RUNS; i++) {
      open.push(await timedClick(b, '[data-test="menu-cases"]'));
      await b.$('[data-test="menu-dashboard"]').click();
      await b.$('[data-test="dashboard"]').waitForDisplayed({ timeout: 60000 });
    }
    await timedClick(b, '[data-test="menu-cases"]');
    const next = [];
    for (let i = 0; i < RUNS * 2; i++) next.push(await timedClick(b, '[data-test="ledger"] .el-pagination .btn-next'));
    const last = [];
    for (let i = 0; i < RUNS; i++) {
      last.push(await timedClick(b, '[data-test="ledger"] .el-pagination .el-pager li:last-child'));
      await timedClick(b, '[data-test="ledger"] .el-pagination .el-pager li:first-child');
    }
    const search = [];
    for (let i = 0; i < RUNS; i++) {
      search.push(await timedSearch(b, i % 2 ? "王芳" : "张伟"));
    }
    const all = [...open, ...next, ...last, ...search];
    if (all.some((ms) => ms < 0)) throw new Error("a ledger step did not finish in 30 s");
    return { open: median(open), next: median(next), last: median(last), search: median(search) };
  } finally {
    await b.deleteSession();
  }
}

const big = store(CASES);
const small = store(1000);
await startDriver();
try {
  const display = process.env.FENGQIAO_E2E_DISPLAY;
  const emptyDir = mkdtempSync(join(tmpdir(), "fengqiao-bench-"));
  const empty = await starts(emptyDir, display, true);
  const loaded = await starts(big, display, true);
  const emptyWarm = await starts(emptyDir, display, false);
  const loadedWarm = await starts(big, display, false);
  const l1k = await ledger(small);
  const lBig = await ledger(big);
  const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
  console.log(`\nDesktop benchmark — ${RUNS} runs, medians${empty.cold ? ", page cache dropped before each launch" : " (page cache NOT dropped: not root)"}`);
  console.log(`| measure | ${CASES.toLocaleString("en")} cases | baseline | ratio |`);
  console.log("|---|---|---|---|");
  console.log(`| cold start → interactive (${loaded.screen}; baseline: empty store, ${empty.screen}) | ${fmt(loaded.median)} | ${fmt(empty.median)} | ${ratio(loaded.median, empty.median)} |`);
  console.log(`| warm start (page cache kept) → interactive | ${fmt(loadedWarm.median)} | ${fmt(emptyWarm.median)} | ${ratio(loadedWarm.median, emptyWarm.median)} |`);
  const rows = [
    ["open the 纠纷台账 (first page painted)", "open"],
    ["next page", "next"],
    ["jump to the last page", "last"],
    ["search a 2-character name (incl. 250 ms typing pause)", "search"],
  ];
  for (const [label, k] of rows) console.log(`| ${label} (baseline: 1,000 cases) | ${fmt(lBig[k])} | ${fmt(l1k[k])} | ${ratio(lBig[k], l1k[k])} |`);
} finally {
  stopDriver();
}
