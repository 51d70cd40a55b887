import { describe, it, expect, vi, beforeEach } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import ElementPlus from "element-plus";
import zhCn from "element-plus/es/locale/lang/zh-cn";

const { api } = vi.hoisted(() => ({
  api: {
    printDocuments: vi.fn(),
    print: vi.fn(),
    printBatch: vi.fn(),
    printBatchStatus: vi.fn(),
    printBatchCancel: vi.fn(),
    openPrint: vi.fn(),
  },
}));
vi.mock("@/api", () => ({
  api,
  isAppError: (e: any) => e && typeof e === "object" && "code" in e,
  messageOf: (e: any) => String(e?.message ?? e),
}));

import PrintPreview from "@/components/PrintPreview.vue";
import PrintButton from "@/components/PrintButton.vue";
import BatchPrint from "@/components/BatchPrint.vue";
import { monthOf } from "@/lib/print";
import type { Printed } from "@/generated/Printed";
import type { BatchStatus } from "@/generated/BatchStatus";

const global = { plugins: [[ElementPlus, { locale: zhCn }]] as any, stubs: { teleport: true } };

const printed: Printed = {
  title: "人民调解协议书（2026）东山调字第3号 张伟、李娜",
  file_name: "人民调解协议书（2026）东山调字第3号 张伟、李娜.pdf",
  path: "/data/prints/人民调解协议书（2026）东山调字第3号 张伟、李娜.pdf",
  pages: 2,
  bytes: 40960,
  preview: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 595.28 841.89"><rect width="100%" height="100%" fill="white"/></svg>',
  page_width: 595.28,
  page_height: 841.89,
};

const catalogue = [
  { code: "case-file", name: "人民调解卷宗（全卷）", input: "case" },
  { code: "cover", name: "卷宗封面", input: "case" },
  { code: "agreement", name: "人民调解协议书", input: "case" },
  { code: "dispute-ledger", name: "人民调解纠纷台账", input: "period" },
  { code: "released-register", name: "刑满释放人员基本情况登记表", input: "released" },
  { code: "help-agreement", name: "刑满释放人员帮教协议书", input: "released" },
];

const find = (w: ReturnType<typeof mount>, test: string) => w.find(`[data-test="${test}"]`);

beforeEach(() => {
  for (const f of Object.values(api)) f.mockReset();
  api.printDocuments.mockResolvedValue(catalogue);
});

describe("PrintPreview", () => {
  it("shows page one as an image of the SVG, the page count and the file, and opens the PDF", async () => {
    const w = mount(PrintPreview, { props: { printed }, global });
    await flushPromises();
    const img = find(w, "print-preview-page");
    expect(img.attributes("src")).toBe(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(printed.preview)}`);
    expect(img.attributes("alt")).toBe(`${printed.title} 第1页`);
    expect(find(w, "print-preview-meta").text()).toContain("共2页");
    expect(find(w, "print-preview-meta").text()).toContain("40 KB");
    expect(find(w, "print-preview-meta").text()).toContain(printed.path);

    api.openPrint.mockResolvedValue(null);
    await find(w, "print-open").trigger("click");
    await flushPromises();
    expect(api.openPrint).toHaveBeenCalledWith(printed.file_name);
    expect(w.emitted("close")).toHaveLength(1);
  });

  it("says why the viewer could not be opened and stays open", async () => {
    const w = mount(PrintPreview, { props: { printed }, global });
    await flushPromises();
    api.openPrint.mockRejectedValue({ code: "open", message: "无法用本机的PDF阅读器打开" });
    await find(w, "print-open").trigger("click");
    await flushPromises();
    expect(find(w, "print-preview-error").text()).toContain("无法用本机的PDF阅读器打开");
    expect(w.emitted("close")).toBeUndefined();
  });

  it("取消 closes without opening", async () => {
    const w = mount(PrintPreview, { props: { printed }, global });
    await flushPromises();
    await find(w, "print-cancel").trigger("click");
    expect(api.openPrint).not.toHaveBeenCalled();
    expect(w.emitted("close")).toHaveLength(1);
  });
});

describe("PrintButton", () => {
  it("prints a list for its period and shows the preview", async () => {
    api.print.mockResolvedValue(printed);
    const w = mount(PrintButton, {
      props: { input: "period", only: ["dispute-ledger"], period: ["2026-11-01", "2026-11-30"], label: "打印台账" },
      global,
    });
    await flushPromises();
    const b = find(w, "print-dispute-ledger");
    expect(b.text()).toBe("打印台账");
    await b.trigger("click");
    await flushPromises();
    expect(api.print).toHaveBeenCalledWith({ document: "dispute-ledger", record_id: null, from: "2026-11-01", to: "2026-11-30" });
    expect(find(w, "print-preview-page").exists()).toBe(true);
  });

  it("offers 全部卷宗 and each case document, and says a refusal beside the button", async () => {
    api.print.mockRejectedValue({ code: "documents.missing_glyph", message: "字符“𱍐”(U+31350)在所有字体中都不存在，无法打印" });
    // Element Plus's dropdown loops in jsdom when its teleport is stubbed: its menu goes to <body>.
    const w = mount(PrintButton, { props: { input: "case", recordId: "c1" }, global: { plugins: global.plugins }, attachTo: document.body });
    await flushPromises();
    expect(find(w, "print-menu").text()).toContain("打印全部卷宗");
    const item = (code: string) => document.body.querySelector(`[data-test="print-${code}"]`);
    await vi.waitFor(() => expect(item("cover")?.textContent?.trim()).toBe("卷宗封面"));
    expect(item("agreement")).not.toBeNull();
    expect(item("dispute-ledger")).toBeNull();
    await (w.vm as any).print("agreement");
    await flushPromises();
    expect(api.print).toHaveBeenCalledWith({ document: "agreement", record_id: "c1", from: null, to: null });
    expect(find(w, "print-error").text()).toContain("U+31350");
    expect(document.body.querySelector('[data-test="print-preview-page"]')).toBeNull();
    w.unmount();
  });
});

describe("PrintButton for a released person", () => {
  it("says on the button which form its main half prints", async () => {
    const w = mount(PrintButton, { props: { input: "released", recordId: "r1" }, global: { plugins: global.plugins }, attachTo: document.body });
    await flushPromises();
    expect(find(w, "print-menu").text()).toContain("打印基本情况登记表");
    w.unmount();
  });
});

describe("BatchPrint", () => {
  const base: BatchStatus = { id: 7, total: 3, done: 0, current: "正在准备", items: [], finished: false, cancelled: false, output: null, error: null };

  it("is disabled with nothing ticked", () => {
    const w = mount(BatchPrint, { props: { caseIds: [] }, global });
    expect(find(w, "print-batch").attributes("disabled")).toBeDefined();
  });

  it("shows progress, lists the case that failed, and previews the one file of the others", async () => {
    api.printBatch.mockResolvedValue(base);
    api.printBatchStatus.mockResolvedValue({ ...base, done: 1, current: "正在排版 （2026）东山调字第2号 王𱍐、周强", items: [{ case_id: "a", label: "（2026）东山调字第1号 张伟、李娜", pages: 6, error: null }] });
    const w = mount(BatchPrint, { props: { caseIds: ["a", "b", "c"], pollMs: 1 }, global });
    expect(find(w, "print-batch").text()).toContain("（3件）");
    await find(w, "print-batch").trigger("click");
    await flushPromises();
    expect(api.printBatch).toHaveBeenCalledWith({ case_ids: ["a", "b", "c"] });
    await vi.waitFor(() => expect(find(w, "print-batch-now").text()).toContain("1/3 正在排版"));
    expect(find(w, "print-batch-progress").text()).toContain("33%");
    api.printBatchStatus.mockResolvedValue({
        ...base,
        done: 3,
        current: null,
        finished: true,
        items: [
          { case_id: "a", label: "（2026）东山调字第1号 张伟、李娜", pages: 6, error: null },
          { case_id: "b", label: "（2026）东山调字第2号 王𱍐、周强", pages: 0, error: "字符“𱍐”(U+31350)在所有字体中都不存在，无法打印" },
          { case_id: "c", label: "（2026）东山调字第3号 赵敏、钱进", pages: 6, error: null },
        ],
        output: { ...printed, title: "人民调解卷宗（2件）", pages: 12 },
      });
    await vi.waitFor(() => expect(find(w, "print-batch-now").text()).toContain("2件已生成，1件未能打印"));
    expect(find(w, "print-batch-failed").text()).toContain("王𱍐、周强");
    expect(find(w, "print-batch-failed").text()).toContain("U+31350");
    await find(w, "print-batch-preview").trigger("click");
    await flushPromises();
    expect(find(w, "print-preview-meta").text()).toContain("共12页");
  });

  it("取消 stops the batch and says nothing was written", async () => {
    api.printBatch.mockResolvedValue(base);
    api.printBatchStatus.mockResolvedValue({ ...base, done: 1 });
    api.printBatchCancel.mockResolvedValue({ ...base, done: 1 });
    const w = mount(BatchPrint, { props: { caseIds: ["a", "b", "c"], pollMs: 1 }, global });
    await find(w, "print-batch").trigger("click");
    await flushPromises();
    await find(w, "print-batch-cancel").trigger("click");
    await flushPromises();
    expect(api.printBatchCancel).toHaveBeenCalledWith(7);
    api.printBatchStatus.mockResolvedValue({ ...base, done: 1, finished: true, cancelled: true });
    await vi.waitFor(() => expect(find(w, "print-batch-now").text()).toContain("已取消，未生成文件"));
    expect(find(w, "print-batch-preview").exists()).toBe(false);
    w.unmount();
  });
});

describe("monthOf", () => {
  it("gives the month's first and last day", () => {
    expect(monthOf("2026-11-20")).toEqual(["2026-11-01", "2026-11-30"]);
    expect(monthOf("2028-02-03")).toEqual(["2028-02-01", "2028-02-29"]);
  });
});
