// Validation as the clerk types, with the model's own rules and messages: the form's record
// goes to `validate_record` (debounced) and each problem is shown beside its field. A field
// shows its problem once it was changed, or after a save was tried; a refused save's problems
// are shown at once.
import { nextTick, reactive, ref, watch, type Ref } from "vue";
import { api, type AppError } from "@/api";
import type { Kind } from "@/generated/Kind";
import type { FieldIssue } from "@/generated/FieldIssue";

export type Validation = ReturnType<typeof useValidation>;

function topKey(field: string): string {
  return field.split(/[.[]/)[0];
}

export function useValidation<T extends object>(
  kind: Kind,
  record: Ref<T>,
  opts: { asFinal?: boolean; debounceMs?: number } = {},
) {
  const live = reactive<Record<string, string>>({});
  const warnings = reactive<Record<string, string>>({});
  const server = reactive<Record<string, string>>({});
  const touched = reactive(new Set<string>());
  const submitted = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last: Record<string, string> = snapshot(record.value);
  let seq = 0;

  function snapshot(v: T): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) out[k] = JSON.stringify(val);
    return out;
  }

  function fill(target: Record<string, string>, issues: FieldIssue[]) {
    for (const k of Object.keys(target)) delete target[k];
    for (const i of issues) if (!(i.field in target)) target[i.field] = i.message;
  }

  async function check(): Promise<FieldIssue[]> {
    const mine = ++seq;
    try {
      const issues = await api.validate({ kind, record: record.value, as_final: !!opts.asFinal });
      if (mine === seq) {
        fill(live, issues.errors);
        fill(warnings, issues.warnings);
      }
      return issues.errors;
    } catch {
      return [];
    }
  }

  watch(
    record,
    (v) => {
      const now = snapshot(v);
      for (const k of Object.keys(now)) {
        if (now[k] !== last[k]) {
          touched.add(k);
          // A field the clerk changed no longer carries the refused save's message.
          for (const f of Object.keys(server)) if (topKey(f) === k) delete server[f];
        }
      }
      last = now;
      clearTimeout(timer);
      timer = setTimeout(check, opts.debounceMs ?? 250);
    },
    { deep: true },
  );

  return {
    live,
    warnings,
    server,
    submitted,
    check,
    /** The message to show beside `field` (a path like `title` or `parties[0].person.name`). */
    error(field: string): string | undefined {
      if (server[field]) return server[field];
      const m = live[field];
      if (!m) return undefined;
      return submitted.value || touched.has(topKey(field)) ? m : undefined;
    },
    warning(field: string): string | undefined {
      return warnings[field];
    },
    /** Shows a refused save's problems; `prefix` is stripped (`person.` for a person form). */
    refused(e: AppError, prefix = "") {
      submitted.value = true;
      for (const k of Object.keys(server)) delete server[k];
      for (const i of e.issues) {
        const f = prefix && i.field.startsWith(prefix) ? i.field.slice(prefix.length) : i.field;
        if (!(f in server)) server[f] = i.message;
      }
      scrollToFirstError();
    },
    reset() {
      submitted.value = false;
      touched.clear();
      for (const k of Object.keys(server)) delete server[k];
      last = snapshot(record.value);
    },
  };
}

/** Brings the first field marked wrong into view (after the marks are drawn). */
export function scrollToFirstError() {
  nextTick(() => {
    const el = document.querySelector(".el-form-item.is-error");
    if (el && "scrollIntoView" in el) el.scrollIntoView({ block: "center", behavior: "smooth" });
  });
}
