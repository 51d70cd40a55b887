// Keyboard: Enter saves a form (not in a text area, a drop-down or while an input method is
// composing), Esc cancels, Ctrl+F focuses the screen's search box.

export function formKeys(onSave: () => void, onCancel?: () => void) {
  return (e: KeyboardEvent) => {
    const t = e.target as HTMLElement | null;
    if (e.key === "Enter" && !e.isComposing && !e.shiftKey && !e.ctrlKey && !e.altKey) {
      if (!t || t.tagName === "TEXTAREA" || t.tagName === "BUTTON") return;
      if (t.closest(".el-select, .el-date-editor, .el-cascader, .el-autocomplete")) return;
      e.preventDefault();
      onSave();
    } else if (e.key === "Escape" && onCancel) {
      e.preventDefault();
      onCancel();
    }
  };
}

/** Focuses the current screen's search box (`data-search` on it or on its wrapper). */
export function focusSearch(root: ParentNode = document): boolean {
  const el = root.querySelector<HTMLInputElement>("input[data-search], [data-search] input");
  if (!el) return false;
  el.focus();
  el.select();
  return true;
}
