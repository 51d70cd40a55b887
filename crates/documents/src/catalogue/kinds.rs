//! Every document the catalogue makes, with a stable code, its Chinese name and the record it
//! is made from — what `fengqiao-cli render --list` prints and what the app's 打印 menus offer.

/// What a document is made from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// A dispute case (`dispute_case` id).
    Case,
    /// A screening round (`screening_round` id).
    Round,
    /// A released person's file (`released_person` id).
    Released,
    /// A period (`--from`, `--to`), no record.
    Period,
}

impl Input {
    /// What to pass, as the CLI's list says it.
    pub fn label(self) -> &'static str {
        match self {
            Input::Case => "纠纷案件编号（dispute_case id）",
            Input::Round => "排查编号（screening_round id）",
            Input::Released => "安置帮教对象编号（released_person id）",
            Input::Period => "期间（--from 日期 --to 日期）",
        }
    }
}

macro_rules! doc_kinds {
    ($($variant:ident = $code:literal, $name:literal, $input:ident;)+) => {
        /// A document of the catalogue.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum DocKind { $($variant),+ }

        impl DocKind {
            /// Every document, case file first, in 卷宗 order, then the other families.
            pub const ALL: &'static [DocKind] = &[$(DocKind::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $(DocKind::$variant => $code),+ }
            }

            pub fn name(self) -> &'static str {
                match self { $(DocKind::$variant => $name),+ }
            }

            pub fn input(self) -> Input {
                match self { $(DocKind::$variant => Input::$input),+ }
            }
        }
    };
}

doc_kinds! {
    CaseFile = "case-file", "人民调解卷宗（全卷）", Case;
    Cover = "cover", "卷宗封面", Case;
    Contents = "contents", "卷内目录", Case;
    Application = "application", "人民调解申请书", Case;
    IntakeRegister = "intake-register", "人民调解受理登记表", Case;
    RightsNotice = "rights-notice", "人民调解当事人权利义务告知书", Case;
    Investigation = "investigation", "人民调解调查记录", Case;
    Session = "session", "人民调解记录", Case;
    Agreement = "agreement", "人民调解协议书", Case;
    OralAgreement = "oral-agreement", "人民调解口头协议登记表", Case;
    ReturnVisit = "return-visit", "人民调解回访记录", Case;
    JudicialConfirmation = "judicial-confirmation", "司法确认申请书", Case;
    CaseNotes = "case-notes", "卷宗情况说明", Case;
    BackCover = "back-cover", "封底（卷内备考表）", Case;
    DisputeLedger = "dispute-ledger", "人民调解纠纷台账", Period;
    Statistics = "statistics", "人民调解案件情况统计表", Period;
    ScreeningLedger = "screening-ledger", "矛盾纠纷排查登记台账", Period;
    ZeroReport = "zero-report", "矛盾纠纷排查零报告", Round;
    ReleasedRegister = "released-register", "刑满释放人员基本情况登记表", Released;
    HelpAgreement = "help-agreement", "刑满释放人员帮教协议书", Released;
    HelpRecord = "help-record", "刑满释放人员帮教记录", Released;
    HandoverSheet = "handover-sheet", "刑满释放人员衔接工作交接单", Released;
}

impl DocKind {
    /// By code (`agreement`) or by Chinese name, whole (`人民调解协议书`) or without the
    /// usual prefix (`协议书`, `交接单`).
    pub fn find(s: &str) -> Option<DocKind> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let bare = |n: &'static str| n.trim_start_matches("人民调解").trim_start_matches("刑满释放人员").trim_start_matches("矛盾纠纷");
        DocKind::ALL
            .iter()
            .copied()
            .find(|k| k.code().eq_ignore_ascii_case(s) || k.name() == s)
            .or_else(|| DocKind::ALL.iter().copied().find(|k| bare(k.name()) == s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_found() {
        let mut seen = std::collections::HashSet::new();
        for k in DocKind::ALL {
            assert!(seen.insert(k.code()), "{}", k.code());
            assert!(seen.insert(k.name()), "{}", k.name());
            assert_eq!(DocKind::find(k.code()), Some(*k));
            assert_eq!(DocKind::find(k.name()), Some(*k));
        }
        assert_eq!(DocKind::find("协议书"), Some(DocKind::Agreement));
        assert_eq!(DocKind::find("交接单"), None);
        assert_eq!(DocKind::find("衔接工作交接单"), Some(DocKind::HandoverSheet));
        assert_eq!(DocKind::find("AGREEMENT"), Some(DocKind::Agreement));
        assert_eq!(DocKind::find("报告"), None);
    }
}
