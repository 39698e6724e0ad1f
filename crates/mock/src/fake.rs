//! Deterministic, realistic-looking values: every value is a pure function of a 64-bit hash, so
//! the same (seed, collection, record, field) always reads the same, with no dataset stored.

use std::fmt::Write;

/// Mixes two words (splitmix64's finalizer over their combination).
#[inline]
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a over a string: stable across builds and platforms (unlike `DefaultHasher`).
pub fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// One of the items, chosen by `h`.
#[inline]
pub fn pick<'a, T: ?Sized>(items: &'a [&'a T], h: u64) -> &'a T {
    items[(h % items.len() as u64) as usize]
}

/// First names.
pub const FIRST: &[&str] = &[
    "James", "Maria", "Robert", "Linda", "Michael", "Patricia", "David", "Jennifer", "Carlos",
    "Aisha", "Kevin", "Emily", "Daniel", "Sofia", "Thomas", "Grace", "Luis", "Hannah", "Brian",
    "Olivia",
];
/// Last names.
pub const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
];
/// Business name parts.
pub const COMPANY: &[&str] = &[
    "Comfort Air",
    "Bluewater Plumbing",
    "Summit Electric",
    "Evergreen HVAC",
    "Lakeside Roofing",
    "Metro Garage Doors",
    "Pioneer Pest Control",
    "Sunrise Solar",
    "Riverbend Heating",
    "Keystone Mechanical",
];
/// Streets.
pub const STREETS: &[&str] = &[
    "Maple Ave",
    "Oak St",
    "Cedar Ln",
    "Pine Rd",
    "Elm St",
    "Washington Blvd",
    "Lakeview Dr",
    "Sunset Blvd",
    "Park Ave",
    "Hillcrest Rd",
    "Main St",
    "Willow Way",
];
/// Cities with their state and a ZIP prefix.
pub const CITIES: &[(&str, &str, u32)] = &[
    ("Glendale", "CA", 912),
    ("Austin", "TX", 787),
    ("Denver", "CO", 802),
    ("Phoenix", "AZ", 850),
    ("Tampa", "FL", 336),
    ("Charlotte", "NC", 282),
    ("Columbus", "OH", 432),
    ("Nashville", "TN", 372),
    ("Portland", "OR", 972),
    ("Atlanta", "GA", 303),
];
/// Words for summaries and notes.
pub const WORDS: &[&str] = &[
    "replace",
    "inspect",
    "furnace",
    "water",
    "heater",
    "thermostat",
    "leak",
    "under",
    "sink",
    "annual",
    "maintenance",
    "tune-up",
    "breaker",
    "panel",
    "noise",
    "filter",
    "drain",
    "install",
    "estimate",
    "follow-up",
    "warranty",
    "compressor",
    "valve",
    "customer",
    "requested",
];
/// Status words for free-text status fields.
pub const STATUSES: &[&str] = &[
    "Scheduled",
    "Dispatched",
    "InProgress",
    "Hold",
    "Completed",
    "Canceled",
];
/// Colors.
pub const COLORS: &[&str] = &[
    "#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B",
];

/// Seconds of 2023-01-01T00:00:00Z: the dataset's records are created from then on.
pub const START: i64 = 1_672_531_200;
/// The span over which records are created (three years).
pub const SPAN: i64 = 3 * 365 * 86_400;

/// Writes `n` lower-case words.
pub fn words(out: &mut String, h: u64, n: usize) {
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(pick(WORDS, mix(h, i as u64)));
    }
}

/// Writes an RFC 3339 date-time in UTC (`Z`); with `fraction7` the .NET form with seven
/// fraction digits, with `no_offset` the form without any offset (both are drift the API shows).
pub fn date_time(out: &mut String, secs: i64, fraction7: bool, no_offset: bool) {
    let Some(dt) = chrono::DateTime::from_timestamp(secs, 0) else {
        out.push_str("2024-01-01T00:00:00Z");
        return;
    };
    let d = dt.date_naive();
    let t = dt.time();
    use chrono::{Datelike, Timelike};
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        d.year(),
        d.month(),
        d.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    if fraction7 {
        let _ = write!(out, ".{:07}", (secs.unsigned_abs() * 7_919) % 10_000_000);
    }
    if !no_offset {
        out.push('Z');
    }
}

/// Writes a `YYYY-MM-DD` date.
pub fn date(out: &mut String, secs: i64) {
    let mut s = String::new();
    date_time(&mut s, secs, false, true);
    out.push_str(&s[..10]);
}

/// Writes a GUID whose last group carries `n` (so GUID ids map back to records).
pub fn guid(out: &mut String, h: u64, n: u64) {
    let _ = write!(
        out,
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        (h >> 32) as u32,
        (h >> 16) as u16,
        (h >> 4) as u16 & 0x0fff,
        0x8000 | ((h as u16) & 0x3fff),
        n & 0xffff_ffff_ffff
    );
}

/// Reads the number back from a GUID made by [`guid`].
pub fn guid_number(s: &str) -> Option<u64> {
    let last = s.rsplit('-').next()?;
    (last.len() == 12)
        .then(|| u64::from_str_radix(last, 16).ok())
        .flatten()
}

/// Writes a money amount with two decimals (`1234.50`).
pub fn money(out: &mut String, cents: u64) {
    let _ = write!(out, "{}.{:02}", cents / 100, cents % 100);
}

/// Writes a US phone number.
pub fn phone(out: &mut String, h: u64) {
    let _ = write!(
        out,
        "{}{:03}{:04}",
        200 + h % 700,
        (h >> 10) % 1000,
        (h >> 20) % 10_000
    );
}

/// Writes a person's or a company's name.
pub fn name(out: &mut String, h: u64) {
    if h % 4 == 0 {
        out.push_str(pick(COMPANY, h >> 8));
    } else {
        out.push_str(pick(FIRST, h >> 8));
        out.push(' ');
        out.push_str(pick(LAST, h >> 16));
    }
}

/// Writes an e-mail address.
pub fn email(out: &mut String, h: u64) {
    out.push_str(&pick(FIRST, h >> 8).to_ascii_lowercase());
    out.push('.');
    out.push_str(&pick(LAST, h >> 16).to_ascii_lowercase());
    let _ = write!(out, "{}@example.com", h % 100);
}
