//! Helpers shared by the integration tests: the shared open data, and random valid services.

#![allow(dead_code)]

use std::path::PathBuf;

use njia_import::Service;
use njia_model::taxonomy::CATEGORIES;
use proptest::prelude::*;

/// `../shared/data` beside the workspace, when this checkout has it. A bare clone does not,
/// and the tests that need it say so and pass; on CI (`CI` set), which puts `shared/` beside
/// its clone, a missing folder is a broken setup and the test fails rather than pass
/// without having read a byte.
pub fn shared_data() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if dir.is_dir() {
        return Some(dir);
    }
    let on_ci = std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"));
    assert!(
        !on_ci,
        "CI is set but the shared data folder {} is absent: CI must check shared/ out beside \
         the repository",
        dir.display()
    );
    println!("skipped: ../shared absent ({} not found)", dir.display());
    None
}

pub fn no_progress() -> impl FnMut(njia_import::Progress) {
    |_| {}
}

const LANGUAGES: &[&str] = &["sw", "so", "en", "fr", "am", "ti", "ar", "om", "prs", "ln"];
const TIMEZONES: &[&str] = &[
    "Africa/Nairobi",
    "Africa/Addis_Ababa",
    "Africa/Mogadishu",
    "Africa/Johannesburg",
    "UTC",
];
const HOURS: &[&str] = &[
    "24/7",
    "Mo-Fr 08:00-17:00",
    "Mo-Fr 08:00-17:00; Sa 09:00-12:00",
    "Mo,We,Fr 08:00-12:00,14:00-18:00",
    "Tu-Th 22:00-24:00",
    "Mo-Fr 08:00-17:00; PH off",
    "sunrise-sunset",
    "Mo-Su 07:30 - 16:00",
];

/// Text as people type it: accents, commas, quotes, semicolons, line breaks.
fn text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[ -~À-ÿĀ-ſ\n]{0,40}")
}

fn one_of(list: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::sample::select(list).prop_map(String::from)
}

/// A valid, normalised service, as `read_path` returns them. Its time zone is always set,
/// since a read fills a missing one from the map.
pub fn service() -> impl Strategy<Value = Service> {
    let head = (
        "[a-zA-Z0-9][a-zA-Z0-9/_.:-]{0,30}",
        "[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ0-9 ,.'\"&()/-]{0,40}",
        -90.0..=90.0f64,
        -180.0..=180.0f64,
        proptest::sample::subsequence(CATEGORIES.to_vec(), 0..4),
        proptest::sample::subsequence(LANGUAGES.to_vec(), 0..3),
        proptest::array::uniform5(any::<bool>()),
    );
    let tail = (
        (text(), text(), proptest::option::of("[+0-9 ()/-]{1,20}")),
        (text(), text(), text(), proptest::option::of("[A-Z]{2}")),
        (
            proptest::option::of(prop_oneof![one_of(HOURS), "[ -~]{1,30}"]),
            one_of(TIMEZONES),
            text(),
            text(),
            text(),
        ),
    );
    (head, tail).prop_filter_map(
        "normalises",
        |(
            (id, name, lat, lon, categories, languages, flags),
            (
                (organization, description, phone),
                (email, website, address, country),
                (opening_hours, timezone, fees, documents, source),
            ),
        )| {
            let mut s = Service::new(id, name, lat, lon);
            s.organization = organization;
            s.description = description;
            s.categories = categories.into_iter().map(String::from).collect();
            s.languages = languages.into_iter().map(String::from).collect();
            [
                s.free_of_charge,
                s.no_documents_required,
                s.interpreter_available,
                s.migrant_friendly,
                s.mobile_outreach,
            ] = flags;
            s.phone = phone;
            s.email = email;
            s.website = website;
            s.address = address;
            s.country = country;
            s.opening_hours = opening_hours;
            s.timezone = Some(timezone);
            s.fees = fees;
            s.documents = documents;
            s.source = source;
            s.normalize().ok()
        },
    )
}

/// Several services with distinct ids.
pub fn services() -> impl Strategy<Value = Vec<Service>> {
    proptest::collection::vec(service(), 0..12).prop_map(|mut list| {
        for (i, s) in list.iter_mut().enumerate() {
            s.id = format!("{i}-{}", s.id);
        }
        list
    })
}
