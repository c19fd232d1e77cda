//! Where in an input a service came from, so every message can point at it the way the person
//! who made the file would look for it: a spreadsheet row (header = row 1) or a feature
//! (first = 1).

use std::fmt;
use std::rc::Rc;

#[derive(Debug, Clone)]
pub(crate) enum Place {
    /// The n-th feature of a FeatureCollection, counting from 1.
    Feature(usize),
    /// A CSV row numbered as a spreadsheet shows it: the header is row 1.
    Row { file: Rc<str>, row: u64 },
}

impl Place {
    /// The row of the `index`-th data record (0-based) of `file`.
    pub(crate) fn record(file: &Rc<str>, index: usize) -> Self {
        Place::Row {
            file: Rc::clone(file),
            row: index as u64 + 2,
        }
    }

    /// The place without its file name, for a second mention in one sentence
    /// (`services.csv row 9 and row 3 share...`).
    pub(crate) fn short(&self) -> String {
        match self {
            Place::Feature(n) => format!("feature {n}"),
            Place::Row { row, .. } => format!("row {row}"),
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Feature(n) => write!(f, "feature {n}"),
            Place::Row { file, row } => write!(f, "{file} row {row}"),
        }
    }
}
