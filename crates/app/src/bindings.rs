//! TypeScript for the UI, generated from these types (ts-rs) so nothing is written twice: the
//! commands' inputs and outputs with the model's records, the code lists with their Chinese
//! labels (`codes.ts`), and a blank of every record as `Default` makes it (`blank.ts`).

use std::path::Path;

use fengqiao_model::*;
use serde::Serialize;
use ts_rs::{Config, TS};

use crate::*;

const HEADER: &str =
    "// Generated from Rust by fengqiao-app (FENGQIAO_WRITE_BINDINGS=1 cargo test -p fengqiao-app --features ts --test bindings). Do not edit.\n";

/// Writes every binding into `dir` (which is emptied of `.ts` files first).
pub fn export(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|x| x == "ts") {
            std::fs::remove_file(&path).map_err(|e| e.to_string())?;
        }
    }
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    macro_rules! export_all {
        ($($t:ty),* $(,)?) => { $( <$t as TS>::export_all(&cfg).map_err(|e| format!("{}: {e}", stringify!($t)))?; )* };
    }
    export_all!(
        AppError,
        setup::AppStatus,
        setup::FirstRunInput,
        setup::JoinInput,
        setup::JoinedOffice,
        setup::CompleteOfficeInput,
        accounts::AccountView,
        accounts::Abilities,
        accounts::SignInInput,
        accounts::RecoveryResetInput,
        accounts::NewAccountInput,
        accounts::AccountChangeInput,
        accounts::SetPasswordInput,
        accounts::ChangePasswordInput,
        audit_log::AuditQuery,
        audit_log::AuditLine,
        audit_log::AuditLogView,
        backup::BackupInput,
        backup::BackupDone,
        backup::BackupFileInput,
        backup::BackupSummary,
        settings::SettingsView,
        settings::StaffInput,
        settings::StaffMember,
        crate::sync::SyncIndicator,
        crate::sync::SyncOverview,
        crate::sync::EnrollInput,
        dashboard::Dashboard,
        dashboard::DashboardReminders,
        about::About,
        about::LogFile,
        cases::LedgerQuery,
        cases::LedgerPage,
        cases::CaseView,
        cases::CaseUpdate,
        cases::PartyInput,
        cases::IntakeInput,
        cases::InvestigationInput,
        cases::CaseRecordRef,
        cases::TransitionInput,
        crate::screening::RoundQuery,
        crate::screening::RoundPage,
        crate::screening::RoundUpdate,
        crate::screening::ZeroReportInput,
        crate::screening::OpenCaseInput,
        crate::released::ReleasedQuery,
        crate::released::ReleasedPage,
        crate::released::ReleasedView,
        crate::released::ReleasedInput,
        crate::released::ReleaseFromHelpInput,
        crate::privacy::RevealInput,
        crate::privacy::PersonalNumbers,
        statistics::StatisticsView,
        statistics::PeriodInput,
        crate::print::PrintableDocument,
        crate::print::PrintInput,
        crate::print::Printed,
        crate::print::BatchInput,
        crate::print::BatchStatus,
        idcheck::IdCheck,
        crate::validate::ValidateInput,
        Issues,
        reminders::RecordRemindersInput,
        reminders::AcknowledgeInput,
        reminders::SnoozeInput,
        reminders::ReminderQuery,
        reminders::ReminderPage,
        reminders::ReminderSettingsPage,
        reminders::ReminderSettingsView,
        reminders::DailyNotification,
        excel::ImportInput,
        excel::ImportPreview,
        excel::ImportResult,
        excel::ExportInput,
        excel::ExportResult,
        Organization,
        Mediator,
        Person,
        LegalEntity,
        DisputeCase,
        CaseParty,
        InvestigationRecord,
        MediationSession,
        Agreement,
        ReturnVisit,
        ScreeningRound,
        ScreeningItem,
        FieldVisit,
        ReleasedPerson,
        HelpGroup,
        HelpVisit,
        AssessmentChange,
        HandoverEvent,
        Kind,
    );
    std::fs::write(dir.join("codes.ts"), codes_ts()).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("blank.ts"), blank_ts()).map_err(|e| e.to_string())?;
    Ok(())
}

fn codes_ts() -> String {
    let mut out = String::from(HEADER);
    out.push_str(
        "\n/** Every code list of the model: its Chinese title and its codes with labels, in the official order. */\nexport const codes = {\n",
    );
    macro_rules! lists {
        ($($t:ident),* $(,)?) => {$(
            let items: Vec<serde_json::Value> =
                $t::ALL.iter().map(|v| serde_json::json!({ "code": v.code(), "label": v.label() })).collect();
            out.push_str(&format!(
                "  {}: {{ title: {}, items: {} }},\n",
                stringify!($t),
                serde_json::to_string($t::TITLE).expect("a title serializes"),
                serde_json::to_string(&items).expect("codes serialize"),
            ));
        )*};
    }
    lists!(
        OrgType,
        CommitteeType,
        MediatorRole,
        Gender,
        IdType,
        Ethnicity,
        Education,
        MaritalStatus,
        PopulationType,
        DisputeType,
        CaseSource,
        ReferralType,
        AgreementForm,
        CaseStatus,
        MediationResult,
        PerformanceStatus,
        EscalationRisk,
        Alternative,
        Retention,
        PartyRole,
        IntervieweeRelation,
        SignatureStatus,
        SessionOutcome,
        JcStatus,
        JcResult,
        ReturnVisitMethod,
        Satisfaction,
        PeriodType,
        ScreeningMethod,
        RiskLevel,
        Disposition,
        ItemStatus,
        VisitSubjectType,
        FieldVisitMethod,
        AssessmentType,
        HandoverMethod,
        HandoverStatus,
        ResettlementMethod,
        CrimeCategory,
        PrisonType,
        ReleaseType,
        Assistance,
        HelpStatus,
        PersonFlag,
        HelpGroupRole,
        HelpVisitType,
        HelpTopic,
        HandoverEventKind,
        Kind,
    );
    out.push_str("} as const;\n\nexport type CodeList = keyof typeof codes;\n");
    out
}

fn blank_ts() -> String {
    let mut imports = String::new();
    let mut body = String::new();
    fn one<T: Default + Serialize>(name: &str, imports: &mut String, body: &mut String) {
        imports.push_str(&format!("import type {{ {name} }} from \"./{name}\";\n"));
        let json = serde_json::to_string_pretty(&T::default()).expect("a default record serializes");
        body.push_str(&format!("\n/** A new {name}, as Rust's `Default` makes it. */\nexport const blank{name} = (): {name} => ({json});\n"));
    }
    macro_rules! blanks {
        ($($t:ident),* $(,)?) => {$( one::<$t>(stringify!($t), &mut imports, &mut body); )*};
    }
    blanks!(
        Organization,
        Mediator,
        Person,
        LegalEntity,
        DisputeCase,
        CaseParty,
        InvestigationRecord,
        MediationSession,
        Agreement,
        ReturnVisit,
        ScreeningRound,
        ScreeningItem,
        FieldVisit,
        ReleasedPerson,
        HelpGroup,
        HelpVisit,
        AssessmentChange,
        HandoverEvent,
    );
    format!("{HEADER}\n{imports}{body}")
}
