//! Who runs services besides governments and private owners: NGOs, UN agencies, churches and
//! Islamic charities. Names are those the organisations use in each language.

use crate::facilities::Fk;
use crate::facilities::Fk::*;

/// A non-governmental organisation and where, and what, it runs.
pub(crate) struct Ngo {
    /// Full name in English, French and Portuguese.
    pub name: [&'static str; 3],
    /// The short name that leads a facility name ("MSF Clinic Ifo").
    pub short: &'static str,
    /// Countries it works in; empty for all of them.
    pub countries: &'static [&'static str],
    pub kinds: &'static [Fk],
}

const fn same(name: &'static str) -> [&'static str; 3] {
    [name, name, name]
}

pub(crate) static NGOS: &[Ngo] = &[
    Ngo {
        name: [
            "Médecins Sans Frontières",
            "Médecins Sans Frontières",
            "Médicos Sem Fronteiras",
        ],
        short: "MSF",
        countries: &[
            "KE", "UG", "TZ", "SS", "ET", "SO", "CD", "MW", "MZ", "ZW", "ZA", "BI",
        ],
        kinds: &[
            Hospital,
            HealthCentre,
            Post,
            HivTb,
            Mental,
            Nutrition,
            Mobile,
            Maternity,
            Gbv,
        ],
    },
    Ngo {
        name: [
            "International Rescue Committee",
            "Comité International de Secours",
            "International Rescue Committee",
        ],
        short: "IRC",
        countries: &["KE", "UG", "TZ", "SS", "ET", "SO", "CD", "BI"],
        kinds: &[HealthCentre, Post, Gbv, Mental, Nutrition, Mobile, Legal],
    },
    Ngo {
        name: same("International Medical Corps"),
        short: "IMC",
        countries: &["SS", "ET", "SO", "CD"],
        kinds: &[HealthCentre, Post, Mental, Nutrition, Mobile, Gbv],
    },
    Ngo {
        name: same("Medical Teams International"),
        short: "MTI",
        countries: &["UG"],
        kinds: &[HealthCentre, Post, HivTb, Nutrition, Mobile, Maternity],
    },
    Ngo {
        name: same("Alight"),
        short: "Alight",
        countries: &["RW", "UG", "SO"],
        kinds: &[HealthCentre, Post, Maternity, Mobile, Nutrition],
    },
    Ngo {
        name: same("Save the Children"),
        short: "Save the Children",
        countries: &[],
        kinds: &[Nutrition, HealthCentre, Post, Mobile, Mental, YouthSrh],
    },
    Ngo {
        name: [
            "Action Against Hunger",
            "Action contre la Faim",
            "Acção Contra a Fome",
        ],
        short: "ACF",
        countries: &["SO", "SS", "ET", "KE", "UG", "CD", "MG", "TZ"],
        kinds: &[Nutrition, Mental, Mobile],
    },
    Ngo {
        name: same("World Vision"),
        short: "World Vision",
        countries: &[],
        kinds: &[Nutrition, Mobile, HealthCentre],
    },
    Ngo {
        name: same("Amref Health Africa"),
        short: "Amref",
        countries: &["KE", "UG", "TZ", "ET", "SS", "ZA", "MW", "ZM", "SO"],
        kinds: &[HealthCentre, Mobile, HivTb, YouthSrh, Maternity],
    },
    Ngo {
        name: same("MSI Reproductive Choices"),
        short: "MSI",
        countries: &[
            "KE", "UG", "TZ", "ET", "ZW", "ZA", "ZM", "MW", "MZ", "SO", "MG",
        ],
        kinds: &[YouthSrh, Maternity],
    },
    Ngo {
        name: same("Elizabeth Glaser Pediatric AIDS Foundation"),
        short: "EGPAF",
        countries: &["KE", "TZ", "UG", "MW", "MZ", "ZW", "LS", "SZ", "CD"],
        kinds: &[HivTb],
    },
    Ngo {
        name: same("Partners In Health"),
        short: "PIH",
        countries: &["RW", "MW", "LS"],
        kinds: &[Hospital, HealthCentre, HivTb, Mental],
    },
    Ngo {
        name: same("HIAS"),
        short: "HIAS",
        countries: &["KE", "UG", "CD", "RW"],
        kinds: &[Mental, Legal, Gbv],
    },
    Ngo {
        name: [
            "Jesuit Refugee Service",
            "Service Jésuite des Réfugiés",
            "Serviço Jesuíta aos Refugiados",
        ],
        short: "JRS",
        countries: &["KE", "UG", "ET", "MW", "ZA", "ZW", "SS", "CD", "MZ"],
        kinds: &[Mental, Legal, Shelter],
    },
    Ngo {
        name: [
            "Norwegian Refugee Council",
            "Conseil Norvégien pour les Réfugiés",
            "Conselho Norueguês para os Refugiados",
        ],
        short: "NRC",
        countries: &["KE", "UG", "SO", "ET", "SS", "CD", "TZ", "DJ", "MZ"],
        kinds: &[Legal, Shelter],
    },
    Ngo {
        name: [
            "Danish Refugee Council",
            "Conseil Danois pour les Réfugiés",
            "Conselho Dinamarquês para os Refugiados",
        ],
        short: "Danish Refugee Council",
        countries: &["KE", "UG", "SO", "ET", "SS", "CD", "DJ"],
        kinds: &[Legal, Mental, Shelter, Gbv],
    },
    Ngo {
        name: [
            "Humanity & Inclusion",
            "Humanité & Inclusion",
            "Humanidade & Inclusão",
        ],
        short: "HI",
        countries: &["KE", "UG", "RW", "BI", "SS", "SO", "ET", "CD", "MZ", "MG"],
        kinds: &[Disability, Mental],
    },
    Ngo {
        name: same("TPO Uganda"),
        short: "TPO",
        countries: &["UG"],
        kinds: &[Mental, Gbv],
    },
    Ngo {
        name: same("Refugee Law Project"),
        short: "Refugee Law Project",
        countries: &["UG"],
        kinds: &[Legal, Mental],
    },
    Ngo {
        name: same("Kituo cha Sheria"),
        short: "Kituo cha Sheria",
        countries: &["KE"],
        kinds: &[Legal],
    },
    Ngo {
        name: same("Legal and Human Rights Centre"),
        short: "LHRC",
        countries: &["TZ"],
        kinds: &[Legal],
    },
    Ngo {
        name: same("Lawyers for Human Rights"),
        short: "LHR",
        countries: &["ZA"],
        kinds: &[Legal],
    },
    Ngo {
        name: same("Scalabrini Centre"),
        short: "Scalabrini",
        countries: &["ZA"],
        kinds: &[Legal, Shelter],
    },
    Ngo {
        name: same("Sonke Gender Justice"),
        short: "Sonke",
        countries: &["ZA"],
        kinds: &[Gbv],
    },
    Ngo {
        name: ["Médecins du Monde", "Médecins du Monde", "Médicos do Mundo"],
        short: "MdM",
        countries: &["CD", "ET", "KE", "MG", "MZ"],
        kinds: &[HealthCentre, Mobile, DropIn, Gbv, Mental],
    },
    Ngo {
        name: same("ALIMA"),
        short: "ALIMA",
        countries: &["CD", "ET"],
        kinds: &[Nutrition, HealthCentre],
    },
    Ngo {
        name: same("HEAL Africa"),
        short: "HEAL Africa",
        countries: &["CD"],
        kinds: &[Hospital, Gbv],
    },
    Ngo {
        name: same("Fondation Panzi"),
        short: "Panzi",
        countries: &["CD"],
        kinds: &[Gbv, Legal],
    },
    Ngo {
        name: same("North Star Alliance"),
        short: "North Star",
        countries: &[],
        kinds: &[Roadside],
    },
    Ngo {
        name: same("Tanganyika Christian Refugee Service"),
        short: "TCRS",
        countries: &["TZ"],
        kinds: &[HealthCentre, Post],
    },
    Ngo {
        name: same("GOAL"),
        short: "GOAL",
        countries: &["ET", "SS"],
        kinds: &[Nutrition, HealthCentre],
    },
    Ngo {
        name: same("CARE International"),
        short: "CARE",
        countries: &["SO", "ET", "UG", "KE", "RW", "BI", "MZ", "MG"],
        kinds: &[Gbv, YouthSrh],
    },
    Ngo {
        name: same("Plan International"),
        short: "Plan",
        countries: &[],
        kinds: &[YouthSrh, Gbv],
    },
    Ngo {
        name: [
            "Doctors with Africa CUAMM",
            "Médecins avec l'Afrique CUAMM",
            "Médicos com África CUAMM",
        ],
        short: "CUAMM",
        countries: &["ET", "SS", "TZ", "UG", "MZ"],
        kinds: &[Hospital, Maternity, HealthCentre],
    },
    Ngo {
        name: same("Première Urgence Internationale"),
        short: "PUI",
        countries: &["CD"],
        kinds: &[HealthCentre, Mental],
    },
    Ngo {
        name: same("LVCT Health"),
        short: "LVCT",
        countries: &["KE"],
        kinds: &[HivTb, YouthSrh, Gbv, DropIn],
    },
    Ngo {
        name: same("Sex Workers Outreach Programme"),
        short: "SWOP",
        countries: &["KE"],
        kinds: &[DropIn],
    },
    Ngo {
        name: same("The AIDS Support Organisation"),
        short: "TASO",
        countries: &["UG"],
        kinds: &[HivTb, Mental],
    },
    Ngo {
        name: same("Reproductive Health Uganda"),
        short: "RHU",
        countries: &["UG"],
        kinds: &[YouthSrh],
    },
    Ngo {
        name: same("Family Health Options Kenya"),
        short: "FHOK",
        countries: &["KE"],
        kinds: &[YouthSrh],
    },
    Ngo {
        name: same("Family Guidance Association of Ethiopia"),
        short: "FGAE",
        countries: &["ET"],
        kinds: &[YouthSrh],
    },
    Ngo {
        name: same("TB HIV Care"),
        short: "TB HIV Care",
        countries: &["ZA"],
        kinds: &[DropIn, HivTb],
    },
    Ngo {
        name: same("Anova Health Institute"),
        short: "Anova",
        countries: &["ZA"],
        kinds: &[HivTb, DropIn],
    },
    Ngo {
        name: same("Pathfinder International"),
        short: "Pathfinder",
        countries: &["MZ", "ET", "TZ", "UG", "KE"],
        kinds: &[YouthSrh],
    },
    Ngo {
        name: same("ICAP"),
        short: "ICAP",
        countries: &["MZ", "KE", "ET", "ZM", "LS", "SZ"],
        kinds: &[HivTb],
    },
    Ngo {
        name: same("Health Link South Sudan"),
        short: "HLSS",
        countries: &["SS"],
        kinds: &[HealthCentre, Post, Mobile],
    },
    Ngo {
        name: same("SOS Children's Villages"),
        short: "SOS",
        countries: &["SO", "ET"],
        kinds: &[Hospital, Maternity, Nutrition],
    },
    Ngo {
        name: same("Union Nationale des Femmes Djiboutiennes"),
        short: "UNFD",
        countries: &["DJ"],
        kinds: &[Gbv, YouthSrh, Legal],
    },
    Ngo {
        name: same("Centre Seruka"),
        short: "Seruka",
        countries: &["BI"],
        kinds: &[Gbv],
    },
    Ngo {
        name: same("Haguruka"),
        short: "Haguruka",
        countries: &["RW"],
        kinds: &[Legal, Gbv],
    },
    Ngo {
        name: same("Associação Mulher, Lei e Desenvolvimento"),
        short: "MULEIDE",
        countries: &["MZ"],
        kinds: &[Legal, Gbv],
    },
    Ngo {
        name: same("Musasa"),
        short: "Musasa",
        countries: &["ZW"],
        kinds: &[Gbv, Shelter],
    },
    Ngo {
        name: same("Population Services Zimbabwe"),
        short: "PSZ",
        countries: &["ZW"],
        kinds: &[YouthSrh],
    },
    Ngo {
        name: same("YWCA of Zambia"),
        short: "YWCA",
        countries: &["ZM"],
        kinds: &[Gbv, Shelter],
    },
    Ngo {
        name: same("Banja La Mtsogolo"),
        short: "BLM",
        countries: &["MW"],
        kinds: &[YouthSrh],
    },
    Ngo {
        name: same("Legal Assistance Centre"),
        short: "LAC",
        countries: &["NA"],
        kinds: &[Legal],
    },
    Ngo {
        name: same("Botswana Family Welfare Association"),
        short: "BOFWA",
        countries: &["BW"],
        kinds: &[YouthSrh],
    },
    Ngo {
        name: same("Lesotho Planned Parenthood Association"),
        short: "LPPA",
        countries: &["LS"],
        kinds: &[YouthSrh],
    },
    Ngo {
        name: same("Eswatini Action Group Against Abuse"),
        short: "SWAGAA",
        countries: &["SZ"],
        kinds: &[Gbv],
    },
];

/// A UN agency: full name and short name in English, French and Portuguese.
pub(crate) struct Agency {
    pub name: [&'static str; 3],
    pub short: [&'static str; 3],
}

pub(crate) const IOM: Agency = Agency {
    name: [
        "IOM (International Organization for Migration)",
        "OIM (Organisation internationale pour les migrations)",
        "OIM (Organização Internacional para as Migrações)",
    ],
    short: ["IOM", "OIM", "OIM"],
};
pub(crate) const UNHCR: Agency = Agency {
    name: [
        "UNHCR (the UN Refugee Agency)",
        "HCR (Haut Commissariat des Nations unies pour les réfugiés)",
        "ACNUR (Alto Comissariado das Nações Unidas para os Refugiados)",
    ],
    short: ["UNHCR", "HCR", "ACNUR"],
};
pub(crate) const UNFPA: Agency = Agency {
    name: [
        "UNFPA (United Nations Population Fund)",
        "UNFPA (Fonds des Nations unies pour la population)",
        "UNFPA (Fundo de População das Nações Unidas)",
    ],
    short: ["UNFPA", "UNFPA", "UNFPA"],
};
pub(crate) const UNICEF: Agency = Agency {
    name: ["UNICEF", "UNICEF", "UNICEF"],
    short: ["UNICEF", "UNICEF", "UNICEF"],
};

/// Islamic charities that run clinics where Somali is the first language.
pub(crate) const ISLAMIC_ORGS: &[&str] = &["Islamic Relief", "Muslim Aid"];

/// Faith-based facility names in English, Swahili, French and Portuguese.
pub(crate) const MISSION_HOSPITAL: [&[&str]; 4] = [
    &[
        "{} Mission Hospital",
        "St. Joseph's Hospital {}",
        "{} Catholic Hospital",
        "{} Adventist Hospital",
        "St. Mary's Hospital {}",
        "{} Methodist Hospital",
    ],
    &[
        "{} Mission Hospital",
        "{} Lutheran Hospital",
        "{} Catholic Hospital",
    ],
    &[
        "Hôpital Saint-Joseph de {}",
        "Hôpital Catholique de {}",
        "Hôpital Adventiste de {}",
        "Hôpital Évangélique de {}",
    ],
    &[
        "Hospital Católico de {}",
        "Hospital Missionário de {}",
        "Hospital Metodista de {}",
    ],
];
pub(crate) const MISSION_CENTRE: [&[&str]; 4] = [
    &[
        "{} Mission Health Centre",
        "{} Catholic Dispensary",
        "St. Mary's Health Centre {}",
        "{} Adventist Clinic",
    ],
    &[
        "Zahanati ya Misheni {}",
        "{} Mission Dispensary",
        "{} Lutheran Health Centre",
    ],
    &[
        "Centre de Santé Catholique de {}",
        "Centre de Santé Saint-Joseph de {}",
        "Centre de Santé Évangélique de {}",
    ],
    &[
        "Centro de Saúde Católico de {}",
        "Centro de Saúde Missionário de {}",
    ],
];
pub(crate) const ISLAMIC_HOSPITAL: [&[&str]; 4] = [
    &["{} Islamic Hospital", "Al-Rahma Hospital {}"],
    &["{} Islamic Hospital"],
    &["Hôpital Islamique de {}"],
    &["Hospital Islâmico de {}"],
];
pub(crate) const ISLAMIC_CENTRE: [&[&str]; 4] = [
    &["{} Islamic Health Centre", "Al-Hayat Clinic {}"],
    &["{} Islamic Health Centre"],
    &["Centre de Santé Islamique de {}"],
    &["Centro de Saúde Islâmico de {}"],
];

/// English names of the language codes the gazetteer uses, for descriptions and the app.
pub(crate) const LANGUAGE_NAMES: &[(&str, &str)] = &[
    ("aa", "Afar"),
    ("ach", "Acholi"),
    ("af", "Afrikaans"),
    ("am", "Amharic"),
    ("anu", "Anuak"),
    ("ar", "Arabic"),
    ("bem", "Bemba"),
    ("bfa", "Bari"),
    ("din", "Dinka"),
    ("en", "English"),
    ("flr", "Fuliiru"),
    ("fr", "French"),
    ("haq", "Ha"),
    ("hz", "Otjiherero"),
    ("kck", "Kalanga"),
    ("kde", "Makonde"),
    ("keo", "Kakwa"),
    ("ki", "Kikuyu"),
    ("kj", "Oshikwanyama"),
    ("kln", "Kalenjin"),
    ("kuj", "Kuria"),
    ("lg", "Luganda"),
    ("lgg", "Lugbara"),
    ("ln", "Lingala"),
    ("loz", "Lozi"),
    ("lua", "Tshiluba"),
    ("luo", "Dholuo"),
    ("luy", "Luhya"),
    ("mas", "Maasai"),
    ("mg", "Malagasy"),
    ("mhi", "Ma'di"),
    ("nd", "isiNdebele"),
    ("ndc", "Ndau"),
    ("ng", "Oshindonga"),
    ("nnb", "Nande"),
    ("nso", "Sepedi"),
    ("nus", "Nuer"),
    ("ny", "Chichewa"),
    ("nyf", "Giryama"),
    ("nyu", "Nyungwe"),
    ("nyy", "Nyakyusa"),
    ("om", "Oromo"),
    ("pga", "Juba Arabic"),
    ("pt", "Portuguese"),
    ("rn", "Kirundi"),
    ("rng", "Ronga"),
    ("rw", "Kinyarwanda"),
    ("seh", "Sena"),
    ("shk", "Shilluk"),
    ("shr", "Mashi"),
    ("sn", "Shona"),
    ("so", "Somali"),
    ("ss", "siSwati"),
    ("st", "Sesotho"),
    ("suk", "Sukuma"),
    ("sw", "Swahili"),
    ("teo", "Teso"),
    ("ti", "Tigrinya"),
    ("tn", "Setswana"),
    ("toi", "Tonga"),
    ("ts", "Xitsonga"),
    ("tum", "Tumbuka"),
    ("ve", "Tshivenda"),
    ("vmw", "Makhuwa"),
    ("wmw", "Mwani"),
    ("xh", "isiXhosa"),
    ("yao", "Yao"),
    ("ymm", "Maay"),
    ("zu", "isiZulu"),
];

/// The English name of a language code used in the gazetteer (`so` → `Somali`).
pub fn language_name(code: &str) -> Option<&'static str> {
    LANGUAGE_NAMES
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .map(|i| LANGUAGE_NAMES[i].1)
}
