// Typed calls into the desktop shell. Every command is a one-line adapter into fengqiao-app;
// its input and output types are generated from Rust (src/generated). A refusal arrives as an
// AppError {code, message, issues, reasons}.
import { invoke } from "@tauri-apps/api/core";
import type { AppError } from "./generated/AppError";
import type { AppStatus } from "./generated/AppStatus";
import type { FirstRunInput } from "./generated/FirstRunInput";
import type { JoinInput } from "./generated/JoinInput";
import type { JoinedOffice } from "./generated/JoinedOffice";
import type { CompleteOfficeInput } from "./generated/CompleteOfficeInput";
import type { Dashboard } from "./generated/Dashboard";
import type { DashboardReminders } from "./generated/DashboardReminders";
import type { About } from "./generated/About";
import type { LedgerQuery } from "./generated/LedgerQuery";
import type { LedgerPage } from "./generated/LedgerPage";
import type { CaseView } from "./generated/CaseView";
import type { CaseUpdate } from "./generated/CaseUpdate";
import type { IntakeInput } from "./generated/IntakeInput";
import type { DisputeCase } from "./generated/DisputeCase";
import type { PartyInput } from "./generated/PartyInput";
import type { InvestigationInput } from "./generated/InvestigationInput";
import type { MediationSession } from "./generated/MediationSession";
import type { Agreement } from "./generated/Agreement";
import type { ReturnVisit } from "./generated/ReturnVisit";
import type { CaseRecordRef } from "./generated/CaseRecordRef";
import type { TransitionInput } from "./generated/TransitionInput";
import type { RoundQuery } from "./generated/RoundQuery";
import type { RoundPage } from "./generated/RoundPage";
import type { RoundFile } from "./generated/RoundFile";
import type { RoundUpdate } from "./generated/RoundUpdate";
import type { ScreeningRound } from "./generated/ScreeningRound";
import type { ScreeningItem } from "./generated/ScreeningItem";
import type { ZeroReportInput } from "./generated/ZeroReportInput";
import type { OpenCaseInput } from "./generated/OpenCaseInput";
import type { ReleasedQuery } from "./generated/ReleasedQuery";
import type { ReleasedPage } from "./generated/ReleasedPage";
import type { ReleasedView } from "./generated/ReleasedView";
import type { ReleasedInput } from "./generated/ReleasedInput";
import type { HelpGroup } from "./generated/HelpGroup";
import type { HelpVisit } from "./generated/HelpVisit";
import type { HandoverEvent } from "./generated/HandoverEvent";
import type { AssessmentChange } from "./generated/AssessmentChange";
import type { ReleaseFromHelpInput } from "./generated/ReleaseFromHelpInput";
import type { StatisticsView } from "./generated/StatisticsView";
import type { PeriodInput } from "./generated/PeriodInput";
import type { PrintableDocument } from "./generated/PrintableDocument";
import type { PrintInput } from "./generated/PrintInput";
import type { Printed } from "./generated/Printed";
import type { BatchInput } from "./generated/BatchInput";
import type { BatchStatus } from "./generated/BatchStatus";
import type { SettingsView } from "./generated/SettingsView";
import type { Organization } from "./generated/Organization";
import type { Mediator } from "./generated/Mediator";
import type { StaffInput } from "./generated/StaffInput";
import type { IdCheck } from "./generated/IdCheck";
import type { ValidateInput } from "./generated/ValidateInput";
import type { Issues } from "./generated/Issues";
import type { EnrollInput } from "./generated/EnrollInput";
import type { SyncIndicator } from "./generated/SyncIndicator";
import type { SyncOverview } from "./generated/SyncOverview";
import type { ReminderItem } from "./generated/ReminderItem";
import type { RecordRemindersInput } from "./generated/RecordRemindersInput";
import type { ReminderQuery } from "./generated/ReminderQuery";
import type { ReminderPage } from "./generated/ReminderPage";
import type { AcknowledgeInput } from "./generated/AcknowledgeInput";
import type { SnoozeInput } from "./generated/SnoozeInput";
import type { ReminderSettingsPage } from "./generated/ReminderSettingsPage";
import type { ReminderSettingsView } from "./generated/ReminderSettingsView";
import type { ImportInput } from "./generated/ImportInput";
import type { ImportPreview } from "./generated/ImportPreview";
import type { ImportResult } from "./generated/ImportResult";
import type { ExportInput } from "./generated/ExportInput";
import type { ExportResult } from "./generated/ExportResult";
import type { AccountView } from "./generated/AccountView";
import type { SignInInput } from "./generated/SignInInput";
import type { RecoveryResetInput } from "./generated/RecoveryResetInput";
import type { NewAccountInput } from "./generated/NewAccountInput";
import type { AccountChangeInput } from "./generated/AccountChangeInput";
import type { SetPasswordInput } from "./generated/SetPasswordInput";
import type { ChangePasswordInput } from "./generated/ChangePasswordInput";
import type { AuditQuery } from "./generated/AuditQuery";
import type { AuditLogView } from "./generated/AuditLogView";
import type { BackupInput } from "./generated/BackupInput";
import type { BackupDone } from "./generated/BackupDone";
import type { BackupFileInput } from "./generated/BackupFileInput";
import type { BackupSummary } from "./generated/BackupSummary";
import type { RevealInput } from "./generated/RevealInput";
import type { PersonalNumbers } from "./generated/PersonalNumbers";

export type { AppError };

/** Whether a thrown value is a command's refusal (rather than a bug). */
export function isAppError(e: unknown): e is AppError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

/** The Chinese message of anything thrown. */
export function messageOf(e: unknown): string {
  if (isAppError(e)) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Codes that mean the window is no longer signed in as it was (the lock, or no sign-in). */
const SIGNED_OUT_CODES = ["locked", "signed_out"];
let onSignedOut: ((e: AppError) => void) | null = null;

/** Who hears, once for every command, that one was refused as locked or signed out (the window
 * then reloads its status, and the lock screen or the sign-in appears). */
export function whenSignedOut(handler: ((e: AppError) => void) | null) {
  onSignedOut = handler;
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    if (isAppError(e)) {
      if (SIGNED_OUT_CODES.includes(e.code)) onSignedOut?.(e);
      throw e;
    }
    throw { code: "internal", message: `程序内部错误：${messageOf(e)}`, issues: [], reasons: [] } satisfies AppError;
  }
}

// Inputs are `Partial<…>` where Rust fills the rest with its defaults (`#[serde(default)]`).
export const api = {
  appStatus: () => call<AppStatus>("app_status"),
  firstRun: (input: FirstRunInput) => call<AppStatus>("first_run", { input }),
  /** 加入已登记的司法所: enrolls with the county's one-time code; the records come with the sync. */
  joinOffice: (input: JoinInput) => call<AppStatus>("join_office", { input }),
  joinedOffice: () => call<JoinedOffice>("joined_office"),
  completeJoinedOffice: (input: CompleteOfficeInput) => call<AppStatus>("complete_joined_office", { input }),
  dashboard: () => call<Dashboard>("dashboard"),
  dashboardReminders: () => call<DashboardReminders>("dashboard_reminders"),
  about: () => call<About>("about"),
  openLogs: () => call<void>("open_logs"),

  listCases: (input: Partial<LedgerQuery>) => call<LedgerPage>("list_cases", { input }),
  getCase: (id: string) => call<CaseView>("get_case", { id }),
  createCase: (input: IntakeInput) => call<CaseUpdate>("create_case", { input }),
  saveCase: (input: DisputeCase) => call<CaseUpdate>("save_case", { input }),
  deleteCase: (id: string) => call<null>("delete_case", { id }),
  saveParty: (input: PartyInput) => call<CaseUpdate>("save_party", { input }),
  saveInvestigation: (input: InvestigationInput) => call<CaseUpdate>("save_investigation", { input }),
  saveSession: (input: MediationSession) => call<CaseUpdate>("save_session", { input }),
  saveAgreement: (input: Agreement) => call<CaseUpdate>("save_agreement", { input }),
  saveReturnVisit: (input: ReturnVisit) => call<CaseUpdate>("save_return_visit", { input }),
  deleteCaseRecord: (input: CaseRecordRef) => call<CaseView>("delete_case_record", { input }),
  transition: (input: Partial<TransitionInput> & Pick<TransitionInput, "case_id" | "to">) =>
    call<CaseView>("transition_case", { input }),

  listRounds: (input: Partial<RoundQuery>) => call<RoundPage>("list_rounds", { input }),
  getRound: (id: string) => call<RoundFile>("get_round", { id }),
  saveRound: (input: ScreeningRound) => call<RoundUpdate>("save_round", { input }),
  saveItem: (input: ScreeningItem) => call<RoundUpdate>("save_item", { input }),
  deleteItem: (id: string) => call<RoundFile>("delete_item", { id }),
  zeroReport: (input: Partial<ZeroReportInput>) => call<RoundUpdate>("zero_report", { input }),
  openCaseFromItem: (input: Partial<OpenCaseInput> & Pick<OpenCaseInput, "item_id">) =>
    call<CaseView>("open_case_from_item", { input }),

  listReleased: (input: Partial<ReleasedQuery>) => call<ReleasedPage>("list_released", { input }),
  getReleased: (id: string) => call<ReleasedView>("get_released", { id }),
  saveReleased: (input: ReleasedInput) => call<ReleasedView>("save_released", { input }),
  saveHelpGroup: (input: HelpGroup) => call<ReleasedView>("save_help_group", { input }),
  saveHelpVisit: (input: HelpVisit) => call<ReleasedView>("save_help_visit", { input }),
  saveHandoverEvent: (input: HandoverEvent) => call<ReleasedView>("save_handover_event", { input }),
  saveAssessmentChange: (input: AssessmentChange) => call<ReleasedView>("save_assessment_change", { input }),
  releaseFromHelp: (input: ReleaseFromHelpInput) => call<ReleasedView>("release_from_help", { input }),

  statistics: (input: PeriodInput) => call<StatisticsView>("statistics", { input }),

  printDocuments: () => call<PrintableDocument[]>("print_documents"),
  print: (input: PrintInput) => call<Printed>("print", { input }),
  printBatch: (input: BatchInput) => call<BatchStatus>("print_batch", { input }),
  printBatchStatus: (id: number) => call<BatchStatus>("print_batch_status", { id }),
  printBatchCancel: (id: number) => call<BatchStatus>("print_batch_cancel", { id }),
  /** The PDF in the system's viewer (the shell's tauri-plugin-opener). */
  openPrint: (fileName: string) => call<null>("open_print", { fileName }),

  settings: () => call<SettingsView>("settings"),
  saveOrganization: (input: Organization) => call<SettingsView>("save_organization", { input }),
  saveMediator: (input: Mediator) => call<SettingsView>("save_mediator", { input }),
  deleteMediator: (id: string) => call<SettingsView>("delete_mediator", { id }),
  saveStaff: (input: StaffInput) => call<SettingsView>("save_staff", { input }),
  setCountyServer: (server: string | null) => call<SettingsView>("set_county_server", { server }),
  enroll: (input: EnrollInput) => call<SettingsView>("enroll", { input }),
  syncStatus: () => call<SyncIndicator>("sync_status"),
  syncOverview: () => call<SyncOverview>("sync_overview"),
  syncNow: () => call<SyncIndicator>("sync_now"),

  checkIdNumber: (input: string) => call<IdCheck>("check_id_number", { input }),
  validate: (input: ValidateInput) => call<Issues>("validate_record", { input }),

  listReminders: (input: Partial<ReminderQuery>) => call<ReminderPage>("list_reminders", { input }),
  recordReminders: (input: RecordRemindersInput) => call<ReminderItem[]>("record_reminders", { input }),
  acknowledgeReminder: (input: AcknowledgeInput) => call<ReminderItem>("acknowledge_reminder", { input }),
  snoozeReminder: (input: SnoozeInput) => call<ReminderItem>("snooze_reminder", { input }),
  reminderSettings: () => call<ReminderSettingsPage>("reminder_settings"),
  saveReminderSettings: (input: ReminderSettingsView) => call<ReminderSettingsPage>("save_reminder_settings", { input }),

  importPreview: (input: ImportInput) => call<ImportPreview>("import_preview", { input }),
  importCommit: (token: number) => call<ImportResult>("import_commit", { token }),
  importCancel: (token: number) => call<null>("import_cancel", { token }),
  exportXlsx: (input: ExportInput) => call<ExportResult>("export_xlsx", { input }),

  // 登录与账号 (an office whose data is encrypted).
  signIn: (input: SignInInput) => call<AppStatus>("sign_in", { input }),
  lockWindow: () => call<AppStatus>("lock_window"),
  /** The signed-in account's name unlocks; another account's name switches to it. */
  unlock: (input: SignInInput) => call<AppStatus>("unlock", { input }),
  /** 忘记密码: the printed recovery key sets a new password and signs in. */
  resetWithRecovery: (input: RecoveryResetInput) => call<AppStatus>("reset_with_recovery", { input }),
  /** An office made before accounts: its 所长 account, and the data encrypted. */
  secureOffice: (input: NewAccountInput) => call<AppStatus>("secure_office", { input }),
  acknowledgeRecoveryKey: () => call<AppStatus>("acknowledge_recovery_key"),
  listAccounts: () => call<AccountView[]>("list_accounts"),
  addAccount: (input: NewAccountInput) => call<AccountView>("add_account", { input }),
  changeAccount: (input: AccountChangeInput) => call<AccountView>("change_account", { input }),
  setAccountPassword: (input: SetPasswordInput) => call<null>("set_account_password", { input }),
  changeOwnPassword: (input: ChangePasswordInput) => call<null>("change_own_password", { input }),
  setIdleLockMinutes: (minutes: number) => call<AppStatus>("set_idle_lock_minutes", { minutes }),

  /** 审计日志 (所长): a page of the office's log, newest first, the chain checked. */
  auditLog: (input: Partial<AuditQuery>) => call<AuditLogView>("audit_log", { input }),
  /** 备份 (所长): the office's data into a file encrypted with the 备份密码 typed twice. */
  backupOffice: (input: BackupInput) => call<BackupDone>("backup_office", { input }),
  /** What a backup file holds (read with its 备份密码), shown before the restore. */
  backupInfo: (input: BackupFileInput) => call<BackupSummary>("backup_info", { input }),
  /** 恢复 (所长): the office's data replaced by the backup's. */
  restoreOffice: (input: BackupFileInput) => call<BackupSummary>("restore_office", { input }),
  /** One record's whole ID and phone numbers (recorded in the audit log). */
  revealPersonal: (input: RevealInput) => call<PersonalNumbers>("reveal_personal", { input }),
};
