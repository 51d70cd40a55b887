// A record edited in a dialog: validation as typed, a draft kept while it is open, Enter to
// save and Esc to cancel, the refused save's problems beside their fields.
import { ref, toRaw, type Ref } from "vue";
import { ElMessage } from "element-plus";
import { isAppError, messageOf } from "@/api";
import type { Kind } from "@/generated/Kind";
import { useDraft } from "./drafts";
import { useValidation } from "./validation";
import { formKeys } from "./keys";

export function useEditor<T extends object, R>(opts: {
  kind: Kind;
  blank: () => T;
  /** The draft's key for this record (new records share one key per form). */
  draftKey: (rec: T) => string;
  save: (rec: T) => Promise<R>;
  saved: (result: R) => void;
  /** Prefix of the record's fields in the command's problems (e.g. `record.`). */
  prefix?: string;
}) {
  const record = ref(opts.blank()) as Ref<T>;
  const visible = ref(false);
  const saving = ref(false);
  const restored = ref(false);
  const v = useValidation(opts.kind, record, { asFinal: true });
  let draft: ReturnType<typeof useDraft> | null = null;

  function open(rec?: T) {
    draft?.stop();
    record.value = JSON.parse(JSON.stringify(toRaw(rec ?? opts.blank())));
    draft = useDraft(opts.draftKey(record.value), record);
    restored.value = draft.restored.value;
    v.reset();
    visible.value = true;
  }

  function close() {
    draft?.clear();
    draft?.stop();
    draft = null;
    visible.value = false;
  }

  async function save() {
    if (saving.value) return;
    saving.value = true;
    try {
      const result = await opts.save(record.value);
      close();
      opts.saved(result);
      ElMessage.success("已保存");
    } catch (e) {
      if (isAppError(e)) v.refused(e, opts.prefix ?? "");
      ElMessage.error(messageOf(e));
    } finally {
      saving.value = false;
    }
  }

  return { record, visible, saving, restored, v, open, close, save, onKey: formKeys(save, close) };
}

/** A record edited in place (a tab's form): the same, with Esc reverting to the stored record. */
export function useInlineEditor<T extends object, R>(opts: {
  kind: Kind;
  /** The record as stored. */
  stored: () => T;
  draftKey: string;
  save: (rec: T) => Promise<R>;
  /** Takes the saved result; returns the record as now stored. */
  saved: (result: R) => T;
}) {
  const record = ref(opts.stored()) as Ref<T>;
  const draft = useDraft(opts.draftKey, record);
  const v = useValidation(opts.kind, record, { asFinal: true });
  const saving = ref(false);

  async function save() {
    if (saving.value) return;
    saving.value = true;
    try {
      const result = await opts.save(record.value);
      draft.clear();
      record.value = JSON.parse(JSON.stringify(opts.saved(result)));
      v.reset();
      ElMessage.success("已保存");
    } catch (e) {
      if (isAppError(e)) v.refused(e);
      ElMessage.error(messageOf(e));
    } finally {
      saving.value = false;
    }
  }
  function revert() {
    draft.clear();
    record.value = opts.stored();
    v.reset();
  }
  return { record, v, saving, draft, save, revert, onKey: formKeys(save, revert) };
}
