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

/// Writes an unsigned integer (the generator's hot path: no `fmt` machinery).
#[inline]
pub fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).expect("ASCII digits"));
}

/// Writes a signed integer.
#[inline]
pub fn push_i64(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_u64(out, n.unsigned_abs());
}

fn push2(out: &mut String, n: u32) {
    out.push((b'0' + (n / 10 % 10) as u8) as char);
    out.push((b'0' + (n % 10) as u8) as char);
}

/// (year, month, day) of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Writes an RFC 3339 date-time in UTC (`Z`); with `fraction7` the .NET form with seven
/// fraction digits, with `no_offset` the form without any offset (both are drift the API shows).
pub fn date_time(out: &mut String, secs: i64, fraction7: bool, no_offset: bool) {
    let fraction = fraction7.then(|| (secs.unsigned_abs().wrapping_mul(7_919)) % 10_000_000);
    write_date_time(out, secs, fraction, no_offset);
}

/// Writes a record time kept in milliseconds exactly: a fraction only when it has one (or, with
/// `fraction7`, always seven digits) — the text a client reads back is the instant filters use.
pub fn date_time_ms(out: &mut String, ms: i64, fraction7: bool, no_offset: bool) {
    let secs = ms.div_euclid(1_000);
    let milli = ms.rem_euclid(1_000) as u64;
    let fraction = if fraction7 || milli != 0 {
        Some(milli * 10_000)
    } else {
        None
    };
    write_date_time(out, secs, fraction, no_offset);
}

/// `fraction`: 100-ns ticks within the second, written with seven digits.
fn write_date_time(out: &mut String, secs: i64, fraction: Option<u64>, no_offset: bool) {
    let (y, m, d) = civil(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400) as u32;
    push_i64(out, y);
    out.push('-');
    push2(out, m);
    out.push('-');
    push2(out, d);
    out.push('T');
    push2(out, t / 3_600);
    out.push(':');
    push2(out, t / 60 % 60);
    out.push(':');
    push2(out, t % 60);
    if let Some(f) = fraction {
        let _ = write!(out, ".{f:07}");
    }
    if !no_offset {
        out.push('Z');
    }
}

/// Writes a `YYYY-MM-DD` date.
pub fn date(out: &mut String, secs: i64) {
    let (y, m, d) = civil(secs.div_euclid(86_400));
    push_i64(out, y);
    out.push('-');
    push2(out, m);
    out.push('-');
    push2(out, d);
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
    push_u64(out, cents / 100);
    out.push('.');
    push2(out, (cents % 100) as u32);
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
    if h.is_multiple_of(4) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_match_chrono() {
        for secs in [
            0,
            951_782_400,
            1_672_531_200,
            1_709_164_799,
            4_102_444_800,
            -86_400,
        ] {
            let mut ours = String::new();
            date_time(&mut ours, secs, false, false);
            let chrono = chrono::DateTime::from_timestamp(secs, 0)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string();
            assert_eq!(ours, chrono);
            let mut d = String::new();
            date(&mut d, secs);
            assert_eq!(d, chrono[..10]);
        }
        let mut s = String::new();
        date_time(&mut s, 1_700_000_000, true, true);
        assert_eq!(s.len(), "2023-11-14T22:13:20.1234567".len());
        assert!(!s.ends_with('Z'));
    }

    #[test]
    fn numbers_and_money() {
        let mut s = String::new();
        push_u64(&mut s, 0);
        s.push(' ');
        push_u64(&mut s, u64::MAX);
        s.push(' ');
        push_i64(&mut s, -42);
        s.push(' ');
        money(&mut s, 123_405);
        assert_eq!(s, "0 18446744073709551615 -42 1234.05");
    }
}
