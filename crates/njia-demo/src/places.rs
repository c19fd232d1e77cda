//! The gazetteer: real places of East and Southern Africa where migrants live, cross or wait,
//! with the languages spoken there and the time zone their clocks keep.
//!
//! Coordinates are the place's centre to four decimals (about 10 m), from GeoNames where it
//! lists the place and from published maps of the settlement or border post where it does not.
//! Besides what the app reads (name, country, position, kind, languages, time zone), each place
//! carries how the generator scatters services around it: its neighbourhoods, how far services
//! spread, and the water or border lines they must not cross.

use njia_model::geo::{distance_m, Point};

/// What kind of place it is; it decides how far services spread and which services it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaceKind {
    /// A capital or large city: many services spread over a wide area.
    City,
    /// A town or a district of a city with its own character (Eastleigh).
    Town,
    /// A border town or crossing on a migration route: port health, IOM, truckers' clinics.
    BorderCrossing,
    /// A refugee camp, settlement or IDP site: NGO-run, free, interpreters.
    Camp,
}

impl PlaceKind {
    pub(crate) const fn index(self) -> usize {
        match self {
            PlaceKind::City => 0,
            PlaceKind::Town => 1,
            PlaceKind::BorderCrossing => 2,
            PlaceKind::Camp => 3,
        }
    }
}

/// One place of the gazetteer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    /// The name people use (`Nairobi`, `Kakuma`, `Ressano Garcia`).
    pub name: &'static str,
    /// ISO 3166-1 alpha-2 country code.
    pub country: &'static str,
    /// Latitude of the centre, WGS84 degrees, four decimals.
    pub lat: f64,
    /// Longitude of the centre, WGS84 degrees, four decimals.
    pub lon: f64,
    pub kind: PlaceKind,
    /// Share of the generated services: roughly the population in thousands, with camps and
    /// border crossings counted about double because a migration-health directory lists more
    /// services per head there.
    pub weight: u32,
    /// Languages spoken there (ISO 639-1, else 639-3), most widely spoken first.
    pub languages: &'static [&'static str],
    /// IANA time zone of the place (`Africa/Nairobi`).
    pub timezone: &'static str,
    /// Wards, estates, zones or blocks, used in service names and addresses.
    pub(crate) hoods: &'static [&'static str],
    /// Standard deviation of the scatter in km; 0 means the default for the kind and size.
    pub(crate) sigma_km: f64,
    /// Lines services do not cross: a coast, a lake shore, a border.
    pub(crate) edges: &'static [Edge],
}

/// A straight line `km` from the centre in direction `dir` (water or another country lies
/// beyond it). A point scattered past it is mirrored back, so services stay on the right side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Edge {
    pub dir: Dir,
    pub km: f64,
}

/// The eight compass points, as exact unit vectors (east, north): no trigonometry, so the
/// output is the same on every platform.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Dir {
    N,
    NE,
    E,
    SE,
    S,
    SW,
    W,
    NW,
}

impl Dir {
    pub(crate) fn unit(self) -> (f64, f64) {
        const H: f64 = std::f64::consts::FRAC_1_SQRT_2;
        match self {
            Dir::N => (0.0, 1.0),
            Dir::NE => (H, H),
            Dir::E => (1.0, 0.0),
            Dir::SE => (H, -H),
            Dir::S => (0.0, -1.0),
            Dir::SW => (-H, -H),
            Dir::W => (-1.0, 0.0),
            Dir::NW => (-H, H),
        }
    }
}

impl Place {
    /// How far services spread around the centre (one standard deviation, km).
    pub(crate) fn sigma(&self) -> f64 {
        if self.sigma_km > 0.0 {
            return self.sigma_km;
        }
        match self.kind {
            // Bigger cities sprawl further: Johannesburg about 7 km, Maseru about 3 km.
            PlaceKind::City => 2.0 + (self.weight as f64).sqrt() / 15.0,
            PlaceKind::Town => 2.0,
            PlaceKind::BorderCrossing => 1.0,
            PlaceKind::Camp => 3.0,
        }
    }
}

/// Every place of the gazetteer, grouped by country.
pub fn places() -> &'static [Place] {
    PLACES
}

/// The place whose centre is nearest to a point, for naming where a CHW stands ("near
/// Kakuma"); `None` only for coordinates off the globe.
pub fn nearest_place(lat: f64, lon: f64) -> Option<&'static Place> {
    let here = Point::new(lat, lon).ok()?;
    PLACES.iter().min_by(|a, b| {
        let da = distance_m(
            here,
            Point {
                lat: a.lat,
                lon: a.lon,
            },
        );
        let db = distance_m(
            here,
            Point {
                lat: b.lat,
                lon: b.lon,
            },
        );
        da.total_cmp(&db)
    })
}

// Country code and IANA zone. Zones are the country's own (Africa/Kampala, not the
// Africa/Nairobi it links to) so that a data officer sees the country they expect.
const KE: (&str, &str) = ("KE", "Africa/Nairobi");
const UG: (&str, &str) = ("UG", "Africa/Kampala");
const TZ: (&str, &str) = ("TZ", "Africa/Dar_es_Salaam");
const RW: (&str, &str) = ("RW", "Africa/Kigali");
const BI: (&str, &str) = ("BI", "Africa/Bujumbura");
const SS: (&str, &str) = ("SS", "Africa/Juba");
const ET: (&str, &str) = ("ET", "Africa/Addis_Ababa");
const SO: (&str, &str) = ("SO", "Africa/Mogadishu");
const DJ: (&str, &str) = ("DJ", "Africa/Djibouti");
// Eastern DRC (Kivu, Ituri, Katanga) keeps Central Africa Time, zone Africa/Lubumbashi.
const CD: (&str, &str) = ("CD", "Africa/Lubumbashi");
const ZM: (&str, &str) = ("ZM", "Africa/Lusaka");
const MW: (&str, &str) = ("MW", "Africa/Blantyre");
const MZ: (&str, &str) = ("MZ", "Africa/Maputo");
const ZW: (&str, &str) = ("ZW", "Africa/Harare");
const ZA: (&str, &str) = ("ZA", "Africa/Johannesburg");
const BW: (&str, &str) = ("BW", "Africa/Gaborone");
const NA: (&str, &str) = ("NA", "Africa/Windhoek");
const LS: (&str, &str) = ("LS", "Africa/Maseru");
const SZ: (&str, &str) = ("SZ", "Africa/Mbabane");
const MG: (&str, &str) = ("MG", "Indian/Antananarivo");

macro_rules! place {
    ($name:literal, $cc:ident, $lat:literal, $lon:literal, $kind:ident, $weight:literal,
     [$($lang:literal),+]
     $(, hoods: [$($hood:literal),* $(,)?])?
     $(, edges: [$($dir:ident $km:literal),* $(,)?])?
     $(, sigma: $sigma:literal)? $(,)?) => {
        Place {
            name: $name,
            country: $cc.0,
            lat: $lat,
            lon: $lon,
            kind: PlaceKind::$kind,
            weight: $weight,
            languages: &[$($lang),+],
            timezone: $cc.1,
            hoods: &[$($($hood),*)?],
            sigma_km: 0.0 $(+ $sigma)?,
            edges: &[$($(Edge { dir: Dir::$dir, km: $km }),*)?],
        }
    };
}

static PLACES: &[Place] = &[
    // Kenya
    place!("Nairobi", KE, -1.2864, 36.8172, City, 4400, ["en", "sw", "ki", "luo", "luy", "so"],
        hoods: ["Kibera", "Mathare", "Kawangware", "Kangemi", "Dagoretti", "Embakasi", "Kayole",
                "Umoja", "Githurai", "Kasarani", "Ruaraka", "Westlands", "Parklands", "Pumwani",
                "Makadara", "Mukuru", "Kariobangi", "Dandora", "Lang'ata", "Kilimani", "South B",
                "Kamukunji", "Shauri Moyo", "Ngara", "Huruma", "Korogocho", "Zimmerman",
                "Roysambu", "Kahawa West", "Donholm", "Riruta", "Uthiru", "Karen", "Madaraka",
                "Upper Hill", "Hurlingham"]),
    place!("Eastleigh", KE, -1.2741, 36.8516, Town, 400, ["so", "sw", "en", "om", "am", "ar"],
        hoods: ["Eastleigh North", "Eastleigh South", "California", "Airbase", "Biafra"],
        sigma: 1.2),
    place!("Mombasa", KE, -4.0435, 39.6682, City, 1200, ["sw", "en", "nyf", "so"],
        hoods: ["Old Town", "Majengo", "Kisauni", "Likoni", "Changamwe", "Nyali", "Bamburi",
                "Mikindani", "Tudor", "Kongowea", "Jomvu", "Magongo"],
        edges: [E 1.2, SE 1.0]),
    place!("Kisumu", KE, -0.1022, 34.7617, City, 610, ["en", "sw", "luo"],
        hoods: ["Nyalenda", "Manyatta", "Obunga", "Kondele", "Migosi", "Nyamasaria", "Mamboleo"],
        edges: [SW 1.5, W 2.0]),
    place!("Nakuru", KE, -0.3031, 36.0800, City, 570, ["sw", "en", "ki", "kln"],
        hoods: ["Bondeni", "Kaptembwo", "Rhonda", "Shabab", "Lanet", "Kiamunyi", "Free Area"],
        edges: [S 3.5]),
    place!("Eldoret", KE, 0.5143, 35.2698, City, 475, ["en", "sw", "kln"],
        hoods: ["Langas", "Huruma", "Kapsoya", "Pioneer", "Kimumu", "West Indies"]),
    place!("Garissa", KE, -0.4532, 39.6461, Town, 160, ["so", "sw", "en"],
        hoods: ["Iftin", "Galbet", "Waberi", "Township"]),
    place!("Mandera", KE, 3.9373, 41.8569, BorderCrossing, 140, ["so", "sw", "en"],
        edges: [E 0.0, NE 0.0, N 1.0]),
    place!("Moyale", KE, 3.5200, 39.0580, BorderCrossing, 80, ["om", "so", "sw", "en", "am"],
        hoods: ["Township", "Butiye", "Sessi"],
        edges: [N 0.0]),
    place!("Namanga", KE, -2.5453, 36.7907, BorderCrossing, 40, ["sw", "en", "mas"],
        edges: [S 0.2, SW 0.2, SE 0.2]),
    place!("Busia", KE, 0.4601, 34.1117, BorderCrossing, 120, ["sw", "en", "luy", "teo"],
        edges: [W 0.3, NW 0.3, SW 0.3]),
    place!("Malaba", KE, 0.6351, 34.2816, BorderCrossing, 60, ["sw", "en", "luy", "teo"],
        edges: [W 0.5, NW 0.5]),
    place!("Taveta", KE, -3.3988, 37.6834, BorderCrossing, 40, ["sw", "en"],
        edges: [W 4.0]),
    place!("Isebania", KE, -1.2251, 34.4639, BorderCrossing, 40, ["sw", "en", "kuj", "luo"],
        edges: [S 1.0]),
    place!("Kakuma", KE, 3.7136, 34.8572, Camp, 400,
        ["en", "sw", "so", "din", "nus", "pga", "fr", "am"],
        hoods: ["Kakuma 1", "Kakuma 2", "Kakuma 3", "Kakuma 4", "Kakuma Town"]),
    place!("Kalobeyei", KE, 3.7950, 34.7520, Camp, 140, ["en", "sw", "din", "nus", "pga", "so"],
        hoods: ["Kalobeyei Village 1", "Kalobeyei Village 2", "Kalobeyei Village 3"]),
    place!("Dadaab", KE, 0.0524, 40.3085, Camp, 760, ["so", "sw", "en", "ar"],
        hoods: ["Hagadera", "Dagahaley", "Ifo", "Ifo 2", "Dadaab Town"],
        sigma: 6.0),
    // Uganda
    place!("Kampala", UG, 0.3163, 32.5822, City, 2800, ["en", "lg", "sw", "so", "fr"],
        hoods: ["Kisenyi", "Katwe", "Nsambya", "Kawempe", "Mengo", "Kibuli", "Nakawa", "Ntinda",
                "Kireka", "Bwaise", "Makindye", "Rubaga", "Kasubi", "Kabalagala", "Kisugu", "Kalerwe",
                "Kanyanya", "Nateete", "Ndeeba", "Kasokoso", "Kyebando", "Namuwongo", "Kansanga",
                "Bukoto", "Kamwokya"],
        edges: [SE 7.0, S 8.0]),
    place!("Gulu", UG, 2.7746, 32.2990, City, 180, ["en", "ach", "sw"],
        hoods: ["Layibi", "Bardege", "Pece", "Laroo"]),
    place!("Arua", UG, 3.0201, 30.9110, Town, 130, ["en", "lgg", "sw", "pga"],
        hoods: ["Oli", "Mvara", "Ayivu", "Pajulu"]),
    place!("Adjumani", UG, 3.3779, 31.7909, Town, 250, ["en", "pga", "din", "mhi"],
        hoods: ["Pakelle", "Nyumanzi", "Ayilo", "Mungula"],
        sigma: 5.0),
    place!("Bidi Bidi", UG, 3.4800, 31.3500, Camp, 460, ["en", "pga", "keo", "bfa", "sw"],
        hoods: ["Bidi Bidi Zone 1", "Bidi Bidi Zone 2", "Bidi Bidi Zone 3", "Bidi Bidi Zone 4",
                "Bidi Bidi Zone 5"],
        edges: [N 15.0],
        sigma: 6.0),
    place!("Nakivale", UG, -0.7406, 30.9963, Camp, 400, ["en", "sw", "rw", "rn", "fr", "so"],
        hoods: ["Base Camp", "Juru", "Rubondo", "Kabazana", "Misiera"],
        sigma: 5.0),
    place!("Kyangwali", UG, 1.1881, 30.7828, Camp, 260, ["en", "sw", "fr", "rw"],
        hoods: ["Maratatu", "Kasonga", "Kagoma", "Malembo"],
        sigma: 4.0),
    place!("Busia", UG, 0.4659, 34.0922, BorderCrossing, 100, ["en", "sw", "luy"],
        edges: [E 0.0, NE 0.2, SE 0.2]),
    place!("Elegu", UG, 3.5550, 32.0530, BorderCrossing, 40, ["en", "ach", "pga", "sw"],
        edges: [N 0.3]),
    // Tanzania
    place!("Dar es Salaam", TZ, -6.8235, 39.2695, City, 5400, ["sw", "en"],
        hoods: ["Kariakoo", "Mwananyamala", "Temeke", "Mbagala", "Buguruni", "Tandale",
                "Manzese", "Sinza", "Kinondoni", "Ilala", "Ubungo", "Tegeta", "Kimara",
                "Tabata", "Magomeni", "Mburahati", "Keko", "Chanika", "Mbezi", "Goba",
                "Mikocheni", "Segerea", "Vingunguti", "Yombo", "Kurasini", "Mtoni", "Chamazi",
                "Kibamba"],
        edges: [NE 2.0, E 1.5, SE 2.0]),
    place!("Arusha", TZ, -3.3869, 36.6830, City, 620, ["sw", "en", "mas"],
        hoods: ["Kaloleni", "Ngarenaro", "Sokon I", "Levolosi", "Daraja Mbili", "Unga Limited",
                "Kijenge", "Sekei"]),
    place!("Mwanza", TZ, -2.5167, 32.9000, City, 1100, ["sw", "en", "suk"],
        hoods: ["Mabatini", "Igogo", "Mkuyuni", "Buhongwa", "Nyakato", "Kirumba", "Igoma", "Mirongo", "Mahina",
                "Pasiansi"],
        edges: [N 1.5, W 2.0, NW 1.5]),
    place!("Dodoma", TZ, -6.1722, 35.7395, City, 410, ["sw", "en"],
        hoods: ["Makole", "Chamwino", "Nkuhungu", "Chang'ombe", "Viwandani"]),
    place!("Mbeya", TZ, -8.9000, 33.4500, City, 540, ["sw", "en", "nyy"],
        hoods: ["Iyunga", "Soweto", "Mwanjelwa", "Sisimba", "Ruanda"]),
    place!("Kigoma", TZ, -4.8769, 29.6267, Town, 215, ["sw", "en", "haq", "fr", "rn"],
        hoods: ["Mwanga", "Kibirizi", "Gungu", "Ujiji"],
        edges: [W 1.0, NW 1.0]),
    place!("Nyarugusu", TZ, -4.2167, 30.3833, Camp, 260, ["sw", "fr", "rn", "en"],
        hoods: ["Nyarugusu Zone 1", "Nyarugusu Zone 4", "Nyarugusu Zone 7", "Nyarugusu Zone 9",
                "Nyarugusu Zone 11"]),
    place!("Tunduma", TZ, -9.3000, 32.7667, BorderCrossing, 150, ["sw", "en"],
        hoods: ["Mpakani", "Sogea"],
        edges: [W 0.4, SW 0.4, S 0.8]),
    place!("Holili", TZ, -3.3600, 37.6300, BorderCrossing, 20, ["sw", "en"],
        edges: [E 0.6]),
    // Rwanda
    place!("Kigali", RW, -1.9500, 30.0588, City, 1200, ["rw", "fr", "en", "sw"],
        hoods: ["Nyamirambo", "Kimisagara", "Gikondo", "Remera", "Kacyiru", "Kimironko",
                "Kicukiro", "Gisozi", "Nyabugogo", "Kanombe", "Muhima", "Gatsata", "Kagugu", "Kabeza", "Gahanga",
                "Kinyinya"]),
    place!("Gisenyi", RW, -1.7028, 29.2564, Town, 150, ["rw", "fr", "sw", "en"],
        hoods: ["Mbugangari", "Rugerero", "Nyundo", "Nyamyumba", "Rubavu"],
        edges: [W 0.5, SW 0.5, NW 0.5, S 2.0]),
    place!("Rusumo", RW, -2.3750, 30.7800, BorderCrossing, 20, ["rw", "sw", "en", "fr"],
        edges: [S 0.2, SE 0.2, E 0.3]),
    place!("Gatuna", RW, -1.4350, 30.0200, BorderCrossing, 20, ["rw", "en", "fr"],
        edges: [N 0.4, NW 0.4]),
    place!("Mahama", RW, -2.3100, 30.8400, Camp, 120, ["rn", "fr", "rw", "sw"],
        hoods: ["Mahama I", "Mahama II"],
        edges: [E 0.8, SE 0.8],
        sigma: 1.5),
    // Burundi
    place!("Bujumbura", BI, -3.3819, 29.3614, City, 1000, ["rn", "fr", "sw", "en"],
        hoods: ["Buyenzi", "Bwiza", "Kamenge", "Kinama", "Cibitoke", "Ngagara", "Kinindo",
                "Musaga", "Kanyosha", "Nyakabiga", "Rohero", "Buterere"],
        edges: [W 2.5, SW 2.0]),
    place!("Gitega", BI, -3.4271, 29.9246, City, 135, ["rn", "fr"],
        hoods: ["Magarama", "Nyamugari", "Mushasha", "Yoba"]),
    place!("Ngozi", BI, -2.9075, 29.8306, Town, 50, ["rn", "fr"]),
    // Democratic Republic of the Congo (east)
    place!("Goma", CD, -1.6741, 29.2284, City, 700, ["fr", "sw", "ln", "rw"],
        hoods: ["Himbi", "Katindo", "Birere", "Mabanga", "Majengo", "Ndosho", "Mugunga",
                "Katoyi", "Bujovu", "Kyeshero"],
        edges: [S 1.5, E 0.8, SE 1.0]),
    place!("Bukavu", CD, -2.4908, 28.8428, City, 870, ["fr", "sw", "shr", "ln"],
        hoods: ["Ibanda", "Kadutu", "Bagira", "Nyawera", "Panzi", "Essence", "Nguba", "Muhumba"],
        edges: [N 1.0, NE 1.0, E 1.5]),
    place!("Uvira", CD, -3.3953, 29.1378, Town, 300, ["fr", "sw", "flr", "rn"],
        hoods: ["Kalundu", "Kavimvira", "Kilomoni", "Mulongwe", "Rombe"],
        edges: [E 0.8, NE 1.0]),
    place!("Bunia", CD, 1.5594, 30.2522, City, 500, ["fr", "sw", "ln"],
        hoods: ["Mudzipela", "Lembabo", "Bankoko", "Rwambuzi", "Nyakasanza"]),
    place!("Beni", CD, 0.4911, 29.4731, Town, 330, ["fr", "sw", "nnb"],
        hoods: ["Mabakanga", "Malepe", "Rwangoma", "Ngadi", "Butsili"]),
    place!("Lubumbashi", CD, -11.6609, 27.4794, City, 2500, ["fr", "sw", "lua", "bem"],
        hoods: ["Kenya", "Katuba", "Kamalondo", "Kampemba", "Ruashi", "Annexe", "Golf",
                "Bel-Air", "Kamisepe", "Kalubwe", "Kasapa", "Tshamilemba", "Kalebuka", "Kisanga"],
        edges: [SE 14.0, S 16.0, SW 18.0, E 20.0]),
    place!("Kasumbalesa", CD, -12.2600, 27.8000, BorderCrossing, 60, ["fr", "sw", "bem", "en"],
        edges: [S 0.3, SE 0.3, E 0.5]),
    // South Sudan
    place!("Juba", SS, 4.8517, 31.5825, City, 525, ["en", "pga", "ar", "bfa", "din", "nus"],
        hoods: ["Munuki", "Gudele", "Jebel", "Konyo Konyo", "Gumbo", "Hai Malakal", "Kator",
                "Juba Na Bari", "Lologo", "Mangateen"]),
    place!("Nimule", SS, 3.5962, 32.0636, BorderCrossing, 100, ["en", "pga", "mhi", "din", "sw"],
        edges: [S 0.6, SE 0.6, SW 0.6]),
    place!("Malakal", SS, 9.5334, 31.6605, Town, 150, ["ar", "pga", "shk", "din", "nus", "en"],
        hoods: ["Malakal PoC", "Assosa", "Bam"]),
    place!("Bentiu", SS, 9.2572, 29.7983, Camp, 240, ["nus", "pga", "en", "ar"],
        hoods: ["Bentiu IDP Camp", "Rubkona", "Bentiu Town"]),
    place!("Wau", SS, 7.7011, 27.9897, Town, 150, ["pga", "ar", "en", "din"],
        hoods: ["Hai Jedid", "Jebel Kheir", "Nazareth", "Lokoloko"]),
    place!("Renk", SS, 11.7500, 32.8000, BorderCrossing, 100, ["ar", "pga", "din", "en"],
        hoods: ["Renk Transit Centre"],
        sigma: 2.0),
    // Ethiopia
    place!("Addis Ababa", ET, 9.0250, 38.7469, City, 5000, ["am", "om", "en", "ti"],
        hoods: ["Merkato", "Piassa", "Bole", "Kirkos", "Arada", "Lideta", "Kolfe", "Yeka",
                "Akaki", "Gulele", "Kazanchis", "Megenagna", "Ayat", "Bole Bulbula", "Summit", "CMC",
                "Kotebe", "Kality", "Saris", "Gofa", "Mekanisa", "Jemo", "Torhailoch", "Asko",
                "Shiro Meda"]),
    place!("Dire Dawa", ET, 9.5931, 41.8661, City, 440, ["am", "om", "so", "en"],
        hoods: ["Kezira", "Sabian", "Legehare", "Gende Kore", "Melka Jebdu"]),
    place!("Jijiga", ET, 9.3500, 42.8000, Town, 160, ["so", "am", "en"],
        hoods: ["Kebele 01", "Kebele 03", "Kebele 05", "Kebele 08"]),
    place!("Mekelle", ET, 13.4967, 39.4753, City, 310, ["ti", "am", "en"],
        hoods: ["Ayder", "Kedamay Weyane", "Hawelti", "Adi Haki", "Hadnet", "Quiha"]),
    place!("Gambela", ET, 8.2500, 34.5833, Town, 70, ["am", "nus", "anu", "en"],
        hoods: ["Kebele 01", "Kebele 03", "Newland"]),
    place!("Itang", ET, 8.1800, 34.2600, Camp, 400, ["nus", "am", "en", "pga", "anu"],
        hoods: ["Kule", "Tierkidi", "Nguenyyiel", "Itang Town"],
        sigma: 5.0),
    place!("Dollo Ado", ET, 4.1900, 42.0500, Camp, 400, ["so", "am", "en"],
        hoods: ["Melkadida", "Bokolmanyo", "Kobe", "Hilaweyn", "Buramino", "Dollo Ado Town"],
        edges: [SE 1.0, E 1.0],
        sigma: 6.0),
    place!("Moyale", ET, 3.5400, 39.0500, BorderCrossing, 70, ["om", "so", "am", "sw"],
        edges: [S 0.0]),
    place!("Togo Wuchale", ET, 9.5930, 43.3190, BorderCrossing, 40, ["so", "am", "om"],
        edges: [N 0.2, NE 0.2, E 0.2]),
    place!("Galafi", ET, 11.7290, 41.8000, BorderCrossing, 20, ["aa", "am", "ar", "fr"],
        edges: [E 0.2]),
    place!("Metema", ET, 12.9560, 36.1600, BorderCrossing, 60, ["am", "ar", "ti", "en"],
        edges: [W 0.6, NW 0.6]),
    // Somalia
    place!("Mogadishu", SO, 2.0371, 45.3438, City, 2600, ["so", "ar", "en"],
        hoods: ["Hodan", "Hawl Wadaag", "Wadajir", "Dharkenley", "Waberi", "Hamar Weyne",
                "Hamar Jajab", "Shangani", "Yaqshid", "Karaan", "Kaxda", "Garasbaley", "Deynile",
                "Heliwaa", "Bondhere", "Abdiaziz", "Wartanabada", "Shibis"],
        edges: [SE 0.3, E 1.0, S 0.8]),
    place!("Hargeisa", SO, 9.5600, 44.0650, City, 1200, ["so", "ar", "en", "am", "om"],
        hoods: ["Ahmed Dhagah", "26 June", "Ibrahim Koodbuur", "Mohamed Mooge", "Gacan Libaax",
                "Mohamoud Haybe", "Jigjiga Yar", "Koodbuur", "Daami", "Sha'ab"]),
    place!("Bosaso", SO, 11.2842, 49.1816, City, 400, ["so", "ar", "en", "om", "am"],
        hoods: ["Raf Jiceel", "Shabeelle", "Biyo Kulule", "Ajuuraan"],
        edges: [N 0.8, NE 1.0, NW 1.0]),
    place!("Baidoa", SO, 3.1138, 43.6498, Town, 300, ["so", "ymm", "ar", "en"],
        hoods: ["Hanano", "Isha", "Wadajir", "Horseed"]),
    place!("Kismayo", SO, -0.3582, 42.5454, Town, 200, ["so", "ar", "en"],
        hoods: ["Farjano", "Calanley", "Fanole", "Guulwade"],
        edges: [SE 0.4, E 0.8, S 0.5]),
    place!("Tog Wajaale", SO, 9.5997, 43.3350, BorderCrossing, 40, ["so", "am", "en"],
        edges: [S 0.2, SW 0.2, W 0.2]),
    // Djibouti
    place!("Djibouti", DJ, 11.5890, 43.1450, City, 600, ["fr", "ar", "so", "aa", "am"],
        hoods: ["Balbala", "Quartier 7", "Arhiba", "Ambouli", "Quartier 4", "Hayableh", "PK12"],
        edges: [N 0.2, NW 0.3, NE 1.0, E 1.8]),
    place!("Obock", DJ, 11.9669, 43.2884, BorderCrossing, 40, ["aa", "fr", "ar", "am", "om"],
        hoods: ["Markazi"],
        edges: [S 0.2, SE 0.3, SW 0.3]),
    // Zambia
    place!("Lusaka", ZM, -15.4067, 28.2871, City, 2700, ["en", "ny", "bem", "toi"],
        hoods: ["Kanyama", "Matero", "Chawama", "Mtendere", "Kalingalinga", "Chelstone",
                "Kabwata", "Garden", "George", "Chainda", "Bauleni", "Chilenje", "Mandevu", "Ng'ombe",
                "Kalikiliki", "Chaisa", "Marapodi", "John Laing", "Misisi", "Linda", "Kuku"]),
    place!("Ndola", ZM, -12.9587, 28.6366, City, 530, ["en", "bem", "ny"],
        hoods: ["Chifubu", "Kabushi", "Masala", "Twapia", "Kansenshi", "Lubuto"],
        edges: [N 6.0, NW 4.0, W 6.0, NE 6.0]),
    place!("Kitwe", ZM, -12.8024, 28.2132, City, 600, ["en", "bem", "ny"],
        hoods: ["Chimwemwe", "Buchi", "Kwacha", "Nkana East", "Chamboli", "Ndeke", "Wusakile"]),
    place!("Livingstone", ZM, -17.8419, 25.8543, Town, 180, ["en", "toi", "loz"],
        hoods: ["Maramba", "Linda", "Dambwa", "Libuyu"],
        edges: [S 4.0, SE 4.0, SW 5.0]),
    place!("Meheba", ZM, -12.5560, 26.1900, Camp, 60, ["en", "fr", "sw", "rw", "pt"],
        hoods: ["Meheba Block A", "Meheba Block C", "Meheba Block G"],
        sigma: 5.0),
    place!("Nakonde", ZM, -9.3421, 32.7450, BorderCrossing, 60, ["en", "bem", "sw"],
        edges: [E 0.5, NE 0.5, N 0.8]),
    place!("Chirundu", ZM, -16.0358, 28.8431, BorderCrossing, 40, ["en", "ny", "toi", "sn"],
        edges: [S 0.6, SE 0.6]),
    place!("Kazungula", ZM, -17.7936, 25.2747, BorderCrossing, 40, ["en", "loz", "toi", "tn"],
        edges: [S 0.3, SW 0.3, SE 0.4]),
    // Malawi
    place!("Lilongwe", MW, -13.9669, 33.7873, City, 1100, ["ny", "en"],
        hoods: ["Area 25", "Area 18", "Area 23", "Area 36", "Area 49", "Kawale", "Chinsapo",
                "Mtandire", "Kauma", "Mgona", "Area 47", "Area 22", "Area 10"]),
    place!("Blantyre", MW, -15.7850, 35.0085, City, 800, ["ny", "en", "yao"],
        hoods: ["Ndirande", "Bangwe", "Chilomoni", "Zingwangwa", "Mbayani", "Limbe", "Soche",
                "Chirimba", "Machinjiri"]),
    place!("Mzuzu", MW, -11.4656, 34.0207, City, 220, ["tum", "ny", "en"],
        hoods: ["Chibavi", "Katawa", "Zolozolo", "Luwinga", "Chiputula"]),
    place!("Mwanza", MW, -15.6026, 34.5248, BorderCrossing, 30, ["ny", "en", "pt"],
        edges: [W 3.0]),
    place!(
        "Dzaleka",
        MW,
        -13.6667,
        33.8700,
        Camp,
        100,
        ["sw", "fr", "rn", "rw", "en", "ny"]
    ),
    // Mozambique
    place!("Maputo", MZ, -25.9655, 32.5832, City, 1100, ["pt", "ts", "rng", "en"],
        hoods: ["Polana Caniço", "Xipamanine", "Chamanculo", "Mafalala", "Alto Maé",
                "Malhangalene", "Maxaquene", "Hulene", "Mavalane", "Magoanine", "Zimpeto", "Laulane", "Inhagoia", "Aeroporto",
                "Urbanização"],
        edges: [S 1.0, SE 1.2, E 2.5, SW 1.0, W 6.0]),
    place!("Matola", MZ, -25.9622, 32.4589, City, 1000, ["pt", "ts", "rng"],
        hoods: ["Machava", "Fomento", "Liberdade", "Infulene", "Tsalala", "Ndlavela", "Matola A", "Matola Gare",
                "Muhalaze", "Khongolote"],
        edges: [S 2.0, SE 2.0]),
    place!("Beira", MZ, -19.8436, 34.8389, City, 600, ["pt", "seh", "ndc"],
        hoods: ["Munhava", "Manga", "Ponta Gêa", "Macurungo", "Chaimite", "Esturro", "Chota"],
        edges: [S 0.5, SE 0.5, W 0.5, SW 0.5]),
    place!("Nampula", MZ, -15.1165, 39.2666, City, 750, ["pt", "vmw"],
        hoods: ["Muhala", "Namutequeliua", "Napipine", "Muatala", "Natikiri", "Marrere"]),
    place!("Tete", MZ, -16.1564, 33.5867, Town, 300, ["pt", "nyu", "ny"],
        hoods: ["Matundo", "Chingodzi", "Filipe Samuel Magaia"],
        edges: [N 0.8, NE 0.8]),
    place!("Chimoio", MZ, -19.1164, 33.4833, City, 370, ["pt", "ndc", "sn"],
        hoods: ["Nhamaonha", "Eduardo Mondlane", "Trangapasso", "7 de Abril"]),
    place!("Pemba", MZ, -12.9740, 40.5177, Town, 200, ["pt", "vmw", "kde", "wmw", "sw"],
        hoods: ["Natite", "Cariacó", "Paquitequete", "Ingonane", "Mahate"],
        edges: [N 1.0, NE 1.0, E 1.5, W 1.5]),
    place!("Ressano Garcia", MZ, -25.4428, 31.9953, BorderCrossing, 40, ["pt", "ts", "en", "zu"],
        edges: [W 0.4, NW 0.4, SW 0.4]),
    // Zimbabwe
    place!("Harare", ZW, -17.8277, 31.0534, City, 1600, ["sn", "en", "nd"],
        hoods: ["Mbare", "Highfield", "Glen View", "Budiriro", "Kuwadzana", "Mabvuku", "Tafara",
                "Epworth", "Hopley", "Dzivarasekwa", "Warren Park", "Mufakose", "Kambuzuma",
                "Glen Norah", "Rugare", "Sunningdale", "Chitungwiza"]),
    place!("Bulawayo", ZW, -20.1500, 28.5833, City, 670, ["nd", "en", "sn"],
        hoods: ["Nkulumane", "Mpopoma", "Pelandaba", "Entumbane", "Makokoba", "Njube",
                "Cowdray Park", "Magwegwe", "Pumula"]),
    place!("Mutare", ZW, -18.9707, 32.6709, Town, 190, ["sn", "en", "pt"],
        hoods: ["Sakubva", "Dangamvura", "Chikanga", "Hobhouse"],
        edges: [E 2.0, NE 2.5, SE 3.0]),
    place!("Beitbridge", ZW, -22.2167, 30.0000, BorderCrossing, 60, ["en", "sn", "nd", "ve"],
        hoods: ["Dulibadzimu"],
        edges: [S 0.6]),
    place!("Tongogara", ZW, -20.3400, 32.3100, Camp, 30, ["sw", "fr", "en", "rn", "sn"],
        sigma: 1.5),
    // South Africa
    place!("Johannesburg", ZA, -26.2023, 28.0436, City, 5600,
        ["en", "zu", "st", "xh", "af", "sn", "pt", "fr"],
        hoods: ["Hillbrow", "Yeoville", "Berea", "Alexandra", "Soweto", "Diepsloot",
                "Orange Farm", "Braamfontein", "Jeppestown", "Rosettenville", "Doornfontein",
                "Randburg", "Bertrams", "Troyeville", "Marshalltown", "Joubert Park", "Bez Valley",
                "Malvern", "Kensington", "Brixton", "Riverlea", "Lenasia", "Meadowlands", "Orlando",
                "Diepkloof", "Protea Glen", "Zandspruit", "Cosmo City"]),
    place!("Mayfair", ZA, -26.2000, 28.0114, Town, 120, ["so", "en", "am", "om", "zu"],
        hoods: ["Mayfair", "Mayfair West", "Fordsburg", "Amalgam"],
        sigma: 1.0),
    place!("Pretoria", ZA, -25.7449, 28.1878, City, 2500, ["en", "nso", "tn", "af", "zu"],
        hoods: ["Sunnyside", "Marabastad", "Mamelodi", "Atteridgeville", "Soshanguve", "Arcadia",
                "Pretoria West", "Laudium", "Hatfield", "Eersterust", "Olievenhoutbosch",
                "Lotus Gardens", "Mabopane", "Hammanskraal", "Garsfontein"]),
    place!("Durban", ZA, -29.8579, 31.0292, City, 3500, ["en", "zu", "xh", "af", "sw"],
        hoods: ["Umlazi", "KwaMashu", "Inanda", "Chatsworth", "Berea", "Point", "Warwick",
                "Glenwood", "Phoenix", "Clermont", "Isipingo", "Lamontville", "Chesterville",
                "Cato Manor", "Sydenham", "Overport", "Newlands East", "Ntuzuma", "Pinetown",
                "Westville"],
        edges: [E 0.8, SE 0.6, NE 1.5, S 1.0]),
    place!("Cape Town", ZA, -33.9258, 18.4232, City, 4600, ["en", "af", "xh", "fr", "sw"],
        hoods: ["Khayelitsha", "Gugulethu", "Nyanga", "Philippi", "Mitchells Plain", "Delft",
                "Langa", "Woodstock", "Salt River", "Dunoon", "Maitland", "Parow", "Bonteheuwel",
                "Manenberg", "Hanover Park", "Athlone", "Elsies River", "Bishop Lavis",
                "Crossroads", "Kraaifontein", "Wynberg", "Retreat", "Observatory"],
        edges: [N 1.2, NW 2.0, W 3.0, SW 2.5, S 13.0, SE 22.0]),
    place!("Bellville", ZA, -33.9022, 18.6290, Town, 250, ["en", "af", "xh", "so", "am"],
        hoods: ["Bellville CBD", "Bellville South", "Belhar", "Kuils River"]),
    place!("Musina", ZA, -22.3488, 30.0407, BorderCrossing, 70, ["en", "ve", "sn", "nd", "ts"],
        hoods: ["Nancefield"],
        edges: [N 10.0],
        sigma: 2.0),
    place!("Komatipoort", ZA, -25.4332, 31.9548, BorderCrossing, 40,
        ["en", "ts", "zu", "pt", "ss"],
        hoods: ["Lebombo"],
        edges: [E 2.0, NE 2.0]),
    // Botswana
    place!("Gaborone", BW, -24.6545, 25.9086, City, 250, ["tn", "en", "kck", "sn"],
        hoods: ["Old Naledi", "Broadhurst", "Bontleng", "Tlokweng", "Block 8", "White City",
                "Mogoditshane"],
        edges: [E 4.0, SE 4.0, NE 5.0]),
    place!("Francistown", BW, -21.1700, 27.5078, City, 100, ["tn", "en", "kck", "sn", "nd"],
        hoods: ["Somerset East", "Monarch", "Area W", "Tati Siding"]),
    place!("Dukwi", BW, -20.6200, 26.4200, Camp, 20, ["en", "tn", "sn", "sw", "fr", "so"],
        sigma: 1.5),
    // Namibia
    place!("Windhoek", NA, -22.5594, 17.0832, City, 430, ["en", "af", "ng", "kj", "hz"],
        hoods: ["Katutura", "Khomasdal", "Wanaheda", "Okuryangava", "Havana", "Goreangab",
                "Hakahana", "Otjomuise"]),
    place!("Katima Mulilo", NA, -17.5047, 24.2757, BorderCrossing, 50, ["loz", "en", "toi"],
        edges: [N 1.5, NE 1.5]),
    // Lesotho
    place!("Maseru", LS, -29.3167, 27.4833, City, 330, ["st", "en"],
        hoods: ["Ha Thetsane", "Qoaling", "Sea Point", "Upper Thamae", "Ha Abia", "Khubetsoana",
                "Ha Hoohlo", "Mabote"],
        edges: [W 0.8, NW 0.8, SW 1.5, N 3.0]),
    place!("Maputsoe", LS, -28.8900, 27.9050, BorderCrossing, 60, ["st", "en", "zu"],
        edges: [NW 0.3, N 0.4, W 0.3, NE 0.6]),
    // Eswatini
    place!("Mbabane", SZ, -26.3167, 31.1333, City, 95, ["ss", "en"],
        hoods: ["Msunduza", "Sidwashini", "Mangwaneni", "Fonteyn"]),
    place!("Manzini", SZ, -26.4988, 31.3800, City, 110, ["ss", "en", "pt", "zu"],
        hoods: ["Moneni", "Fairview", "Zakhele", "Ngwane Park", "Mhobodleni"]),
    // Madagascar
    place!("Antananarivo", MG, -18.9137, 47.5361, City, 1300, ["mg", "fr", "en"],
        hoods: ["Analakely", "Isotry", "Andravoahangy", "Ambohipo", "Anosibe", "Ankadifotsy",
                "67 Ha", "Ampefiloha", "Mahamasina", "Andohatapenaka", "Ambanidia", "Ankorondrano", "Ambohimanarina", "Itaosy",
                "Andoharanofotsy"]),
    place!("Toamasina", MG, -18.1492, 49.4023, City, 330, ["mg", "fr"],
        hoods: ["Tanambao V", "Ankirihiry", "Morarano", "Salazamay", "Anjoma"],
        edges: [E 0.8, NE 1.0, SE 1.0]),
    place!("Mahajanga", MG, -15.7167, 46.3167, City, 250, ["mg", "fr"],
        hoods: ["Tsaramandroso", "Mahabibo", "Amborovy", "Ambovoalanana"],
        edges: [W 0.3, SW 0.3, NW 0.5, S 0.3]),
    place!("Toliara", MG, -23.3500, 43.6667, Town, 170, ["mg", "fr"],
        hoods: ["Betania", "Tsimenatse", "Besakoa", "Ankiembe"],
        edges: [W 1.0, SW 1.2, NW 1.2]),
];
