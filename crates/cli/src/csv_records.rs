//! CSV output of exports: one column per field of the record schema (nested objects flattened
//! as `parent.child`), values taken from the API's own text — numbers digit for digit, strings
//! unescaped, arrays and deeper objects as their JSON, `null` and missing as empty cells.

use serde_json::value::RawValue;
use servicetitan_core::export::file::Encoder;
use std::collections::BTreeMap;

/// The CSV encoder for one export's columns.
pub struct CsvRecords {
    columns: Vec<String>,
}

impl CsvRecords {
    /// An encoder writing `columns` (from the command table) in order.
    pub fn new(columns: &[&str]) -> Self {
        CsvRecords {
            columns: columns.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn row(&self, record: &RawValue) -> Result<Vec<String>, String> {
        let top: BTreeMap<String, Box<RawValue>> =
            serde_json::from_str(record.get()).map_err(|e| format!("not a JSON object: {e}"))?;
        let mut nested: BTreeMap<String, BTreeMap<String, Box<RawValue>>> = BTreeMap::new();
        self.columns
            .iter()
            .map(|column| {
                let mut parts = column.split('.');
                let first = parts.next().unwrap_or_default();
                let mut value = top.get(first).map(|v| v.get().to_string());
                let mut prefix = first.to_string();
                for part in parts {
                    let Some(text) = value.take() else { break };
                    let map = match nested.get(&prefix) {
                        Some(map) => map,
                        None => {
                            let map = serde_json::from_str(&text).unwrap_or_default();
                            nested.entry(prefix.clone()).or_insert(map)
                        }
                    };
                    value = map.get(part).map(|v| v.get().to_string());
                    prefix = format!("{prefix}.{part}");
                }
                Ok(value.map(|v| cell(&v)).unwrap_or_default())
            })
            .collect()
    }
}

/// The cell for one JSON value's text.
fn cell(raw: &str) -> String {
    match raw.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_string()),
        _ if raw == "null" => String::new(),
        _ => raw.to_string(),
    }
}

/// One CSV line (quoted as needed, `\n`-terminated).
pub fn write_row(fields: &[String]) -> Result<Vec<u8>, String> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(fields).map_err(|e| e.to_string())?;
    writer.into_inner().map_err(|e| e.to_string())
}

impl Encoder for CsvRecords {
    fn format(&self) -> &str {
        "csv"
    }
    fn header(&mut self) -> Result<Vec<u8>, String> {
        write_row(&self.columns)
    }
    fn encode(&mut self, record: &RawValue, out: &mut Vec<u8>) -> Result<(), String> {
        out.extend(write_row(&self.row(record)?)?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_nested_fields_and_keeps_digits() {
        let mut csv = CsvRecords::new(&["id", "total", "name", "address.city", "tags", "gone"]);
        let record: Box<RawValue> = serde_json::from_str(
            r#"{"id":12345678901234567890,"total":10.10,"name":"A, \"B\"","address":{"city":"Paris"},"tags":[1,2]}"#,
        )
        .unwrap();
        let mut out = Vec::new();
        csv.encode(&record, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "12345678901234567890,10.10,\"A, \"\"B\"\"\",Paris,\"[1,2]\",\n"
        );
        assert_eq!(
            String::from_utf8(csv.header().unwrap()).unwrap(),
            "id,total,name,address.city,tags,gone\n"
        );
    }
}
