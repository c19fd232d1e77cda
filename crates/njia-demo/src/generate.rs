//! The generator: one seeded random stream per service index, so the same `(count, seed)`
//! always gives the same services, and the first `n` of a longer run are the same `n`.

use std::collections::HashMap;

use njia_model::service::Service;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::countries::{country, Country, Register, Week};
use crate::facilities::{category_label, Fk, KindSpec, Sector, KINDS, SECTOR_SHARE};
use crate::hours;
use crate::orgs::{self, Agency, ISLAMIC_ORGS, NGOS};
use crate::places::{places, Place, PlaceKind};

/// What every generated service carries in `source`, so demo rows can be told apart (and
/// deleted) in a real directory.
pub const SOURCE: &str = "njia-demo";

/// Generates `count` services from `seed`.
///
/// The same `(count, seed)` gives identical services, field for field, on every platform
/// (only IEEE basic arithmetic touches the coordinates), so re-running `njia demo-data` and
/// importing again updates rows instead of duplicating them. The first `n` services do not
/// depend on `count`. Services are made one at a time: memory stays small (one counter per
/// distinct name, to keep names unique) however many are asked for.
pub fn services(count: usize, seed: u64) -> Services {
    let mut cumulative = Vec::with_capacity(places().len());
    let mut total = 0u32;
    for p in places() {
        total += p.weight;
        cumulative.push(total);
    }
    Services {
        base: ChaCha8Rng::seed_from_u64(seed),
        next: 0,
        count: count as u64,
        cumulative,
        names: HashMap::new(),
    }
}

/// The iterator [`services`] returns.
pub struct Services {
    base: ChaCha8Rng,
    next: u64,
    count: u64,
    cumulative: Vec<u32>,
    /// How often each name (by hash) has been given, to number repeats.
    names: HashMap<u64, u32>,
}

impl Iterator for Services {
    type Item = Service;

    fn next(&mut self) -> Option<Service> {
        if self.next >= self.count {
            return None;
        }
        let index = self.next;
        self.next += 1;
        let mut rng = self.base.clone();
        rng.set_stream(index);
        Some(self.generate(&mut rng))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.count - self.next) as usize;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Services {}
impl std::iter::FusedIterator for Services {}

impl Services {
    fn generate(&mut self, rng: &mut ChaCha8Rng) -> Service {
        // The id comes first from the stream, so it depends on (seed, index) alone.
        let id = uuid::Builder::from_random_bytes(rng.gen()).into_uuid();

        let place = &places()[pick_cumulative(rng, &self.cumulative)];
        let country = country(place.country);
        let pk = place.kind.index();
        let sector = Sector::ALL[pick_weighted(rng, &SECTOR_SHARE[pk])];
        let weights: Vec<u32> = KINDS
            .iter()
            .map(|k| k.sector_weight[sector.index()] * k.place_factor[pk])
            .collect();
        let spec = &KINDS[pick_weighted(rng, &weights)];
        let register = match country.alt_register {
            Some((alt, pct)) if chance(rng, pct) => alt,
            _ => country.register,
        };
        let somali_area = country.muslim || place.languages[0] == "so";

        let hood_pct = match place.kind {
            PlaceKind::City => 97,
            PlaceKind::Camp => 85,
            PlaceKind::Town => 70,
            PlaceKind::BorderCrossing => 50,
        };
        let hood =
            (!place.hoods.is_empty() && chance(rng, hood_pct)).then(|| pick(rng, place.hoods));
        let locality = hood.unwrap_or(place.name);

        let runner = runner(rng, spec, sector, country, place, register, somali_area);
        let (names, organization) =
            name_and_org(rng, spec, country, place, register, locality, &runner);
        let (name, branch) = self.unique(names, register);
        let hood = branch.hood.or(hood);

        let categories = categories(rng, spec, country);
        let free = free_of_charge(rng, spec.kind, sector, place.kind);
        let no_documents = no_documents_required(rng, spec.kind, sector, place.kind);
        let interpreter = interpreter(rng, spec.kind, sector, place.kind);
        let migrant_friendly = migrant_friendly(rng, sector, place.kind);
        let mobile_outreach = spec.kind == Fk::Mobile || mobile_outreach(rng, spec.kind, sector);
        let (languages, interpreted) = languages(rng, place, sector, interpreter);

        let opening_hours = opening_hours(rng, spec, sector, country);
        let phone = chance(rng, 90).then(|| phone(rng, country, place, spec.kind, sector));
        let address = address(rng, place, country, hood, branch.street, register);
        let fees = (!free).then(|| fees(rng, spec.kind, sector, country));
        let documents = (!no_documents).then(|| pick(rng, country.documents).to_string());
        let description = chance(rng, 75).then(|| {
            describe(
                spec,
                &categories,
                organization.as_deref(),
                free,
                no_documents,
                migrant_friendly,
                mobile_outreach,
                &interpreted,
            )
        });
        let (lat, lon) = scatter(rng, place);

        Service {
            id: id.to_string(),
            name,
            organization,
            description,
            lat,
            lon,
            categories,
            languages,
            free_of_charge: free,
            no_documents_required: no_documents,
            interpreter_available: interpreter,
            migrant_friendly,
            mobile_outreach,
            phone,
            email: None,
            website: None,
            address: Some(address),
            country: Some(place.country.to_string()),
            opening_hours,
            timezone: Some(place.timezone.to_string()),
            fees,
            documents,
            source: Some(SOURCE.to_string()),
        }
    }

    /// The first candidate not given yet, else the first one numbered ("Kibera Health
    /// Centre No. 2").
    fn unique(&mut self, names: Names, register: Register) -> (String, Branch) {
        for (name, branch) in names.all() {
            let seen = self.names.entry(fnv1a(&name)).or_insert(0);
            if *seen == 0 {
                *seen = 1;
                return (name, branch);
            }
        }
        let first = names.first.into_iter().next().expect("at least one name");
        let seen = self.names.entry(fnv1a(&first)).or_insert(0);
        *seen += 1;
        let name = match register {
            Register::En | Register::Sw => format!("{first} No. {seen}"),
            Register::Fr => format!("{first} n° {seen}"),
            Register::Pt => format!("{first} n.º {seen}"),
        };
        (name, Branch::default())
    }
}

/// Who runs it, beyond the sector: the NGO or UN agency, when there is one.
enum Runner {
    Government,
    Ngo {
        name: &'static str,
        short: &'static str,
    },
    Agency(&'static Agency),
    Faith(&'static str),
    Private,
}

fn runner(
    rng: &mut ChaCha8Rng,
    spec: &KindSpec,
    sector: Sector,
    country: &Country,
    place: &Place,
    register: Register,
    somali_area: bool,
) -> Runner {
    let lang = lang_index(register);
    match sector {
        Sector::Public => Runner::Government,
        Sector::Private => Runner::Private,
        Sector::Faith => Runner::Faith(if somali_area && !country.muslim {
            pick(rng, ISLAMIC_ORGS)
        } else {
            pick(rng, country.faith_orgs)
        }),
        Sector::Un => Runner::Agency(match spec.kind {
            Fk::Gbv | Fk::YouthSrh => &orgs::UNFPA,
            Fk::Nutrition => &orgs::UNICEF,
            Fk::Legal => &orgs::UNHCR,
            Fk::Shelter if chance(rng, 50) => &orgs::UNHCR,
            Fk::Mobile if chance(rng, 40) => &orgs::UNICEF,
            _ => &orgs::IOM,
        }),
        Sector::Ngo => {
            let fits: Vec<&orgs::Ngo> = NGOS
                .iter()
                .filter(|n| n.kinds.contains(&spec.kind))
                .filter(|n| n.countries.is_empty() || n.countries.contains(&place.country))
                .collect();
            // The national Red Cross runs first aid posts, clinics and psychosocial support.
            let red_cross = matches!(
                spec.kind,
                Fk::HealthCentre | Fk::Post | Fk::Mobile | Fk::Mental | Fk::Shelter
            );
            let n = fits.len() as u32 + u32::from(red_cross);
            let i = rng.gen_range(0..n.max(1)) as usize;
            // Where no listed NGO does this work, the Red Cross stands in.
            match fits.get(i) {
                Some(ngo) => Runner::Ngo {
                    name: ngo.name[lang],
                    short: ngo.short,
                },
                None => Runner::Ngo {
                    name: country.red_cross.0,
                    short: country.red_cross.1,
                },
            }
        }
    }
}

/// Names to try in order, the first not given yet wins; when all are taken, the first is
/// numbered.
struct Names {
    first: Vec<String>,
    base: String,
    hoods: Vec<&'static str>,
    streets: Vec<&'static str>,
}

impl Names {
    fn fixed(first: Vec<String>) -> Self {
        Names {
            first,
            base: String::new(),
            hoods: Vec::new(),
            streets: Vec::new(),
        }
    }

    /// Every name to try: the fixed ones, then `base – hood`, `base – street` and
    /// `base – street, hood`, each with the hood and street it names.
    fn all(&self) -> impl Iterator<Item = (String, Branch)> + '_ {
        let base = &self.base;
        let fixed = self.first.iter().map(|n| (n.clone(), Branch::default()));
        let hoods = self.hoods.iter().map(move |&h| {
            (
                format!("{base} – {h}"),
                Branch {
                    hood: Some(h),
                    street: None,
                },
            )
        });
        let streets = self.streets.iter().map(move |&s| {
            (
                format!("{base} – {s}"),
                Branch {
                    hood: None,
                    street: Some(s),
                },
            )
        });
        let pairs = self.streets.iter().flat_map(move |&s| {
            self.hoods.iter().map(move |&h| {
                (
                    format!("{base} – {s}, {h}"),
                    Branch {
                        hood: Some(h),
                        street: Some(s),
                    },
                )
            })
        });
        fixed.chain(hoods).chain(streets).chain(pairs)
    }
}

/// Where a branch named for its neighbourhood or street is, so its address agrees.
#[derive(Default, Clone, Copy)]
struct Branch {
    hood: Option<&'static str>,
    street: Option<&'static str>,
}

/// The names to try for a service and the organisation that runs it.
fn name_and_org(
    rng: &mut ChaCha8Rng,
    spec: &KindSpec,
    country: &Country,
    place: &Place,
    register: Register,
    locality: &str,
    runner: &Runner,
) -> (Names, Option<String>) {
    let reg = register_index(register);
    let lang = lang_index(register);
    let generic = if spec.generic[reg].is_empty() {
        spec.generic[0]
    } else {
        spec.generic[reg]
    };
    let filled = |templates: Vec<&str>| -> Vec<String> {
        templates
            .into_iter()
            .map(|t| fill(t, locality, "", register))
            .collect()
    };
    match runner {
        Runner::Government => {
            let own: &[&str] = match spec.kind {
                Fk::Hospital => country.hospital,
                Fk::HealthCentre => country.health_centre,
                Fk::Post => country.post,
                Fk::Gbv if country.code == "ZA" => &["{} Thuthuzela Care Centre"],
                Fk::Gbv if country.code == "RW" => &["Isange One Stop Centre {}"],
                _ => &[],
            };
            let mut templates = rotated(rng, own);
            templates.extend(rotated(rng, generic));
            (
                Names::fixed(filled(templates)),
                Some(country.ministry.to_string()),
            )
        }
        Runner::Faith(org) => {
            let islamic = ["Islam", "Muslim", "BAKWATA", "Zamzam"]
                .iter()
                .any(|w| org.contains(w));
            let (hospital, centre) = if islamic {
                (orgs::ISLAMIC_HOSPITAL, orgs::ISLAMIC_CENTRE)
            } else {
                (orgs::MISSION_HOSPITAL, orgs::MISSION_CENTRE)
            };
            let own: Vec<&str> = match spec.kind {
                Fk::Hospital => hospital[reg].to_vec(),
                Fk::HealthCentre | Fk::Post => centre[reg].to_vec(),
                _ => Vec::new(),
            };
            let own: Vec<&str> = own.into_iter().filter(|t| faith_fits(t, org)).collect();
            let mut templates = rotated(rng, &own);
            templates.extend(rotated(rng, generic));
            (Names::fixed(filled(templates)), Some(org.to_string()))
        }
        Runner::Agency(agency) => {
            let alt = [
                "Migration Response Centre",
                "Centre de Réponse à la Migration",
                "Centro de Resposta à Migração",
            ][lang];
            let noun = spec.un_noun.unwrap_or(spec.noun)[lang];
            let mut names = vec![led_by(agency.short[lang], noun, locality, register)];
            if spec.kind == Fk::MigrantHealth {
                names.insert(
                    usize::from(chance(rng, 60)),
                    led_by(agency.short[lang], alt, locality, register),
                );
            }
            let base = names[0].clone();
            let streets = rotated(rng, country.streets);
            (
                Names {
                    first: names,
                    base,
                    hoods: Vec::new(),
                    streets,
                },
                Some(agency.name[lang].to_string()),
            )
        }
        Runner::Ngo { name: org, short } => {
            let branded = led_by(short, spec.noun[lang], locality, register);
            let names = if spec.kind == Fk::MigrantHealth {
                let template = [
                    "{} Migrant Resource Centre",
                    "{} Migrant Resource Centre",
                    "Centre d'Accueil des Migrants de {}",
                    "Centro de Apoio ao Migrante de {}",
                ][reg];
                vec![fill(template, locality, "", register), branded]
            } else if spec.kind == Fk::Roadside {
                vec![branded]
            } else {
                let mut names = filled(rotated(rng, generic));
                if chance(rng, 50) {
                    names.insert(0, branded);
                } else {
                    names.push(branded);
                }
                names
            };
            let base = names[0].clone();
            let streets = rotated(rng, country.streets);
            (
                Names {
                    first: names,
                    base,
                    hoods: Vec::new(),
                    streets,
                },
                Some(org.to_string()),
            )
        }
        Runner::Private => {
            let brand = pick(rng, country.brands);
            let list = match spec.branded[reg] {
                [] => spec.branded[0],
                list => list,
            };
            let base = if list.is_empty() {
                fill(pick(rng, generic), locality, "", register)
            } else {
                fill(pick(rng, list), locality, brand, register)
            };
            // Owners register the business, not the branch.
            let org = chance(rng, 70).then(|| format!("{base} {}", country.company));
            // A chain's other shops are named for their neighbourhood or street.
            let mut hoods = rotated(rng, place.hoods);
            hoods.retain(|h| !base.contains(h));
            let streets = rotated(rng, country.streets);
            (
                Names {
                    first: vec![base.clone()],
                    base,
                    hoods,
                    streets,
                },
                org,
            )
        }
    }
}

/// A list's items starting from a random one, so repeated names spread over the templates.
fn rotated<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> Vec<&'a str> {
    if items.is_empty() {
        return Vec::new();
    }
    let start = rng.gen_range(0..items.len() as u32) as usize;
    (0..items.len())
        .map(|i| items[(start + i) % items.len()])
        .collect()
}

/// Whether a faith-based name suits the body running it: no "Catholic Hospital" run by
/// Lutherans, no "St. Mary's" run by Adventists. Names without a denomination suit all.
fn faith_fits(template: &str, org: &str) -> bool {
    const CATHOLIC: &[&str] = &[
        "Cathol",
        "Caritas",
        "Cáritas",
        "Diocés",
        "Diocese",
        "Episcopal Conference",
    ];
    const SAINTS: &[&str] = &[
        "Cathol",
        "Caritas",
        "Cáritas",
        "Diocés",
        "Diocese",
        "Episcopal Conference",
        "Anglican",
        "Anglicane",
        "Episcopal Church",
    ];
    const PROTESTANT: &[&str] = &[
        "Église",
        "Evangelical",
        "Lutheran",
        "Mekane Yesus",
        "Presbyt",
        "Christian",
        "Churches",
        "Methodist",
        "Metodista",
        "Council",
        "Conselho",
        "FJKM",
        "SALFA",
        "BUFMAR",
    ];
    const DENOMINATIONS: &[(&[&str], &[&str])] = &[
        (&["Catholic", "Catholique", "Católico"], CATHOLIC),
        (&["St. ", "Saint-"], SAINTS),
        (&["Adventist", "Adventiste"], &["Adventist"]),
        (
            &["Lutheran", "Luthérien"],
            &["Lutheran", "Luthérienne", "Mekane Yesus", "SALFA"],
        ),
        (&["Methodist", "Metodista"], &["Methodist", "Metodista"]),
        (&["Évangélique"], PROTESTANT),
    ];
    DENOMINATIONS.iter().all(|(in_name, in_org)| {
        !in_name.iter().any(|w| template.contains(w)) || in_org.iter().any(|w| org.contains(w))
    })
}

/// "MSF Clinic Ifo", "Clinique MSF d'Uvira", "Clínica Móvel MSF da Beira".
fn led_by(short: &str, noun: &str, locality: &str, register: Register) -> String {
    match register {
        Register::En | Register::Sw => format!("{short} {noun} {locality}"),
        Register::Fr | Register::Pt => format!("{noun} {short} {}", of(register, locality)),
    }
}

/// Fills a name template: `{b}` with the brand, `de {}` with the contracted preposition
/// (French d'Uvira, du Quartier 7; Portuguese da Beira, do Chamanculo), `{}` with the place.
fn fill(template: &str, locality: &str, brand: &str, register: Register) -> String {
    let t = template.replace("{b}", brand);
    if matches!(register, Register::Fr | Register::Pt) && t.contains("de {}") {
        return t.replace("de {}", &of(register, locality));
    }
    t.replace("{}", locality)
}

/// "de" + place, contracted as the language wants.
fn of(register: Register, place: &str) -> String {
    match register {
        Register::Fr => {
            if place.starts_with("Quartier ") || place.starts_with("PK") {
                format!("du {place}")
            } else if place.starts_with(['A', 'E', 'I', 'O', 'U', 'É', 'Â', 'Î']) {
                format!("d'{place}")
            } else {
                format!("de {place}")
            }
        }
        Register::Pt => {
            // Place names that take an article in Portuguese.
            const DA: &[&str] = &[
                "Beira",
                "Matola",
                "Machava",
                "Liberdade",
                "Manga",
                "Ponta Gêa",
                "Munhava",
                "Polana Caniço",
                "Mafalala",
                "Malhangalene",
                "Maxaquene",
                "Chota",
            ];
            const DO: &[&str] = &[
                "Xipamanine",
                "Chamanculo",
                "Alto Maé",
                "Zimpeto",
                "Fomento",
                "Infulene",
                "Macurungo",
                "Esturro",
            ];
            if DA.contains(&place) {
                format!("da {place}")
            } else if DO.contains(&place) {
                format!("do {place}")
            } else {
                format!("de {place}")
            }
        }
        Register::En | Register::Sw => format!("of {place}"),
    }
}

fn categories(rng: &mut ChaCha8Rng, spec: &KindSpec, country: &Country) -> Vec<String> {
    let mut out: Vec<String> = spec.core.iter().map(|c| c.to_string()).collect();
    for &(code, pct) in spec.extra {
        let pct = if code == "malaria" {
            pct * country.malaria / 100
        } else {
            pct
        };
        if chance(rng, pct) && !out.iter().any(|c| c == code) {
            out.push(code.to_string());
        }
    }
    out
}

fn free_of_charge(rng: &mut ChaCha8Rng, kind: Fk, sector: Sector, place: PlaceKind) -> bool {
    let pct = match sector {
        Sector::Public if place == PlaceKind::Camp => 100,
        Sector::Public => match kind {
            Fk::Hospital => 35,
            Fk::Laboratory => 40,
            Fk::Pharmacy => 50,
            _ => 85,
        },
        Sector::Ngo if place == PlaceKind::Camp => 100,
        Sector::Ngo => 95,
        Sector::Un => 100,
        Sector::Faith if place == PlaceKind::Camp => 90,
        Sector::Faith => match kind {
            Fk::Hospital => 10,
            Fk::HivTb => 90,
            Fk::Mental => 80,
            Fk::Shelter | Fk::Legal => 95,
            _ => 45,
        },
        Sector::Private => 2,
    };
    chance(rng, pct)
}

fn no_documents_required(rng: &mut ChaCha8Rng, kind: Fk, sector: Sector, place: PlaceKind) -> bool {
    if kind == Fk::Pharmacy {
        return chance(rng, 90);
    }
    let base = match sector {
        Sector::Public => 45,
        Sector::Ngo => 90,
        Sector::Un => 95,
        Sector::Faith => 60,
        Sector::Private => 15,
    };
    let bonus = match place {
        PlaceKind::Camp => 20,
        PlaceKind::BorderCrossing => 15,
        _ => 0,
    };
    chance(rng, (base + bonus).min(98))
}

fn interpreter(rng: &mut ChaCha8Rng, kind: Fk, sector: Sector, place: PlaceKind) -> bool {
    if matches!(kind, Fk::Pharmacy | Fk::Laboratory) {
        return chance(rng, 3);
    }
    let base = match sector {
        Sector::Public => 10,
        Sector::Ngo => 40,
        Sector::Un => 60,
        Sector::Faith => 12,
        Sector::Private => 4,
    };
    let bonus = match place {
        PlaceKind::Camp => 25,
        PlaceKind::BorderCrossing => 20,
        _ => 0,
    };
    chance(rng, base + bonus)
}

fn migrant_friendly(rng: &mut ChaCha8Rng, sector: Sector, place: PlaceKind) -> bool {
    let base = match sector {
        Sector::Public => 30,
        Sector::Ngo => 85,
        Sector::Un => 95,
        Sector::Faith => 45,
        Sector::Private => 12,
    };
    let bonus = match place {
        PlaceKind::Camp | PlaceKind::BorderCrossing => 20,
        _ => 0,
    };
    chance(rng, (base + bonus).min(100))
}

fn mobile_outreach(rng: &mut ChaCha8Rng, kind: Fk, sector: Sector) -> bool {
    let pct = match (sector, kind) {
        (Sector::Public, Fk::HealthCentre | Fk::Post) => 15,
        (Sector::Public, _) => 5,
        (Sector::Ngo, _) => 25,
        (Sector::Un, _) => 30,
        (Sector::Faith, _) => 10,
        (Sector::Private, _) => 2,
    };
    chance(rng, pct)
}

/// The place's languages, the most widely spoken almost always, others less often (more at
/// NGOs); with an interpreter, up to two more. Returns also the interpreted ones.
fn languages(
    rng: &mut ChaCha8Rng,
    place: &Place,
    sector: Sector,
    interpreter: bool,
) -> (Vec<String>, Vec<&'static str>) {
    let boost = if matches!(sector, Sector::Ngo | Sector::Un) {
        15
    } else {
        0
    };
    let mut spoken: Vec<&'static str> = Vec::with_capacity(place.languages.len());
    for (i, &code) in place.languages.iter().enumerate() {
        let pct = match i {
            0 => 100,
            1 => 90,
            2 => 55 + boost,
            3 => 35 + boost,
            4 => 25 + boost,
            _ => 15 + boost,
        };
        if chance(rng, pct) {
            spoken.push(code);
        }
    }
    let mut interpreted = Vec::new();
    if interpreter {
        for &code in &place.languages[1..] {
            if interpreted.len() == 2 {
                break;
            }
            if !spoken.contains(&code) && chance(rng, 70) {
                interpreted.push(code);
            }
        }
    }
    let all = spoken
        .iter()
        .chain(&interpreted)
        .map(|c| c.to_string())
        .collect();
    (all, interpreted)
}

fn opening_hours(
    rng: &mut ChaCha8Rng,
    spec: &KindSpec,
    sector: Sector,
    country: &Country,
) -> Option<String> {
    if spec.kind != Fk::Hospital && chance(rng, 5) {
        return None; // Unknown: real directories have gaps.
    }
    let mut value =
        spec.hours[pick_weighted(rng, &spec.hours.iter().map(|h| h.1).collect::<Vec<_>>())].0;
    let office_like = !matches!(
        value,
        hours::ALWAYS
            | hours::BORDER
            | hours::DAILY_7_19
            | hours::DAILY_8_20
            | hours::PHARMACY_LATE
            | hours::MOBILE_TU_TH
            | hours::MOBILE_MO_WE_FR
            | hours::MOBILE_WEEKLY
    );
    if office_like {
        value = match country.week {
            Week::SatThu => {
                if chance(rng, 50) {
                    hours::SAT_THU
                } else {
                    hours::SAT_THU_MORNING
                }
            }
            Week::SunThu if sector == Sector::Public => hours::SUN_THU,
            Week::SunThu => hours::SAT_THU,
            Week::MonFri if country.code == "ET" && sector == Sector::Public => hours::ETHIOPIA,
            Week::MonFri
                if country.register == Register::Fr && country.code != "RW" && chance(rng, 30) =>
            {
                hours::LUNCH_BREAK
            }
            Week::MonFri => value,
        };
    }
    Some(value.to_string())
}

fn phone(
    rng: &mut ChaCha8Rng,
    country: &Country,
    place: &Place,
    kind: Fk,
    sector: Sector,
) -> String {
    let pattern = match country.landline {
        Some((city, landline))
            if city == place.name
                && matches!(sector, Sector::Public | Sector::Faith)
                && (kind == Fk::Hospital || chance(rng, 30)) =>
        {
            landline
        }
        _ => pick(rng, country.mobile),
    };
    let mut out = String::with_capacity(country.dial.len() + 1 + pattern.len());
    out.push_str(country.dial);
    out.push(' ');
    for ch in pattern.chars() {
        if ch == '#' {
            out.push(char::from(b'0' + rng.gen_range(0..10u8)));
        } else {
            out.push(ch);
        }
    }
    out
}

fn address(
    rng: &mut ChaCha8Rng,
    place: &Place,
    country: &Country,
    hood: Option<&str>,
    street: Option<&str>,
    register: Register,
) -> String {
    let mut parts: Vec<String> = Vec::with_capacity(3);
    match place.kind {
        PlaceKind::Camp if street.is_none() => {
            parts.push(format!("Block {}", rng.gen_range(1..40u32)));
        }
        PlaceKind::BorderCrossing if street.is_none() && chance(rng, 40) => {
            parts.push(
                match register {
                    Register::En | Register::Sw => "Near the border post",
                    Register::Fr => "Près du poste frontière",
                    Register::Pt => "Junto à fronteira",
                }
                .to_string(),
            );
        }
        _ => match street {
            Some(street) => parts.push(street.to_string()),
            None if hood.is_none() || chance(rng, 60) => {
                parts.push(pick(rng, country.streets).to_string())
            }
            None => {}
        },
    }
    if let Some(h) = hood {
        parts.push(h.to_string());
    }
    if !parts.iter().any(|p| p.contains(place.name)) {
        parts.push(place.name.to_string());
    }
    parts.join(", ")
}

fn fees(rng: &mut ChaCha8Rng, kind: Fk, sector: Sector, country: &Country) -> String {
    let cur = country.currency;
    let (low, high) = (country.fee_low, country.fee_high);
    let insured = country.insurance;
    match (kind, sector) {
        (Fk::Pharmacy, _) => pick(
            rng,
            &[
                "Medicines at pharmacy prices",
                "Prescription and over-the-counter medicines at shop prices",
            ],
        )
        .to_string(),
        (Fk::Laboratory, Sector::Private) => {
            format!("Tests from {cur} {low}; price list at reception")
        }
        (Fk::Laboratory, _) => format!("Tests from {cur} {low}"),
        (_, Sector::Private) => match insured {
            Some(ins) if chance(rng, 50) => format!("Consultation {cur} {high}; {ins} accepted"),
            _ => format!("Consultation {cur} {high}; cash or mobile money"),
        },
        (Fk::Hospital, _) => match insured {
            Some(ins) if chance(rng, 50) => format!("Card fee {cur} {low}; {ins} accepted"),
            _ => format!("Consultation {cur} {low}; admission charged separately"),
        },
        (_, Sector::Faith) => format!("Consultation {cur} {low}; waived for those who cannot pay"),
        _ => match insured {
            Some(ins) if chance(rng, 40) => format!("{cur} {low} per visit; {ins} accepted"),
            _ => format!("Registration {cur} {low}; medicines extra"),
        },
    }
}

#[allow(clippy::too_many_arguments)]
fn describe(
    spec: &KindSpec,
    categories: &[String],
    organization: Option<&str>,
    free: bool,
    no_documents: bool,
    migrant_friendly: bool,
    mobile_outreach: bool,
    interpreted: &[&str],
) -> String {
    let labels: Vec<&str> = categories.iter().map(|c| category_label(c)).collect();
    let mut out = format!("{}: {}.", spec.noun[0], join_and(&labels));
    if let Some(org) = organization {
        out.push_str(&format!(" Run by {org}."));
    }
    match (free, no_documents) {
        (true, true) => out.push_str(" Free, and no documents needed."),
        (true, false) => out.push_str(" Free of charge."),
        (false, true) => out.push_str(" No documents needed."),
        (false, false) => {}
    }
    if migrant_friendly {
        out.push_str(" Staff trained to serve migrants and refugees.");
    }
    if mobile_outreach {
        out.push_str(" Also goes out to communities.");
    }
    if !interpreted.is_empty() {
        let names: Vec<&str> = interpreted
            .iter()
            .filter_map(|c| orgs::language_name(c))
            .collect();
        out.push_str(&format!(" Interpreters for {}.", join_and(&names)));
    }
    out
}

fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A point around the place: Gaussian, one service in five further out (suburbs, villages),
/// mirrored back across any coast, lake shore or border line. Kilometres become degrees with
/// a series for the cosine, and the result is rounded to six decimals (about 0.1 m).
fn scatter(rng: &mut ChaCha8Rng, place: &Place) -> (f64, f64) {
    let (east, north) = offset_km(rng, place);
    let lat = place.lat + north / 110.574;
    let lon = place.lon + east / (111.320 * cos_deg(place.lat));
    (
        round6(lat.clamp(-90.0, 90.0)),
        round6(lon.clamp(-180.0, 180.0)),
    )
}

/// Kilometres east and north of the place's centre, on the near side of its edges.
fn offset_km(rng: &mut ChaCha8Rng, place: &Place) -> (f64, f64) {
    let sigma = place.sigma() * if chance(rng, 20) { 2.5 } else { 1.0 };
    let mut east = gauss(rng) * sigma;
    let mut north = gauss(rng) * sigma;
    // Mirroring across one line can cross another at a corner; a few rounds settle it.
    for _ in 0..4 {
        for edge in place.edges {
            let (ux, uy) = edge.dir.unit();
            let along = east * ux + north * uy;
            if along > edge.km {
                let back = 2.0 * (along - edge.km);
                east -= back * ux;
                north -= back * uy;
            }
        }
    }
    (east, north)
}

/// A standard normal deviate as the sum of twelve uniforms less six (Irwin–Hall): plain
/// arithmetic, identical on every platform, and no tail beyond six sigma.
fn gauss(rng: &mut ChaCha8Rng) -> f64 {
    let mut sum = 0.0;
    for _ in 0..12 {
        sum += rng.gen::<f64>();
    }
    sum - 6.0
}

/// Cosine of an angle in degrees by its Taylor series: exact to 1e-12 for |deg| <= 40, and
/// free of the platform's libm.
fn cos_deg(deg: f64) -> f64 {
    let x = deg * (std::f64::consts::PI / 180.0);
    let x2 = x * x;
    1.0 - x2 / 2.0
        * (1.0
            - x2 / 12.0
                * (1.0 - x2 / 30.0 * (1.0 - x2 / 56.0 * (1.0 - x2 / 90.0 * (1.0 - x2 / 132.0)))))
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

fn register_index(register: Register) -> usize {
    match register {
        Register::En => 0,
        Register::Sw => 1,
        Register::Fr => 2,
        Register::Pt => 3,
    }
}

/// Index into [English, French, Portuguese] arrays; Swahili names use English nouns.
fn lang_index(register: Register) -> usize {
    match register {
        Register::En | Register::Sw => 0,
        Register::Fr => 1,
        Register::Pt => 2,
    }
}

fn chance(rng: &mut ChaCha8Rng, pct: u32) -> bool {
    rng.gen_range(0..100u32) < pct
}

/// A uniform pick. Ranges are drawn as u32, whose sampling rand keeps the same on 32- and
/// 64-bit targets (usize sampling is not).
fn pick<'a, T: ?Sized>(rng: &mut ChaCha8Rng, items: &[&'a T]) -> &'a T {
    items[rng.gen_range(0..items.len() as u32) as usize]
}

fn pick_weighted(rng: &mut ChaCha8Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut r = rng.gen_range(0..total);
    for (i, &w) in weights.iter().enumerate() {
        if r < w {
            return i;
        }
        r -= w;
    }
    unreachable!("r < total")
}

fn pick_cumulative(rng: &mut ChaCha8Rng, cumulative: &[u32]) -> usize {
    let total = *cumulative.last().expect("the gazetteer is not empty");
    let r = rng.gen_range(0..total);
    cumulative.partition_point(|&c| c <= r)
}

/// FNV-1a: a fixed hash, so name numbering never depends on a random hasher seed.
fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_and_portuguese_contract_de() {
        assert_eq!(
            fill("Centre de Santé de {}", "Uvira", "", Register::Fr),
            "Centre de Santé d'Uvira"
        );
        assert_eq!(
            fill("Centre de Santé de {}", "Gisenyi", "", Register::Fr),
            "Centre de Santé de Gisenyi"
        );
        assert_eq!(
            fill("Centre de Santé de {}", "Quartier 7", "", Register::Fr),
            "Centre de Santé du Quartier 7"
        );
        assert_eq!(
            fill("Hospital Geral de {}", "Beira", "", Register::Pt),
            "Hospital Geral da Beira"
        );
        assert_eq!(
            fill("Centro de Saúde de {}", "Chamanculo", "", Register::Pt),
            "Centro de Saúde do Chamanculo"
        );
        assert_eq!(
            fill("Posto de Saúde de {}", "Ressano Garcia", "", Register::Pt),
            "Posto de Saúde de Ressano Garcia"
        );
        assert_eq!(
            fill("Pharmacie {b}", "Goma", "La Grâce", Register::Fr),
            "Pharmacie La Grâce"
        );
        assert_eq!(
            led_by("MSF", "Clinique Mobile", "Uvira", Register::Fr),
            "Clinique Mobile MSF d'Uvira"
        );
        assert_eq!(
            led_by("IOM", "Migrant Health Point", "Moyale", Register::En),
            "IOM Migrant Health Point Moyale"
        );
    }

    #[test]
    fn the_cosine_series_matches_the_library_over_the_gazetteer() {
        for deg in [-34.0, -26.2, -4.0, 0.0, 3.5, 9.0, 13.5] {
            assert!(
                (cos_deg(deg) - f64::to_radians(deg).cos()).abs() < 1e-12,
                "{deg}"
            );
        }
    }

    #[test]
    fn services_stay_on_the_near_side_of_coasts_and_borders() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for place in places().iter().filter(|p| !p.edges.is_empty()) {
            let mut crossed = 0;
            for _ in 0..2000 {
                let (east, north) = offset_km(&mut rng, place);
                let outside = place.edges.iter().any(|e| {
                    let (ux, uy) = e.dir.unit();
                    east * ux + north * uy > e.km + 1e-9
                });
                crossed += u32::from(outside);
            }
            assert_eq!(
                crossed, 0,
                "{}: points beyond its coast or border",
                place.name
            );
        }
    }

    #[test]
    fn weighted_picks_cover_every_bucket_and_only_those_with_weight() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut seen = [0u32; 4];
        for _ in 0..4000 {
            seen[pick_weighted(&mut rng, &[1, 0, 2, 1])] += 1;
        }
        assert_eq!(seen[1], 0);
        assert!(seen[2] > seen[0] && seen[2] > seen[3], "{seen:?}");
        let cumulative = [3, 3, 10];
        for _ in 0..1000 {
            assert_ne!(pick_cumulative(&mut rng, &cumulative), 1);
        }
    }
}
