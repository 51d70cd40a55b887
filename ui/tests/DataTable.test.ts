import { describe, it, expect, beforeEach } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import ElementPlus from "element-plus";
import zhCn from "element-plus/es/locale/lang/zh-cn";
import DataTable from "@/components/DataTable.vue";

const columns = [
  { key: "case_no", label: "编号", sortable: true },
  { key: "title", label: "案由" },
  { key: "amount", label: "涉及金额", default: false },
];
const rows = [
  { id: "1", case_no: "（2026）东山调字第1号", title: "张伟与李娜相邻通行纠纷", amount: 100 },
  { id: "2", case_no: "（2026）东山调字第2号", title: "王芳与刘洋债务纠纷", amount: 200 },
];

function make(props = {}) {
  return mount(DataTable, {
    props: { rows, columns, total: 45, page: 1, pageSize: 20, storageKey: "test", ...props },
    global: { plugins: [[ElementPlus, { locale: zhCn }]] as any },
    attachTo: document.body,
  });
}

const headers = (w: ReturnType<typeof make>) => w.findAll("th .cell").map((c) => c.text());

describe("DataTable", () => {
  beforeEach(() => localStorage.clear());

  it("shows the default columns and the rows", async () => {
    const w = make();
    await flushPromises();
    expect(headers(w)).toEqual(["编号", "案由"]);
    expect(w.text()).toContain("张伟与李娜相邻通行纠纷");
    expect(w.text()).toContain("共 45 条");
  });

  it("lets the clerk choose columns and remembers the choice", async () => {
    const w = make();
    (w.vm as any).visible.push("amount");
    await flushPromises();
    expect(headers(w)).toEqual(["编号", "案由", "涉及金额"]);
    expect(JSON.parse(localStorage.getItem("fengqiao:columns:test")!)).toEqual(["case_no", "title", "amount"]);
    const again = make();
    await flushPromises();
    expect(headers(again)).toEqual(["编号", "案由", "涉及金额"]);
  });

  it("asks the server to sort and to page", async () => {
    const w = make();
    await flushPromises();
    const table = w.findComponent({ name: "ElTable" });
    table.vm.$emit("sort-change", { prop: "case_no", order: "ascending" });
    table.vm.$emit("sort-change", { prop: "case_no", order: null });
    expect(w.emitted("sort")).toEqual([["case_no", true], [null, false]]);
    const pager = w.findComponent({ name: "ElPagination" });
    pager.vm.$emit("current-change", 3);
    pager.vm.$emit("size-change", 50);
    expect(w.emitted("page")).toEqual([[3]]);
    expect(w.emitted("size")).toEqual([[50]]);
  });

  it("opens a row on double click", async () => {
    const w = make();
    await flushPromises();
    w.findComponent({ name: "ElTable" }).vm.$emit("row-dblclick", rows[1]);
    expect(w.emitted("open")).toEqual([[rows[1]]]);
  });
});
