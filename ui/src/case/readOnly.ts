// When a case's tabs show its records without editing: the case is archived (立卷归档 closes
// the file), or the signed-in account may not edit (只读). The server refuses edits either way;
// this keeps the buttons from being offered.
import { can } from "@/lib/auth";

export function caseReadOnly(status: string | null | undefined): boolean {
  return status === "archived" || !can("edit");
}
