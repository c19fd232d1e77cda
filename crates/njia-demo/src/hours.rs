//! Opening hours, in OpenStreetMap `opening_hours` syntax: a fixed set of real-world patterns,
//! each checked by a parser in the tests, so every generated value is one the store can
//! evaluate.

pub(crate) const ALWAYS: &str = "24/7";
pub(crate) const WEEKDAYS_SAT: &str = "Mo-Fr 08:00-17:00; Sa 08:00-13:00";
pub(crate) const WEEKDAYS_SAT_PH_OFF: &str = "Mo-Fr 08:00-17:00; Sa 08:00-13:00; PH off";
pub(crate) const WEEKDAYS: &str = "Mo-Fr 08:00-17:00";
pub(crate) const WEEKDAYS_PH_OFF: &str = "Mo-Fr 08:00-17:00; PH off";
pub(crate) const DAILY_7_19: &str = "Mo-Su 07:00-19:00";
pub(crate) const MON_SAT_8_18: &str = "Mo-Sa 08:00-18:00";
pub(crate) const WEEKDAYS_EARLY: &str = "Mo-Fr 07:30-16:30";
pub(crate) const WEEKDAYS_SAT_MORNING: &str = "Mo-Fr 08:00-16:30; Sa 08:00-12:00";
pub(crate) const OFFICE: &str = "Mo-Fr 09:00-17:00; PH off";
pub(crate) const OFFICE_EARLY: &str = "Mo-Fr 08:30-16:30";
pub(crate) const OFFICE_SHORT_FRIDAY: &str = "Mo-Th 08:00-17:00; Fr 08:00-12:00";
pub(crate) const AFTERNOONS: &str = "Mo-Fr 10:00-18:00";
pub(crate) const YOUTH: &str = "Mo-Fr 10:00-18:00; Sa 09:00-13:00";
pub(crate) const DAILY_8_20: &str = "Mo-Su 08:00-20:00";
pub(crate) const PHARMACY: &str = "Mo-Sa 08:00-21:00";
pub(crate) const PHARMACY_SUNDAY: &str = "Mo-Sa 08:00-21:00; Su 10:00-18:00";
pub(crate) const PHARMACY_LATE: &str = "Mo-Su 08:00-22:00";
pub(crate) const PHARMACY_ROTA: &str = "Mo-Sa 08:00-20:00; Su,PH 09:00-13:00";
pub(crate) const LABORATORY: &str = "Mo-Fr 07:30-18:00; Sa 08:00-14:00";
pub(crate) const BORDER: &str = "Mo-Su 06:00-22:00";
pub(crate) const ROADSIDE: &str = "Mo-Sa 10:00-22:00";
pub(crate) const MOBILE_TU_TH: &str = "Tu,Th 09:00-15:00";
pub(crate) const MOBILE_MO_WE_FR: &str = "Mo,We,Fr 08:00-14:00";
pub(crate) const MOBILE_WEEKLY: &str = "We 09:00-15:00";
/// Francophone public offices close for lunch.
pub(crate) const LUNCH_BREAK: &str = "Mo-Fr 08:00-12:30,14:00-17:30";
/// Ethiopian public offices.
pub(crate) const ETHIOPIA: &str = "Mo-Fr 08:30-17:30; Sa 08:30-12:30";
/// Somalia: Friday is the weekend.
pub(crate) const SAT_THU: &str = "Sa-Th 08:00-16:00";
pub(crate) const SAT_THU_MORNING: &str = "Sa-Th 07:30-14:00";
/// Djibouti public offices.
pub(crate) const SUN_THU: &str = "Su-Th 07:00-14:00";

/// Every opening-hours value the generator can produce.
pub const OPENING_HOURS: &[&str] = &[
    ALWAYS,
    WEEKDAYS_SAT,
    WEEKDAYS_SAT_PH_OFF,
    WEEKDAYS,
    WEEKDAYS_PH_OFF,
    DAILY_7_19,
    MON_SAT_8_18,
    WEEKDAYS_EARLY,
    WEEKDAYS_SAT_MORNING,
    OFFICE,
    OFFICE_EARLY,
    OFFICE_SHORT_FRIDAY,
    AFTERNOONS,
    YOUTH,
    DAILY_8_20,
    PHARMACY,
    PHARMACY_SUNDAY,
    PHARMACY_LATE,
    PHARMACY_ROTA,
    LABORATORY,
    BORDER,
    ROADSIDE,
    MOBILE_TU_TH,
    MOBILE_MO_WE_FR,
    MOBILE_WEEKLY,
    LUNCH_BREAK,
    ETHIOPIA,
    SAT_THU,
    SAT_THU_MORNING,
    SUN_THU,
];
