//! Online backup to a file and restore from one. The backup is a consistent snapshot taken
//! while the store stays usable; a restore checks the file before anything is replaced.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::{schema, Result, Store, StoreError};

impl Store {
    /// Writes a consistent copy of the store to `out` (replacing nothing that exists).
    pub fn backup(&mut self, out: &Path) -> Result<()> {
        self.require_permission(crate::Permission::Administer)?;
        if out.exists() {
            return Err(StoreError::Rule(format!("备份文件{}已存在，请换一个文件名", out.display())));
        }
        self.conn.execute("VACUUM INTO ?1", [out.to_string_lossy()])?;
        let summary = format!("备份到{}", out.display());
        self.write(crate::records::Mode::Edit, |w| w.audit("backup", fengqiao_model::Kind::Organization, w.office, &summary, None))?;
        Ok(())
    }

    /// Replaces the store's content with a backup, after checking that the file is a sound
    /// Fengqiao store of this office and not newer than this program.
    pub fn restore(&mut self, from: &Path) -> Result<()> {
        self.require_permission(crate::Permission::Administer)?;
        let src =
            Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| StoreError::Corrupt(format!("无法打开备份文件：{e}")))?;
        let check: String =
            src.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| StoreError::Corrupt(format!("备份文件不是有效的数据库：{e}")))?;
        if check != "ok" {
            return Err(StoreError::Corrupt(format!("备份文件已损坏：{check}")));
        }
        let version: i64 = src.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > schema::current_version() {
            return Err(StoreError::NewerSchema { found: version, supported: schema::current_version() });
        }
        let office: String = src
            .query_row("SELECT value FROM settings WHERE key = 'office_id'", [], |r| r.get(0))
            .map_err(|_| StoreError::Corrupt("备份文件不是枫桥司法所工作台的数据库".into()))?;
        if office != self.office_id.to_string() {
            return Err(StoreError::Rule("备份文件属于另一个司法所，不能恢复到本所的数据库".into()));
        }
        drop(src);
        self.conn.restore(rusqlite::MAIN_DB, from, None::<fn(rusqlite::backup::Progress)>)?;
        schema::migrate(&mut self.conn)?;
        let summary = format!("从{}恢复", from.display());
        self.write(crate::records::Mode::Edit, |w| w.audit("restore", fengqiao_model::Kind::Organization, w.office, &summary, None))?;
        Ok(())
    }
}
