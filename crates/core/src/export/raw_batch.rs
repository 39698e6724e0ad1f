//! [`RawBatch`]: an export envelope whose records are kept exactly as received.
//!
//! Why the records are read with a budget: each record becomes a `Box<RawValue>` of its own (a
//! pointer in the list and an allocation), which for tiny records (`[0,0,0,…]`) costs some 25
//! times their text. The bytes kept for the records (their text plus that per-record overhead)
//! may not exceed twice the body ([`OVERHEAD_FACTOR`]); past that the batch is refused with an
//! error naming the counts, so a batch under the body cap never costs more than a few times it.
//! A real batch (records of hundreds of bytes and more) is nowhere near the budget.

use crate::records::Records;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;

/// Memory charged per record on top of its text: its pointer in the list (with the list's
/// growth) and the allocator's minimum block.
const PER_RECORD: usize = 16 * 2 + 32;
/// The records may cost at most this many times the body being decoded.
const OVERHEAD_FACTOR: usize = 2;
/// Budget when the body's size is unknown (decoded outside the transport).
const UNKNOWN_BODY: usize = 64 * 1024 * 1024;

/// An export envelope whose records are kept exactly as received (bytes, key order, fields the
/// SDK does not know); read with [`crate::Client::get_json`]. For pipelines that store what the
/// API sent rather than the typed model.
#[derive(Debug, serde::Deserialize)]
pub struct RawBatch {
    #[serde(rename = "hasMore", default)]
    has_more: Option<bool>,
    #[serde(rename = "continueFrom", default)]
    continue_from: Option<String>,
    #[serde(default, deserialize_with = "bounded_records")]
    data: Option<Vec<Box<RawValue>>>,
}

impl super::Batch for RawBatch {
    type Item = Box<RawValue>;
    fn has_more(&self) -> bool {
        self.has_more.unwrap_or(false)
    }
    fn continue_from(&self) -> Option<&str> {
        self.continue_from.as_deref()
    }
    fn into_records(self) -> Records<Self::Item> {
        Records::new(self.data.unwrap_or_default())
    }
}

fn bounded_records<'de, D: Deserializer<'de>>(
    de: D,
) -> Result<Option<Vec<Box<RawValue>>>, D::Error> {
    de.deserialize_option(RawRecords)
}

struct RawRecords;

impl<'de> Visitor<'de> for RawRecords {
    type Value = Option<Vec<Box<RawValue>>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of records")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_seq(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let body = crate::records::body_len().unwrap_or(UNKNOWN_BODY);
        let budget = body.saturating_mul(OVERHEAD_FACTOR).max(1024 * 1024);
        let mut records = Vec::new();
        let mut cost = 0usize;
        while let Some(record) = seq.next_element::<Box<RawValue>>()? {
            cost = cost.saturating_add(PER_RECORD + record.get().len());
            if cost > budget {
                return Err(de::Error::custom(format!(
                    "the batch's records would take more than {budget} bytes to keep ({} records \
                     read so far, {body} bytes of body): refused rather than held (records of a \
                     few bytes each are not an export's)",
                    records.len() + 1
                )));
            }
            records.push(record);
        }
        Ok(Some(records))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::Batch;

    #[test]
    fn records_are_kept_verbatim_and_a_batch_of_tiny_records_is_refused() {
        let body = bytes::Bytes::from_static(
            br#"{"hasMore": true, "continueFrom": "t", "data": [{"a" : 1.50}, 7]}"#,
        );
        let batch: RawBatch = crate::decode::from_body(&body).unwrap();
        let records = batch.into_records();
        assert_eq!(records[0].get(), r#"{"a" : 1.50}"#);
        assert_eq!(records.len(), 2);

        let mut text = String::from(r#"{"hasMore": true, "data": ["#);
        text.push_str(&"0,".repeat(600_000));
        text.push_str("0]}");
        let body = bytes::Bytes::from(text);
        let err = crate::decode::from_body::<RawBatch>(&body).unwrap_err();
        assert!(err.to_string().contains("refused"), "{err}");
    }
}
