// A 只读 account sees a case's records without the editing buttons: no workflow steps, no
// 新增/编辑 in the tabs (the server refuses those anyway, see crates/app/tests/accounts.rs).
import { describe, it, expect, afterEach } from "vitest";
import { mount } from "@vue/test-utils";
import WorkflowBar from "@/case/WorkflowBar.vue";
import { caseReadOnly } from "@/case/readOnly";
import { session } from "@/lib/session";
import { all, clerk, global, status } from "./shell";

const readonlyAccount = () =>
  status({ account: { ...clerk, name: "chakan", display_name: "赵查看", role: "readonly", role_label: "只读" }, can: { ...all, edit: false, administer: false } });

const view = {
  file: { id: "0190a1b2-0000-7000-8000-00000000c001", status: "accepted", parties: [] },
  actions: [{ to: "mediating", verb: "开始调解", allowed: true, reasons: [], needs: [] }],
} as any;

afterEach(() => {
  session.status = null as any;
  document.body.innerHTML = "";
});

describe("a case for an account that may not edit", () => {
  it("is read-only in every tab, as an archived case is", () => {
    session.status = status();
    expect(caseReadOnly("accepted")).toBe(false);
    expect(caseReadOnly("archived")).toBe(true);
    session.status = readonlyAccount();
    expect(caseReadOnly("accepted")).toBe(true);
  });

  it("offers no workflow step to 只读, and says why", () => {
    session.status = status();
    const editing = mount(WorkflowBar, { props: { view }, global });
    expect(editing.find('[data-test="action-mediating"]').exists()).toBe(true);
    editing.unmount();

    session.status = readonlyAccount();
    const reading = mount(WorkflowBar, { props: { view }, global });
    expect(reading.find('[data-test="action-mediating"]').exists()).toBe(false);
    expect(reading.text()).toContain("只读账号：只能查看本案");
    expect(reading.text()).not.toContain("本案已是最终状态");
    reading.unmount();
  });
});
