//! Names, ID numbers and persons.

use chrono::{Datelike, Duration, NaiveDate};
use fengqiao_model::*;

use super::gen::Gen;
use super::words::*;
use super::world::World;

/// A plausible Chinese name: mostly three characters, some two (张伟), a few compound
/// surnames, and now and then a rare character (𠮷, 䶮 …).
pub fn name(g: &mut Gen, gender: Gender, surname: Option<&str>) -> String {
    let surname = match surname {
        Some(s) => s.to_string(),
        None if g.chance(0.004) => g.pick(RARE_SURNAMES).to_string(),
        None => g.weighted(SURNAMES).to_string(),
    };
    let pool = if gender == Gender::Female { GIVEN_FEMALE } else { GIVEN_MALE };
    let mut given = String::new();
    if g.chance(0.006) {
        given.push_str(g.text(RARE_GIVEN));
        if g.chance(0.5) {
            given.insert_str(0, g.text(pool));
        }
    } else if g.chance(0.3) || surname.chars().count() > 1 {
        given.push_str(g.text(pool));
    } else {
        given.push_str(if g.chance(0.3) { g.text(GIVEN_ANY) } else { g.text(pool) });
        given.push_str(g.text(pool));
    }
    format!("{surname}{given}")
}

/// A name of a person of either gender (`male_share` of them men).
pub fn any_name(g: &mut Gen, male_share: f64, surname: Option<&str>) -> String {
    let gender = random_gender(g, male_share);
    name(g, gender, surname)
}

/// The surname of a name (compound surnames included).
pub fn surname_of(name: &str) -> &str {
    for (s, _) in SURNAMES {
        if s.chars().count() > 1 && name.starts_with(s) {
            return s;
        }
    }
    let end = name.char_indices().nth(1).map(|(i, _)| i).unwrap_or(name.len());
    &name[..end]
}

/// "张某" for a two-character name, "张某某" otherwise: how titles name persons.
pub fn anonymized(name: &str) -> String {
    let s = surname_of(name);
    if name.chars().count() <= 2 {
        format!("{s}某")
    } else {
        format!("{s}某某")
    }
}

/// An 18-digit 公民身份号码 with a correct check character; the sequence's last digit is odd
/// for men and even for women.
pub fn id_number(g: &mut Gen, area: &str, birth: NaiveDate, gender: Gender) -> String {
    let mut seq = g.int(0, 99) * 10 + g.int(0, 4) * 2;
    if gender == Gender::Male {
        seq += 1;
    }
    let first17 = format!("{area}{}{seq:03}", birth.format("%Y%m%d"));
    let check = id_number::check_character(&first17).expect("17 digits");
    format!("{first17}{check}")
}

pub fn phone(g: &mut Gen) -> String {
    if g.chance(0.08) {
        return format!("0595-2{:07}", g.int(0, 9_999_999));
    }
    let second = *g.pick(&[3, 5, 7, 8, 9]);
    format!("1{second}{:09}", g.int(0, 999_999_999))
}

/// A birth date between two dates.
pub fn birth_between(g: &mut Gen, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    g.date(from, to.max(from))
}

/// Who a person is, for [`person`].
pub struct PersonSpec<'a> {
    pub gender: Gender,
    pub birth: NaiveDate,
    pub village: usize,
    pub surname: Option<&'a str>,
    /// 流动人口: ID from another province, living here.
    pub floating: bool,
    pub with_id: bool,
}

pub fn random_gender(g: &mut Gen, male_share: f64) -> Gender {
    if g.chance(male_share) {
        Gender::Male
    } else {
        Gender::Female
    }
}

/// A person living in one of the township's villages.
pub fn person(g: &mut Gen, w: &World, spec: PersonSpec, created: chrono::DateTime<chrono::Utc>) -> Person {
    let village = &w.villages[spec.village];
    let name = name(g, spec.gender, spec.surname);
    let (area, home) = if spec.floating {
        let (code, place) = *g.pick(OTHER_AREAS);
        (code.to_string(), format!("{place}{}{}号", g.pick(OTHER_VILLAGES), g.int(1, 120)))
    } else {
        (pick_area(g, w), String::new())
    };
    let id = spec.with_id.then(|| id_number(g, &area, spec.birth, spec.gender));
    let age = fengqiao_model::id_number::age_on(spec.birth, g.today);
    let marital = match age {
        0..=22 => MaritalStatus::Unmarried,
        23..=30 => {
            if g.chance(0.5) {
                MaritalStatus::Married
            } else {
                MaritalStatus::Unmarried
            }
        }
        _ => g.weighted(&[
            (MaritalStatus::Married, 80),
            (MaritalStatus::Divorced, 8),
            (MaritalStatus::Widowed, if age > 60 { 20 } else { 2 }),
            (MaritalStatus::Unstated, 2),
        ]),
    };
    let education = if spec.birth.year() < 1965 {
        g.weighted(&[(Education::Illiterate, 15), (Education::Primary, 45), (Education::JuniorHigh, 30), (Education::HighSchool, 10)])
    } else {
        g.weighted(&[
            (Education::Primary, 10),
            (Education::JuniorHigh, 40),
            (Education::HighSchool, 20),
            (Education::Secondary, 12),
            (Education::College, 10),
            (Education::Bachelor, 7),
            (Education::Postgraduate, 1),
        ])
    };
    let occupation = if age >= 62 { "退休".to_string() } else { g.pick(OCCUPATIONS).to_string() };
    let address = w.address(g, spec.village);
    let ethnicity = g.weighted(&[
        (Ethnicity::Han, 960),
        (Ethnicity::She, 25),
        (Ethnicity::Hui, 8),
        (Ethnicity::Miao, 3),
        (Ethnicity::Tujia, 2),
        (Ethnicity::Zhuang, 2),
    ]);
    Person {
        meta: {
            let by = w.clerk(g);
            g.meta(w.office_id, by, created, created, 1)
        },
        name: Some(name),
        alias: None,
        id_type: Some(IdType::ResidentId),
        id_number: id,
        gender: Some(spec.gender),
        birth_date: Some(spec.birth),
        ethnicity: Some(ethnicity),
        education: Some(education),
        marital_status: Some(marital),
        occupation: Some(occupation),
        phone: g.chance(0.9).then(|| phone(g)),
        hukou_division_code: Some(if spec.floating { area.clone() } else { village.code.clone() }),
        hukou_address: Some(if spec.floating { home } else { address.clone() }),
        residence_division_code: Some(village.code.clone()),
        residence_address: Some(address),
        population_type: Some(if spec.floating { PopulationType::Floating } else { PopulationType::Registered }),
        note: None,
    }
}

/// The address code of a local ID number: mostly the county's, sometimes a neighbour's.
pub fn pick_area(g: &mut Gen, w: &World) -> String {
    if g.chance(0.9) {
        w.county_code.clone()
    } else {
        g.pick(COUNTIES).0.to_string()
    }
}

/// An adult's birth date: `min_age`..`max_age` years old on `on`, within 1940–2005.
pub fn adult_birth(g: &mut Gen, on: NaiveDate, min_age: i32, max_age: i32) -> NaiveDate {
    let lo = NaiveDate::from_ymd_opt(on.year() - max_age, 1, 1).expect("date").max(NaiveDate::from_ymd_opt(1940, 1, 1).expect("date"));
    let hi = (on - Duration::days(365 * min_age as i64 + 5)).min(NaiveDate::from_ymd_opt(2005, 12, 31).expect("date"));
    birth_between(g, lo, hi.max(lo))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_validate_and_carry_gender() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let mut g = Gen::new(7, chrono::Utc::now(), today);
        for i in 0..500 {
            let gender = if i % 2 == 0 { Gender::Male } else { Gender::Female };
            let birth = birth_between(&mut g, NaiveDate::from_ymd_opt(1940, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2005, 12, 31).unwrap());
            let n = id_number(&mut g, "350503", birth, gender);
            let id = fengqiao_model::id_number::parse(&n, today).unwrap();
            assert_eq!(id.gender, gender);
            assert_eq!(id.birth_date, birth);
        }
    }

    #[test]
    fn names_and_their_anonymized_forms() {
        assert_eq!(anonymized("张伟"), "张某");
        assert_eq!(anonymized("欧阳娜娜"), "欧阳某某");
        assert_eq!(anonymized("𠮷䶮"), "𠮷某");
        let mut g = Gen::new(1, chrono::Utc::now(), NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        let names: Vec<String> = (0..2000).map(|_| name(&mut g, Gender::Male, None)).collect();
        assert!(names.iter().any(|n| n.chars().count() == 2));
        assert!(names.iter().any(|n| n.chars().count() == 3));
        let mut issues = Issues::new();
        for n in &names {
            issues.name("name", "姓名", &Some(n.clone()), false);
        }
        assert!(issues.is_ok(), "{:?}", issues.errors);
    }
}
