//! Kinds of facility: what each offers (taxonomy categories), who runs it, where it is
//! common, when it opens and what it is called in English, Swahili, French and Portuguese.

use crate::hours::*;

/// Who runs a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sector {
    Public,
    Ngo,
    /// A UN agency: IOM, UNHCR, UNFPA, UNICEF.
    Un,
    Faith,
    Private,
}

impl Sector {
    pub(crate) const ALL: [Sector; 5] = [
        Sector::Public,
        Sector::Ngo,
        Sector::Un,
        Sector::Faith,
        Sector::Private,
    ];

    pub(crate) const fn index(self) -> usize {
        match self {
            Sector::Public => 0,
            Sector::Ngo => 1,
            Sector::Un => 2,
            Sector::Faith => 3,
            Sector::Private => 4,
        }
    }
}

/// Share of each sector, in percent, by place kind (city, town, border crossing, camp).
pub(crate) const SECTOR_SHARE: [[u32; 5]; 4] = [
    // Public, NGO, UN, faith, private
    [30, 15, 5, 10, 40],
    [40, 13, 5, 14, 28],
    [37, 24, 12, 5, 22],
    [15, 55, 15, 8, 7],
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fk {
    Hospital,
    HealthCentre,
    Post,
    PrivateClinic,
    Pharmacy,
    Laboratory,
    HivTb,
    Maternity,
    Gbv,
    Mental,
    DropIn,
    YouthSrh,
    MigrantHealth,
    Legal,
    Shelter,
    Nutrition,
    Disability,
    Mobile,
    Roadside,
}

/// Name templates in the four registers (English, Swahili, French, Portuguese). `{}` is the
/// locality, `{b}` a brand word; an empty list falls back to English.
pub(crate) type Templates = [&'static [&'static str]; 4];

pub(crate) struct KindSpec {
    pub kind: Fk,
    /// Categories it always offers.
    pub core: &'static [&'static str],
    /// Categories it may offer, with the chance in percent.
    pub extra: &'static [(&'static str, u32)],
    /// Relative frequency within each sector (public, NGO, UN, faith, private).
    pub sector_weight: [u32; 5],
    /// Multiplier in percent by place kind (city, town, border crossing, camp).
    pub place_factor: [u32; 4],
    /// Opening hours with relative weights.
    pub hours: &'static [(&'static str, u32)],
    /// What it is, for names that lead with an organisation ("MSF Clinic Ifo") and for the
    /// description: English, French, Portuguese.
    pub noun: [&'static str; 3],
    /// The same when a UN agency runs it, if it differs.
    pub un_noun: Option<[&'static str; 3]>,
    /// Names without a brand.
    pub generic: Templates,
    /// Names of private services, led by a brand word.
    pub branded: Templates,
}

const NONE: &[&str] = &[];

pub(crate) static KINDS: &[KindSpec] = &[
    KindSpec {
        kind: Fk::Hospital,
        core: &["primary_care", "emergency", "maternal", "laboratory"],
        extra: &[
            ("hiv", 70),
            ("tb", 60),
            ("child_health", 80),
            ("immunization", 50),
            ("srh", 50),
            ("mental_health", 25),
            ("pharmacy", 60),
            ("malaria", 70),
            ("nutrition", 30),
            ("gbv", 35),
            ("disability", 10),
        ],
        sector_weight: [8, 2, 0, 22, 5],
        place_factor: [100, 100, 60, 60],
        hours: &[(ALWAYS, 1)],
        noun: ["Hospital", "Hôpital", "Hospital"],
        un_noun: None,
        generic: [
            &["{} Hospital"],
            &["Hospitali ya {}"],
            &["Hôpital de {}"],
            &["Hospital de {}"],
        ],
        branded: [
            &["{b} Hospital"],
            &["{b} Hospital"],
            &["Clinique {b}", "Hôpital Privé {b}"],
            &["Hospital Privado {b}", "Clínica {b}"],
        ],
    },
    KindSpec {
        kind: Fk::HealthCentre,
        core: &["primary_care"],
        extra: &[
            ("maternal", 55),
            ("child_health", 70),
            ("immunization", 65),
            ("hiv", 55),
            ("tb", 40),
            ("malaria", 60),
            ("srh", 45),
            ("nutrition", 25),
            ("laboratory", 30),
            ("pharmacy", 30),
            ("gbv", 12),
            ("mental_health", 8),
            ("psychosocial", 8),
        ],
        sector_weight: [35, 16, 0, 35, 0],
        place_factor: [100, 110, 100, 130],
        hours: &[
            (WEEKDAYS_SAT, 3),
            (WEEKDAYS_SAT_PH_OFF, 3),
            (DAILY_7_19, 2),
            (WEEKDAYS_EARLY, 1),
            (WEEKDAYS_SAT_MORNING, 2),
        ],
        noun: ["Health Centre", "Centre de Santé", "Centro de Saúde"],
        un_noun: None,
        generic: [
            &["{} Health Centre", "{} Community Health Centre"],
            &["Kituo cha Afya {}"],
            &["Centre de Santé de {}"],
            &["Centro de Saúde de {}"],
        ],
        branded: [NONE; 4],
    },
    KindSpec {
        kind: Fk::Post,
        core: &["primary_care"],
        extra: &[
            ("immunization", 50),
            ("malaria", 60),
            ("child_health", 40),
            ("maternal", 20),
            ("hiv", 25),
            ("tb", 12),
            ("nutrition", 20),
        ],
        sector_weight: [30, 10, 0, 15, 0],
        place_factor: [70, 120, 120, 150],
        hours: &[
            (WEEKDAYS, 3),
            (WEEKDAYS_PH_OFF, 2),
            (WEEKDAYS_EARLY, 2),
            (WEEKDAYS_SAT_MORNING, 1),
        ],
        noun: ["Health Post", "Poste de Santé", "Posto de Saúde"],
        un_noun: None,
        generic: [
            &["{} Health Post", "{} Dispensary"],
            &["Zahanati ya {}"],
            &["Poste de Santé de {}"],
            &["Posto de Saúde de {}"],
        ],
        branded: [NONE; 4],
    },
    KindSpec {
        kind: Fk::PrivateClinic,
        core: &["primary_care"],
        extra: &[
            ("laboratory", 40),
            ("pharmacy", 40),
            ("maternal", 12),
            ("srh", 20),
            ("hiv", 20),
            ("malaria", 45),
            ("child_health", 20),
        ],
        sector_weight: [0, 0, 0, 0, 32],
        place_factor: [120, 100, 80, 30],
        hours: &[
            (MON_SAT_8_18, 3),
            (DAILY_7_19, 2),
            (DAILY_8_20, 2),
            (WEEKDAYS_SAT, 1),
            (ALWAYS, 1),
        ],
        noun: ["Clinic", "Clinique", "Clínica"],
        un_noun: None,
        generic: [
            &["{} Clinic"],
            NONE,
            &["Clinique de {}"],
            &["Clínica de {}"],
        ],
        branded: [
            &[
                "{b} Medical Centre",
                "{b} Clinic",
                "{b} Medical Clinic",
                "{b} Nursing Home",
            ],
            &["Kliniki ya {b}", "{b} Dispensary", "{b} Medical Centre"],
            &["Clinique {b}", "Polyclinique {b}", "Centre Médical {b}"],
            &["Clínica {b}", "Centro Médico {b}", "Policlínica {b}"],
        ],
    },
    KindSpec {
        kind: Fk::Pharmacy,
        core: &["pharmacy"],
        extra: &[("srh", 12)],
        sector_weight: [1, 0, 0, 0, 38],
        place_factor: [120, 100, 90, 30],
        hours: &[
            (PHARMACY, 3),
            (PHARMACY_SUNDAY, 2),
            (PHARMACY_LATE, 2),
            (PHARMACY_ROTA, 1),
            (ALWAYS, 1),
        ],
        noun: ["Pharmacy", "Pharmacie", "Farmácia"],
        un_noun: None,
        generic: [
            &["{} Pharmacy"],
            &["Duka la Dawa {}"],
            &["Pharmacie de {}"],
            &["Farmácia de {}"],
        ],
        branded: [
            &["{b} Pharmacy", "{b} Chemist", "{b} Pharmaceuticals"],
            &["Duka la Dawa {b}", "{b} Pharmacy"],
            &["Pharmacie {b}"],
            &["Farmácia {b}"],
        ],
    },
    KindSpec {
        kind: Fk::Laboratory,
        core: &["laboratory"],
        extra: &[("hiv", 20), ("tb", 12)],
        sector_weight: [2, 0, 0, 0, 14],
        place_factor: [120, 90, 60, 30],
        hours: &[(LABORATORY, 3), (MON_SAT_8_18, 2), (DAILY_7_19, 1)],
        noun: ["Laboratory", "Laboratoire", "Laboratório"],
        un_noun: None,
        generic: [
            &["{} Public Health Laboratory"],
            &["Maabara ya {}"],
            &["Laboratoire de {}"],
            &["Laboratório de {}"],
        ],
        branded: [
            &[
                "{b} Medical Laboratory",
                "{b} Diagnostic Centre",
                "{b} Labs",
            ],
            &["Maabara ya {b}", "{b} Laboratory"],
            &["Laboratoire {b}", "Laboratoire d'Analyses Médicales {b}"],
            &["Laboratório {b}", "Laboratório de Análises Clínicas {b}"],
        ],
    },
    KindSpec {
        kind: Fk::HivTb,
        core: &["hiv"],
        extra: &[
            ("tb", 70),
            ("srh", 40),
            ("laboratory", 30),
            ("pharmacy", 30),
            ("psychosocial", 30),
            ("harm_reduction", 5),
        ],
        sector_weight: [8, 8, 0, 4, 0],
        place_factor: [100, 100, 120, 100],
        hours: &[
            (WEEKDAYS, 3),
            (WEEKDAYS_PH_OFF, 2),
            (WEEKDAYS_EARLY, 1),
            (WEEKDAYS_SAT, 1),
        ],
        noun: [
            "HIV Clinic",
            "Centre de Traitement Ambulatoire",
            "Hospital de Dia",
        ],
        un_noun: None,
        generic: [
            &[
                "{} Comprehensive Care Centre",
                "{} ART Clinic",
                "{} HIV Care Clinic",
            ],
            &["Kliniki ya CTC {}", "{} CTC Clinic"],
            &[
                "Centre de Traitement Ambulatoire de {}",
                "Centre de Dépistage Volontaire de {}",
            ],
            &[
                "Hospital de Dia de {}",
                "Centro de Aconselhamento e Testagem de {}",
            ],
        ],
        branded: [NONE; 4],
    },
    KindSpec {
        kind: Fk::Maternity,
        core: &["maternal", "child_health"],
        extra: &[
            ("immunization", 70),
            ("srh", 50),
            ("nutrition", 30),
            ("hiv", 30),
        ],
        sector_weight: [6, 3, 0, 5, 4],
        place_factor: [100, 100, 80, 100],
        hours: &[(ALWAYS, 3), (DAILY_7_19, 1)],
        noun: ["Maternity", "Maternité", "Maternidade"],
        un_noun: None,
        generic: [
            &[
                "{} Maternity",
                "{} Maternity Home",
                "{} MCH Clinic",
                "{} Maternal and Child Health Centre",
            ],
            &["Kliniki ya Mama na Mtoto {}"],
            &[
                "Maternité de {}",
                "Centre de Santé Maternelle et Infantile de {}",
            ],
            &[
                "Maternidade de {}",
                "Centro de Saúde Materno-Infantil de {}",
            ],
        ],
        branded: [
            &["{b} Maternity and Nursing Home", "{b} Maternity Home"],
            &["{b} Maternity Home"],
            &["Maternité {b}"],
            &["Maternidade {b}"],
        ],
    },
    KindSpec {
        kind: Fk::Gbv,
        core: &["gbv", "psychosocial"],
        extra: &[
            ("legal_aid", 55),
            ("mental_health", 40),
            ("emergency", 25),
            ("shelter", 20),
            ("srh", 40),
            ("hiv", 30),
        ],
        sector_weight: [3, 12, 6, 1, 0],
        place_factor: [100, 90, 150, 200],
        hours: &[(ALWAYS, 3), (OFFICE, 2), (WEEKDAYS, 1)],
        noun: [
            "GBV Centre",
            "Centre de Prise en Charge des Violences",
            "Centro de Atendimento às Vítimas de Violência",
        ],
        un_noun: Some([
            "Women and Girls Safe Space",
            "Espace Sûr pour Femmes et Filles",
            "Espaço Seguro para Mulheres e Raparigas",
        ]),
        generic: [
            &[
                "{} GBV One-Stop Centre",
                "{} Gender Violence Recovery Centre",
                "{} SGBV Response Centre",
                "{} Women and Girls Safe Space",
            ],
            NONE,
            &[
                "Centre de Prise en Charge des Violences Sexuelles de {}",
                "Maison d'Écoute de {}",
            ],
            &[
                "Centro de Atendimento Integrado de {}",
                "Gabinete de Atendimento à Mulher e Criança de {}",
            ],
        ],
        branded: [NONE; 4],
    },
    KindSpec {
        kind: Fk::Mental,
        core: &["psychosocial"],
        extra: &[
            ("mental_health", 65),
            ("gbv", 20),
            ("disability", 10),
            ("harm_reduction", 8),
        ],
        sector_weight: [2, 10, 4, 3, 2],
        place_factor: [100, 80, 120, 200],
        hours: &[
            (OFFICE, 3),
            (OFFICE_EARLY, 2),
            (OFFICE_SHORT_FRIDAY, 2),
            (WEEKDAYS, 1),
        ],
        noun: [
            "Psychosocial Support Centre",
            "Centre d'Écoute Psychosociale",
            "Centro de Apoio Psicossocial",
        ],
        un_noun: Some([
            "MHPSS Centre",
            "Centre de Soutien Psychosocial",
            "Centro de Apoio Psicossocial",
        ]),
        generic: [
            &[
                "{} Psychosocial Support Centre",
                "{} Mental Health Clinic",
                "{} Counselling Centre",
                "{} Wellbeing Centre",
            ],
            NONE,
            &[
                "Centre de Santé Mentale de {}",
                "Centre d'Écoute Psychosociale de {}",
            ],
            &[
                "Centro de Saúde Mental de {}",
                "Centro de Apoio Psicossocial de {}",
            ],
        ],
        branded: [
            &["{b} Counselling Centre", "{b} Wellness Centre"],
            NONE,
            &["Cabinet de Psychologie {b}"],
            &["Consultório de Psicologia {b}"],
        ],
    },
    KindSpec {
        kind: Fk::DropIn,
        core: &["harm_reduction", "hiv"],
        extra: &[
            ("srh", 60),
            ("tb", 30),
            ("psychosocial", 40),
            ("mental_health", 15),
            ("primary_care", 20),
        ],
        sector_weight: [1, 6, 0, 0, 0],
        place_factor: [130, 70, 200, 30],
        hours: &[
            (OFFICE_EARLY, 2),
            (OFFICE, 2),
            (MON_SAT_8_18, 1),
            (AFTERNOONS, 1),
        ],
        noun: [
            "Drop-in Centre",
            "Centre d'Accueil",
            "Centro de Acolhimento",
        ],
        un_noun: None,
        generic: [
            &[
                "{} Drop-in Centre",
                "{} DICE",
                "{} Harm Reduction Centre",
                "{} Key Population Clinic",
            ],
            NONE,
            &[
                "Centre d'Accueil de {}",
                "Centre de Réduction des Risques de {}",
            ],
            &[
                "Centro de Acolhimento de {}",
                "Centro de Redução de Danos de {}",
            ],
        ],
        branded: [NONE; 4],
    },
    KindSpec {
        kind: Fk::YouthSrh,
        core: &["srh"],
        extra: &[
            ("hiv", 60),
            ("gbv", 20),
            ("psychosocial", 20),
            ("maternal", 10),
        ],
        sector_weight: [3, 6, 2, 1, 0],
        place_factor: [110, 100, 80, 100],
        hours: &[
            (OFFICE_EARLY, 2),
            (MON_SAT_8_18, 1),
            (OFFICE, 1),
            (YOUTH, 1),
        ],
        noun: ["Youth Centre", "Centre Jeunes", "Centro Jovem"],
        un_noun: Some(["Youth-Friendly Corner", "Espace Jeunes", "Espaço Jovem"]),
        generic: [
            &[
                "{} Youth-Friendly Centre",
                "{} Youth Centre",
                "{} Family Planning Clinic",
            ],
            NONE,
            &[
                "Centre Jeunes de {}",
                "Centre de Planification Familiale de {}",
            ],
            &["SAAJ de {}", "Centro de Planeamento Familiar de {}"],
        ],
        branded: [NONE; 4],
    },
    KindSpec {
        kind: Fk::MigrantHealth,
        core: &["primary_care"],
        extra: &[
            ("tb", 50),
            ("hiv", 40),
            ("immunization", 40),
            ("malaria", 35),
            ("psychosocial", 30),
            ("gbv", 15),
            ("srh", 20),
        ],
        sector_weight: [2, 3, 40, 0, 0],
        place_factor: [40, 60, 250, 150],
        hours: &[(BORDER, 3), (ALWAYS, 2), (DAILY_7_19, 1)],
        noun: [
            "Migrant Health Point",
            "Point Santé Migrants",
            "Posto de Saúde para Migrantes",
        ],
        un_noun: None,
        // Public ones are port health; others are resource centres (see names.rs).
        generic: [
            &["{} Port Health Unit", "{} Border Health Post"],
            NONE,
            &["Poste de Santé Frontalier de {}"],
            &["Posto de Saúde de {}", "Posto de Saúde Fronteiriço de {}"],
        ],
        branded: [NONE; 4],
    },
    KindSpec {
        kind: Fk::Legal,
        core: &["legal_aid"],
        extra: &[("gbv", 40), ("psychosocial", 30), ("shelter", 8)],
        sector_weight: [0, 7, 6, 1, 0],
        place_factor: [100, 70, 150, 200],
        hours: &[(OFFICE, 3), (OFFICE_EARLY, 2), (OFFICE_SHORT_FRIDAY, 1)],
        noun: [
            "Legal Aid Office",
            "Bureau d'Assistance Juridique",
            "Gabinete de Assistência Jurídica",
        ],
        un_noun: Some([
            "Protection Desk",
            "Bureau de Protection",
            "Balcão de Proteção",
        ]),
        generic: [
            &[
                "{} Legal Aid Clinic",
                "{} Refugee Legal Aid Desk",
                "{} Paralegal Office",
            ],
            NONE,
            &[
                "Clinique Juridique de {}",
                "Bureau d'Assistance Juridique de {}",
            ],
            &[
                "Clínica Jurídica de {}",
                "Gabinete de Assistência Jurídica de {}",
            ],
        ],
        branded: [NONE; 4],
    },
    KindSpec {
        kind: Fk::Shelter,
        core: &["shelter"],
        extra: &[
            ("gbv", 50),
            ("psychosocial", 60),
            ("primary_care", 15),
            ("nutrition", 20),
        ],
        sector_weight: [1, 5, 4, 4, 0],
        place_factor: [100, 60, 200, 150],
        hours: &[(ALWAYS, 1)],
        noun: ["Safe House", "Maison d'Accueil", "Casa Abrigo"],
        un_noun: Some(["Transit Centre", "Centre de Transit", "Centro de Trânsito"]),
        generic: [
            &[
                "{} Safe House",
                "{} Transit Centre",
                "{} Women's Shelter",
                "{} Migrant Shelter",
            ],
            NONE,
            &[
                "Maison d'Accueil de {}",
                "Centre de Transit de {}",
                "Refuge pour Femmes de {}",
            ],
            &["Casa Abrigo de {}", "Centro de Trânsito de {}"],
        ],
        branded: [NONE; 4],
    },
    KindSpec {
        kind: Fk::Nutrition,
        core: &["nutrition", "child_health"],
        extra: &[
            ("immunization", 40),
            ("malaria", 25),
            ("primary_care", 30),
            ("maternal", 15),
        ],
        sector_weight: [1, 7, 3, 2, 0],
        place_factor: [60, 100, 100, 300],
        hours: &[(WEEKDAYS, 3), (WEEKDAYS_EARLY, 2), (DAILY_7_19, 1)],
        noun: [
            "Nutrition Centre",
            "Centre Nutritionnel",
            "Centro Nutricional",
        ],
        un_noun: None,
        generic: [
            &[
                "{} Nutrition Centre",
                "{} Stabilisation Centre",
                "{} OTP Site",
            ],
            NONE,
            &[
                "Centre Nutritionnel de {}",
                "Unité Nutritionnelle Thérapeutique de {}",
            ],
            &["Centro de Reabilitação Nutricional de {}"],
        ],
        branded: [NONE; 4],
    },
    KindSpec {
        kind: Fk::Disability,
        core: &["disability"],
        extra: &[
            ("psychosocial", 40),
            ("mental_health", 15),
            ("child_health", 15),
        ],
        sector_weight: [1, 3, 0, 2, 1],
        place_factor: [100, 80, 60, 150],
        hours: &[(WEEKDAYS, 3), (OFFICE_EARLY, 2), (WEEKDAYS_EARLY, 1)],
        noun: [
            "Rehabilitation Centre",
            "Centre de Réadaptation",
            "Centro de Reabilitação",
        ],
        un_noun: None,
        generic: [
            &[
                "{} Rehabilitation Centre",
                "{} Physiotherapy and Rehabilitation Centre",
                "{} Disability Resource Centre",
            ],
            NONE,
            &[
                "Centre de Réadaptation de {}",
                "Centre d'Appareillage de {}",
            ],
            &["Centro de Reabilitação de {}", "Centro Ortopédico de {}"],
        ],
        branded: [
            &["{b} Physiotherapy"],
            NONE,
            &["Cabinet de Kinésithérapie {b}"],
            &["Clínica de Fisioterapia {b}"],
        ],
    },
    KindSpec {
        kind: Fk::Mobile,
        core: &["primary_care"],
        extra: &[
            ("immunization", 50),
            ("malaria", 45),
            ("nutrition", 30),
            ("hiv", 30),
            ("srh", 25),
            ("tb", 20),
        ],
        sector_weight: [3, 8, 4, 1, 0],
        place_factor: [60, 120, 150, 150],
        hours: &[(MOBILE_TU_TH, 2), (MOBILE_MO_WE_FR, 2), (MOBILE_WEEKLY, 1)],
        noun: ["Mobile Clinic", "Clinique Mobile", "Clínica Móvel"],
        un_noun: None,
        generic: [
            &[
                "{} Mobile Clinic",
                "{} Outreach Team",
                "{} Mobile Health Unit",
            ],
            NONE,
            &["Clinique Mobile de {}", "Équipe Mobile de {}"],
            &["Brigada Móvel de {}", "Clínica Móvel de {}"],
        ],
        branded: [NONE; 4],
    },
    KindSpec {
        kind: Fk::Roadside,
        core: &["primary_care", "hiv"],
        extra: &[("tb", 50), ("srh", 60), ("malaria", 30)],
        sector_weight: [0, 6, 0, 0, 0],
        place_factor: [0, 0, 100, 0],
        hours: &[(ROADSIDE, 2), (BORDER, 1)],
        noun: [
            "Roadside Wellness Centre",
            "Roadside Wellness Centre",
            "Roadside Wellness Centre",
        ],
        un_noun: None,
        generic: [&["{} Roadside Wellness Centre"], NONE, NONE, NONE],
        branded: [NONE; 4],
    },
];

/// What a category means, in the words of a description.
pub(crate) fn category_label(code: &str) -> &'static str {
    match code {
        "primary_care" => "outpatient care",
        "hiv" => "HIV testing and treatment",
        "tb" => "TB screening and treatment",
        "malaria" => "malaria testing and treatment",
        "maternal" => "antenatal and delivery care",
        "child_health" => "child health",
        "immunization" => "immunization",
        "srh" => "family planning and sexual health",
        "gbv" => "care after sexual and gender-based violence",
        "mental_health" => "mental health care",
        "psychosocial" => "psychosocial support",
        "nutrition" => "nutrition screening and treatment",
        "emergency" => "emergency care",
        "pharmacy" => "medicines",
        "laboratory" => "laboratory tests",
        "disability" => "rehabilitation for people with disabilities",
        "harm_reduction" => "harm reduction",
        "legal_aid" => "legal aid and help with documents",
        "shelter" => "safe shelter",
        _ => "other services",
    }
}
