use fengqiao_store::Store;
use serde::Serialize;
use crate::CliError;

pub struct DemoOptions { pub disputes: usize, pub released: usize, pub screenings: usize, pub seed: u64 }
pub struct Progress;
impl Progress { pub fn line(&self) -> String { String::new() } }
#[derive(Serialize)]
pub struct DemoReport;
impl DemoReport { pub fn summary(&self) -> String { String::new() } }
pub fn generate(_s: &mut Store, _o: &DemoOptions, _p: impl FnMut(&Progress)) -> Result<DemoReport, CliError> { Ok(DemoReport) }
