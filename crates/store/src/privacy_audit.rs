//! Audit entries for personal data seen or taken out without any record changing: a released
//! person's file opened with the full ID and phone numbers, a number shown on demand, a print,
//! an export. Any signed-in account is recorded, 只读 included: this is bookkeeping, not an
//! edit, so it goes past the role check of `write`.

use fengqiao_model::Kind;
use uuid::Uuid;

use crate::records::Mode;
use crate::{Result, Store};

impl Store {
    /// Writes one audit entry (`action` such as `unmask`, `print`, `export`) about the record
    /// `kind`/`id`, by the signed-in account, chained like every other entry.
    pub fn record_access(&mut self, action: &str, kind: Kind, id: Uuid, summary: &str) -> Result<()> {
        self.write_unchecked(Mode::Edit, |w| w.audit(action, kind, id, summary, None))
    }
}
