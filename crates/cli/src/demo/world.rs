//! The township the demo data lives in: its villages and communities, its mediation
//! committees with their mediators, and the office's staff. Committees and mediators already
//! in the store are reused, so a second run numbers its cases after the first's.

use std::collections::HashMap;

use chrono::Duration;
use fengqiao_model::*;
use fengqiao_store::Store;
use uuid::Uuid;

use super::gen::Gen;
use super::people::{self, PersonSpec};
use super::words::*;
use crate::CliError;

pub struct Village {
    pub name: String,
    /// 12-digit NBS code.
    pub code: String,
    pub community: bool,
    /// 村(居)委会主任, who signs the zero reports.
    pub head: String,
    /// 网格员 / 信息员.
    pub gridder: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Township,
    Village(usize),
    Enterprise,
    Traffic,
    Medical,
}

pub struct Committee {
    pub id: Uuid,
    pub role: Role,
    /// 编号代字 of its case numbers.
    pub prefix: String,
    pub mediators: Vec<(Uuid, String)>,
}

pub struct World {
    pub office_id: Uuid,
    pub town: String,
    pub county_code: String,
    /// The county's name (丰泽区), empty when its code is not one of [`COUNTIES`].
    pub county_name: String,
    /// The prefecture (泉州市), empty likewise.
    pub city: String,
    pub township_code: String,
    pub villages: Vec<Village>,
    pub committees: Vec<Committee>,
    /// The office's staff (account names for `created_by`, 立卷人, 帮教小组 …).
    pub staff: Vec<String>,
}

impl Village {
    /// 村委会 / 居委会 of the village or community.
    pub fn council(&self) -> String {
        let short = self.name.trim_end_matches("社区").trim_end_matches('村');
        if self.community {
            format!("{short}社区居委会")
        } else {
            format!("{short}村委会")
        }
    }
    /// 村干部 / 社区干部.
    pub fn cadre(&self) -> &'static str {
        if self.community {
            "社区干部"
        } else {
            "村干部"
        }
    }
}

impl World {
    /// A staff member acting (created_by).
    pub fn clerk(&self, g: &mut Gen) -> &str {
        &self.staff[g.index(self.staff.len())]
    }

    /// "泉州市丰泽区", or "县" for a county this generator has no name for.
    pub fn county_full(&self) -> String {
        if self.county_name.is_empty() {
            "县".to_string()
        } else {
            format!("{}{}", self.city, self.county_name)
        }
    }

    pub fn court(&self) -> String {
        format!("{}人民法院", self.county_full())
    }

    pub fn police_station(&self) -> String {
        format!("{}派出所", self.town)
    }

    pub fn address(&self, g: &mut Gen, village: usize) -> String {
        let v = &self.villages[village];
        if v.community {
            format!("{}{}{}号{}幢{}室", self.town, g.pick(ROADS), g.int(1, 300), g.int(1, 20), g.int(1, 6) * 100 + g.int(1, 4))
        } else {
            format!("{}{}{}组{}号", self.town, v.name, g.int(1, 12), g.int(1, 160))
        }
    }

    pub fn committee_for(&self, role: Role) -> Option<usize> {
        self.committees.iter().position(|c| c.role == role)
    }

    /// The township's villages and names, made from the office's division code only (so
    /// every run on one store sees the same township), and its committees and mediators,
    /// read from the store or created in one batch. Returns how many records were written.
    pub fn prepare(store: &mut Store, now: chrono::DateTime<chrono::Utc>, today: chrono::NaiveDate) -> Result<(World, usize), CliError> {
        let office = store.office()?;
        let code = office.division_code.clone().unwrap_or_default();
        let digits = code.chars().all(|c| c.is_ascii_digit());
        let code6 = if digits && code.len() >= 6 { code[..6].to_string() } else { String::new() };
        let known_province = code6.len() == 6 && matches!(code6[..2].parse::<u32>(), Ok(p) if (11..=82).contains(&p));
        let county_code = if known_province { code6.clone() } else { "350503".to_string() };
        let county_name = COUNTIES.iter().find(|c| c.0 == county_code).map(|c| c.1).unwrap_or("").to_string();
        let city = if county_name.is_empty() { String::new() } else { CITY.to_string() };
        let township_code = if digits && code.len() >= 9 { code[..9].to_string() } else { format!("{county_code}101") };
        let office_name = office.name.clone().unwrap_or_default();
        let town = office_name.trim().trim_end_matches("司法所").trim().to_string();
        let town = if town.is_empty() { "城关镇".to_string() } else { town };

        // The township itself: seeded by its code, not by the run's seed.
        let township_seed = code.bytes().fold(0xF0E1_u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
        let mut tg = Gen::new(township_seed, now, today);
        let mut villages = Vec::new();
        let n_villages = 9 + tg.index(4);
        let mut names: Vec<&str> = VILLAGES.to_vec();
        for i in 0..n_villages {
            let name = names.remove(tg.index(names.len()));
            villages.push(Village {
                name: name.to_string(),
                code: format!("{township_code}{:03}", 200 + i + 1),
                community: false,
                head: people::name(&mut tg, Gender::Male, None),
                gridder: people::any_name(&mut tg, 0.5, None),
            });
        }
        for (i, name) in COMMUNITIES.iter().take(2 + tg.index(3)).enumerate() {
            villages.push(Village {
                name: name.to_string(),
                code: format!("{township_code}{:03}", i + 1),
                community: true,
                head: people::any_name(&mut tg, 0.5, None),
                gridder: people::any_name(&mut tg, 0.4, None),
            });
        }
        let staff = (0..4).map(|_| people::any_name(&mut tg, 0.5, None)).collect();
        let mut world =
            World { office_id: office.meta.id, town, county_code, county_name, city, township_code, villages, committees: Vec::new(), staff };

        // Committees: those of a previous run, else new ones.
        let mut mediators: HashMap<Uuid, Vec<(Uuid, String)>> = HashMap::new();
        for m in store.all::<Mediator>()? {
            if let Some(c) = m.committee_id {
                mediators.entry(c).or_default().push((m.meta.id, m.name.unwrap_or_default()));
            }
        }
        for org in store.all::<Organization>()? {
            if org.org_type != Some(OrgType::MediationCommittee) {
                continue;
            }
            let name = org.name.as_deref().unwrap_or("");
            let role = match org.committee_type {
                Some(CommitteeType::Village | CommitteeType::Residential) => {
                    match world.villages.iter().position(|v| Some(&v.code) == org.division_code.as_ref()) {
                        Some(v) => Role::Village(v),
                        None => continue,
                    }
                }
                Some(CommitteeType::Enterprise) => Role::Enterprise,
                Some(CommitteeType::SocialOrg) if name.contains("交通") => Role::Traffic,
                Some(CommitteeType::SocialOrg) if name.contains("医") => Role::Medical,
                Some(CommitteeType::Township | CommitteeType::Subdistrict) => Role::Township,
                _ => continue,
            };
            if world.committee_for(role).is_none() {
                let ms = mediators.remove(&org.meta.id).unwrap_or_default();
                let prefix =
                    org.number_prefix.clone().filter(|p| !p.trim().is_empty()).unwrap_or_else(|| name.trim_end_matches("人民调解委员会").to_string());
                world.committees.push(Committee { id: org.meta.id, role, prefix, mediators: ms });
            }
        }
        let mut roles = vec![Role::Township, Role::Enterprise, Role::Traffic, Role::Medical];
        roles.extend((0..world.villages.len()).map(Role::Village));
        let created_on = today - Duration::days(6 * 366 + 30);
        let mut new_orgs = Vec::new();
        let mut new_mediators = Vec::new();
        for role in roles {
            let idx = match world.committee_for(role) {
                Some(i) => i,
                None => {
                    let org = world.new_committee(&mut tg, role, created_on);
                    let prefix = org.number_prefix.clone().unwrap_or_default();
                    world.committees.push(Committee { id: org.meta.id, role, prefix, mediators: Vec::new() });
                    new_orgs.push(org);
                    world.committees.len() - 1
                }
            };
            if world.committees[idx].mediators.len() < 2 {
                let ms = world.new_mediators(&mut tg, idx, created_on);
                for m in &ms {
                    world.committees[idx].mediators.push((m.meta.id, m.name.clone().unwrap_or_default()));
                }
                new_mediators.extend(ms);
            }
        }
        let written = new_orgs.len() + new_mediators.len();
        if written > 0 {
            store
                .batch(|b| {
                    for o in new_orgs {
                        b.save(o)?;
                    }
                    for m in new_mediators {
                        b.save(m)?;
                    }
                    Ok(())
                })
                .map_err(|e| CliError::Demo { what: "调委会和调解员".into(), source: e })?;
        }
        Ok((world, written))
    }

    fn new_committee(&self, g: &mut Gen, role: Role, on: chrono::NaiveDate) -> Organization {
        let short_town = self.town.trim_end_matches("街道").trim_end_matches('镇').trim_end_matches('乡');
        let short_town = if short_town.is_empty() { self.town.as_str() } else { short_town };
        let (name, kind, prefix, code) = match role {
            Role::Township => {
                let kind = if self.town.ends_with("街道") { CommitteeType::Subdistrict } else { CommitteeType::Township };
                (format!("{}人民调解委员会", self.town), kind, self.town.clone(), self.township_code.clone())
            }
            Role::Village(v) => {
                let village = &self.villages[v];
                let short = village.name.trim_end_matches("社区").trim_end_matches('村');
                let kind = if village.community { CommitteeType::Residential } else { CommitteeType::Village };
                (format!("{}{}人民调解委员会", self.town, village.name), kind, format!("{short_town}{short}"), village.code.clone())
            }
            Role::Enterprise => (
                format!("{}工业园区企业人民调解委员会", self.town),
                CommitteeType::Enterprise,
                format!("{short_town}园区"),
                self.township_code.clone(),
            ),
            Role::Traffic => (
                format!("{}道路交通事故纠纷人民调解委员会", self.town),
                CommitteeType::SocialOrg,
                format!("{short_town}交调"),
                self.township_code.clone(),
            ),
            Role::Medical => {
                (format!("{}医疗纠纷人民调解委员会", self.town), CommitteeType::SocialOrg, format!("{short_town}医调"), self.township_code.clone())
            }
        };
        let t = g.at(on, 9, 17);
        let by = self.clerk(g).to_string();
        Organization {
            meta: g.meta(self.office_id, &by, t, t, 1),
            name: Some(name),
            org_type: Some(OrgType::MediationCommittee),
            committee_type: Some(kind),
            division_code: Some(code),
            number_prefix: Some(prefix),
            parent_id: Some(self.office_id),
        }
    }

    /// 3–7 mediators: one 主任, a 副主任 on larger committees, at least one woman (第八条).
    fn new_mediators(&self, g: &mut Gen, committee: usize, on: chrono::NaiveDate) -> Vec<Mediator> {
        let c = &self.committees[committee];
        let n = match c.role {
            Role::Township => g.int(5, 7),
            Role::Village(_) => g.int(3, 5),
            _ => 3,
        } as usize;
        (0..n)
            .map(|i| {
                let gender = if i == 1 { Gender::Female } else { people::random_gender(g, 0.6) };
                let birth = people::adult_birth(g, on, 30, 62);
                let area = people::pick_area(g, self);
                let role = match i {
                    0 => MediatorRole::Director,
                    1 if n >= 4 => MediatorRole::DeputyDirector,
                    _ if i + 1 == n && g.chance(0.4) => MediatorRole::Hired,
                    _ => MediatorRole::Member,
                };
                let t = g.at(on, 9, 17);
                let by = self.clerk(g).to_string();
                Mediator {
                    meta: g.meta(self.office_id, &by, t, t, 1),
                    name: Some(people::name(g, gender, None)),
                    gender: Some(gender),
                    id_number: Some(people::id_number(g, &area, birth, gender)),
                    phone: Some(people::phone(g)),
                    committee_id: Some(c.id),
                    role: Some(role),
                    full_time: c.role == Role::Township && i < 2,
                }
            })
            .collect()
    }

    /// A person of the township, with an ID number (parties should have one).
    pub fn local_person(
        &self,
        g: &mut Gen,
        village: usize,
        on: chrono::NaiveDate,
        created: chrono::DateTime<chrono::Utc>,
        surname: Option<&str>,
    ) -> Person {
        let gender = people::random_gender(g, 0.55);
        let birth = people::adult_birth(g, on, 18, 85);
        let floating = g.chance(0.08);
        let with_id = g.chance(0.96);
        people::person(g, self, PersonSpec { gender, birth, village, surname, floating, with_id }, created)
    }
}
