//! The records of a page or export batch, decoded one by one.
//!
//! A page's `data` is read as [`Records<T>`]: serde_json hands over each element's raw text and
//! each is decoded on its own, so one record that cannot be read (a drift nobody foresaw) costs
//! only that record. It is kept as a [`RecordError`] — its position, the JSON path of the
//! failure inside it, serde's message and the record's raw JSON — and its neighbours are
//! delivered. The streams attach the operation id and hand it to the user as an
//! [`crate::Error::Record`] item, in the record's place.
//!
//! `Records<T>` dereferences to the records that were read (`page.data.len()`, `page.data[0]`,
//! `for job in &page.data`); [`Records::failures`] lists the others; [`Records::into_results`]
//! gives both, in the order the API sent them. Serializing writes both back, a failed record
//! exactly as received. `null` (or a missing `data`) reads as no records.
//!
//! **Cost.** Reading each record's raw text first is a second scan of the page (as much as
//! parsing it once more). So the SDK's own decoding ([`crate::decode::from_bytes`], behind every
//! generated `send()`) first reads the records straight into their type ("direct"), and only
//! when that fails reads the body again record by record. The result is the same either way;
//! a page without a bad record is parsed once; each record of the careful pass is decoded once.
//!
//! **Bounds.** A failure keeps a bounded copy or a slice of the page ([`RecordError`]); a page
//! keeps at most [`MAX_FAILURES_PER_PAGE`] failures and is refused past that (the rest are
//! counted, not decoded); one WARN line per page gives the counts and the first failure, each
//! failure is a DEBUG line. So a page under the body cap, however malformed, costs a small
//! multiple of its size (below 4× the cap, measured in `crates/bench`).

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

mod failure;

pub use failure::RecordError;
pub(crate) use failure::{body_len, with_body};

/// The most record failures one page or batch keeps. Past it the page is refused as a whole
/// (decoding fails, naming how many of its records failed and the first failure) rather than
/// kept record by record: a page of millions of tiny bad records (`[0,0,0,…]`) would otherwise
/// cost far more memory than its own size. The API's largest page holds 5,000 records, so a real
/// page whose every record drifted is still delivered record by record.
pub const MAX_FAILURES_PER_PAGE: usize = 10_000;

thread_local! {
    /// Set while [`direct`] runs: records are decoded straight into their type, and a bad one
    /// fails the whole decode (which the caller then repeats record by record).
    static DIRECT: Cell<bool> = const { Cell::new(false) };
}

/// Runs `decode` with records read straight into their type (see the module's "Cost"). Restores
/// the previous mode on return or unwind.
pub(crate) fn direct<R>(decode: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            DIRECT.with(|d| d.set(self.0));
        }
    }
    let _restore = Restore(DIRECT.with(|d| d.replace(true)));
    decode()
}

/// serde_json's (stable, private) name for its raw-value protocol; see [`crate::lenient::decimal`].
const RAW_TOKEN: &str = "$serde_json::private::RawValue";

/// The records of one page or batch: those read, and those that could not be (see the module).
#[derive(Clone, Debug, PartialEq)]
pub struct Records<T> {
    items: Vec<T>,
    failures: Vec<RecordError>,
}

impl<T> Default for Records<T> {
    fn default() -> Self {
        Records {
            items: Vec::new(),
            failures: Vec::new(),
        }
    }
}

impl<T> Records<T> {
    /// Records that were all read.
    pub fn new(items: Vec<T>) -> Self {
        Records {
            items,
            failures: Vec::new(),
        }
    }

    /// The records that could not be read, in order.
    pub fn failures(&self) -> &[RecordError] {
        &self.failures
    }

    /// How many records the API sent (read or not).
    pub fn received(&self) -> usize {
        self.items.len() + self.failures.len()
    }

    /// Names the operation in every failure (done by the typed streams).
    pub fn set_operation(&mut self, operation_id: &'static str) {
        for f in &mut self.failures {
            f.operation_id = Some(operation_id);
        }
    }

    /// The records read and the failures.
    pub fn into_parts(self) -> (Vec<T>, Vec<RecordError>) {
        (self.items, self.failures)
    }

    /// Rebuilds from [`Self::into_parts`].
    pub fn from_parts(items: Vec<T>, failures: Vec<RecordError>) -> Self {
        Records { items, failures }
    }

    /// Every record in the order the API sent it: `Ok` when read, `Err` when not.
    pub fn into_results(self) -> impl Iterator<Item = Result<T, RecordError>> {
        let mut items = self.items.into_iter();
        let mut failures = self.failures.into_iter().peekable();
        let total = items.len() + failures.len();
        (0..total).filter_map(move |position| {
            if failures.peek().is_some_and(|f| f.index == position) {
                failures.next().map(Err)
            } else {
                items.next().map(Ok).or_else(|| failures.next().map(Err))
            }
        })
    }
}

impl<T> std::ops::Deref for Records<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.items
    }
}

impl<T> std::ops::DerefMut for Records<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.items
    }
}

impl<T> IntoIterator for Records<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Records<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<T> From<Vec<T>> for Records<T> {
    fn from(items: Vec<T>) -> Self {
        Records::new(items)
    }
}

impl<T: Serialize> Serialize for Records<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.received()))?;
        let mut failures = self.failures.iter().peekable();
        let mut items = self.items.iter();
        for position in 0..self.received() {
            match failures.peek() {
                Some(f) if f.index == position => {
                    seq.serialize_element(&failures.next().map(|f| f.raw()))?
                }
                _ => match items.next() {
                    Some(item) => seq.serialize_element(item)?,
                    None => seq.serialize_element(&failures.next().map(|f| f.raw()))?,
                },
            }
        }
        seq.end()
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Records<T> {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_option(RecordsVisitor(PhantomData))
    }
}

struct RecordsVisitor<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> Visitor<'de> for RecordsVisitor<T> {
    type Value = Records<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of records")
    }
    fn visit_none<E: de::Error>(self) -> Result<Records<T>, E> {
        Ok(Records::default())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Records<T>, E> {
        Ok(Records::default())
    }
    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<Records<T>, D::Error> {
        de.deserialize_seq(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Records<T>, A::Error> {
        let mut records = Records::<T>::default();
        if DIRECT.with(Cell::get) {
            while let Some(item) = seq.next_element::<T>()? {
                records.items.push(item);
            }
            return Ok(records);
        }
        let mut index = 0;
        let mut failed = 0usize;
        while let Some(result) = seq.next_element_seed(RecordSeed::<T>(index, PhantomData))? {
            index += 1;
            match result {
                Ok(item) => records.items.push(item),
                Err(failure) if failed < MAX_FAILURES_PER_PAGE => {
                    failed += 1;
                    tracing::debug!(target: "servicetitan::records", index = failure.index, path = %failure.path, message = %failure.message, "a record could not be read");
                    records.failures.push(*failure);
                }
                Err(_) => {
                    // One too many: the page is refused. The rest are only counted, not
                    // decoded (a hostile page costs no more time than its parse).
                    failed += 1;
                    while seq.next_element::<de::IgnoredAny>()?.is_some() {
                        index += 1;
                    }
                }
            }
        }
        if let Some(first) = records.failures.first() {
            if failed > MAX_FAILURES_PER_PAGE {
                return Err(de::Error::custom(format!(
                    "more than {MAX_FAILURES_PER_PAGE} of the {index} records of this page could not be read: the page is refused rather than kept record by record; the first, record {}, at `{}`: {}",
                    first.index, first.path, first.message
                )));
            }
            // One line per page (details per record at DEBUG): a page of bad records must not
            // become a flood of log lines.
            tracing::warn!(target: "servicetitan::records", failed, received = index, first_index = first.index, first_path = %first.path, first_message = %first.message, "records of a page could not be read; each is kept as a RecordError, their neighbours are delivered");
        }
        Ok(records)
    }
}

/// One element: its raw text from serde_json, then decoded on its own.
struct RecordSeed<T>(usize, PhantomData<T>);

type Decoded<T> = Result<T, Box<RecordError>>;

impl<'de, T: DeserializeOwned> de::DeserializeSeed<'de> for RecordSeed<T> {
    type Value = Decoded<T>;
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Decoded<T>, D::Error> {
        de.deserialize_newtype_struct(RAW_TOKEN, self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for RecordSeed<T> {
    type Value = Decoded<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record (read through serde_json)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decoded<T>, A::Error> {
        let key: Option<String> = map.next_key()?;
        if key.as_deref() != Some(RAW_TOKEN) {
            return Err(de::Error::custom(
                "records of a page are read through serde_json (raw values)",
            ));
        }
        map.next_value_seed(RawRecord::<T>(self.0, PhantomData))
    }
}

struct RawRecord<T>(usize, PhantomData<T>);

impl<'de, T: DeserializeOwned> de::DeserializeSeed<'de> for RawRecord<T> {
    type Value = Decoded<T>;
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Decoded<T>, D::Error> {
        de.deserialize_str(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for RawRecord<T> {
    type Value = Decoded<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record's raw JSON")
    }
    fn visit_str<E: de::Error>(self, raw: &str) -> Result<Decoded<T>, E> {
        Ok(decode_record(self.0, raw))
    }
}

/// Decodes one record, once, tracking the JSON path (only the careful pass runs this, after the
/// direct one failed); a failure keeps the record's raw JSON (see [`RecordError`]).
fn decode_record<T: DeserializeOwned>(index: usize, raw: &str) -> Decoded<T> {
    let mut de = serde_json::Deserializer::from_str(raw);
    serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        // A decimal is read through serde_json's raw-value protocol, whose marker key shows up
        // as a path segment: not part of the record's shape.
        let path = e
            .path()
            .to_string()
            .replace(&format!(".{RAW_TOKEN}"), "")
            .replace(RAW_TOKEN, ".");
        Box::new(RecordError::new(
            index,
            &path,
            &e.into_inner().to_string(),
            raw,
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
    struct Job {
        id: i64,
        #[serde(default)]
        tags: Vec<i64>,
    }

    #[derive(Deserialize, Serialize)]
    struct Page {
        data: Records<Job>,
    }

    const PAGE: &str =
        r#"{"data": [{"id": 1}, {"id": 2, "tags": [1, "x"]}, {"id": 3, "tags": [7]}, "odd"]}"#;

    #[test]
    fn a_bad_record_keeps_its_neighbours_its_path_and_its_raw_json() {
        let page: Page = serde_json::from_str(PAGE).unwrap();
        assert_eq!(page.data.len(), 2);
        assert_eq!(
            page.data[1],
            Job {
                id: 3,
                tags: vec![7]
            }
        );
        assert_eq!(page.data.received(), 4);
        let f = &page.data.failures()[0];
        assert_eq!((f.index, f.path.as_str()), (1, "tags[1]"));
        assert_eq!(f.raw_json(), r#"{"id": 2, "tags": [1, "x"]}"#);
        assert!(f.message.contains("invalid type"), "{}", f.message);
        assert_eq!(page.data.failures()[1].raw_json(), r#""odd""#);
        let order: Vec<Result<i64, usize>> = page
            .data
            .clone()
            .into_results()
            .map(|r| r.map(|j| j.id).map_err(|f| f.index))
            .collect();
        assert_eq!(order, [Ok(1), Err(1), Ok(3), Err(3)]);
    }

    #[test]
    fn writing_back_keeps_failed_records_verbatim_and_in_place() {
        let page: Page = serde_json::from_str(PAGE).unwrap();
        assert_eq!(
            serde_json::to_string(&page).unwrap(),
            r#"{"data":[{"id":1,"tags":[]},{"id": 2, "tags": [1, "x"]},{"id":3,"tags":[7]},"odd"]}"#
        );
    }

    #[test]
    fn null_missing_and_value_sources() {
        let page: Page = serde_json::from_str(r#"{"data": null}"#).unwrap();
        assert_eq!(page.data.received(), 0);
        let page: Page =
            serde_json::from_value(serde_json::json!({"data": [{"id": 5}, {"id": "x"}]})).unwrap();
        assert_eq!(page.data.len(), 1);
        assert_eq!(page.data.failures()[0].path, "id");
        let page: Page = serde_json::from_reader(PAGE.as_bytes()).unwrap();
        assert_eq!(page.data.received(), 4);
    }

    #[test]
    fn direct_mode_reads_the_same_records_and_fails_on_a_bad_one() {
        let good = r#"{"data": [{"id": 1}, {"id": 3, "tags": [7]}]}"#;
        let careful: Page = serde_json::from_str(good).unwrap();
        let fast: Page = direct(|| serde_json::from_str(good)).unwrap();
        assert_eq!(fast.data, careful.data);
        assert!(direct(|| serde_json::from_str::<Page>(PAGE)).is_err());
        // The mode ends with the call.
        assert_eq!(
            serde_json::from_str::<Page>(PAGE).unwrap().data.received(),
            4
        );
    }

    #[test]
    fn the_operation_is_named_once_set() {
        let mut page: Page = serde_json::from_str(PAGE).unwrap();
        page.data.set_operation("Jobs_GetList");
        let text = page.data.failures()[0].to_string();
        assert!(
            text.starts_with("Jobs_GetList: record 1 of the page could not be read at `tags[1]`"),
            "{text}"
        );
        assert!(
            !text.contains(r#"{"id": 2"#),
            "Display does not dump the record"
        );
    }
}

#[cfg(test)]
mod bounded {
    use super::*;

    #[derive(Deserialize, Debug)]
    struct Job {
        #[allow(dead_code)]
        id: i64,
    }

    #[derive(Deserialize, Debug)]
    struct Page {
        data: Records<Job>,
    }

    #[test]
    fn past_the_cap_a_page_is_refused_with_counts() {
        let n = MAX_FAILURES_PER_PAGE + 5;
        let body = format!(r#"{{"data": [{{"id": 1}},{}0]}}"#, "0,".repeat(n - 1));
        let err = crate::decode::from_bytes::<Page>(body.as_bytes()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(&format!(
                "more than {MAX_FAILURES_PER_PAGE} of the {} records",
                n + 1
            )),
            "{text}"
        );
        // At the cap, the page is delivered record by record.
        let body = format!(
            r#"{{"data": [{{"id": 1}},{}0]}}"#,
            "0,".repeat(MAX_FAILURES_PER_PAGE - 1)
        );
        let page: Page = crate::decode::from_bytes(body.as_bytes()).unwrap();
        assert_eq!(page.data.failures().len(), MAX_FAILURES_PER_PAGE);
    }

    #[test]
    fn a_large_failed_record_is_a_slice_of_the_body_and_messages_are_bounded() {
        let big = "x".repeat(10_000);
        let body = bytes::Bytes::from(format!(r#"{{"data": [{{"id": "{big}"}}]}}"#));
        let page: Page = crate::decode::from_body(&body).unwrap();
        let f = &page.data.failures()[0];
        assert_eq!(f.raw_json(), format!(r#"{{"id": "{big}"}}"#));
        assert!(f.message.len() <= 520, "{}", f.message.len());
        assert!(format!("{f:?}").len() < 2_000);
    }
}
