//! Rows as records: the API sends each row as an array next to a separate `fields` list; here
//! each row becomes a map from field name to value, or the user's own `serde` type.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::types::HeaderField;

/// One report (or dynamic value set) row, keyed by field name.
///
/// The map's key order is `serde_json`'s (sorted, unless its `preserve_order` feature is on);
/// the column order is [`RowsPage::fields`] (or [`ReportDefinition::field_names`](super::ReportDefinition::field_names)).
pub type Row = serde_json::Map<String, Value>;

/// How many bytes of a row an error message quotes.
const EXCERPT_LEN: usize = 512;

/// One page of a report run, its rows keyed by field name.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct RowsPage {
    /// The page number the API reported.
    pub page: Option<i64>,
    /// `true` when more pages follow.
    pub has_more: bool,
    /// The API's `totalCount` (only sent when asked for).
    pub total_count: Option<i64>,
    /// The field names the rows are keyed by.
    pub fields: Vec<String>,
    /// The rows.
    pub rows: Vec<Row>,
}

/// The names of header fields (a field without a name is keyed by its label, else its
/// position).
pub(crate) fn field_names(fields: &[HeaderField]) -> Vec<String> {
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            f.name
                .clone()
                .or_else(|| f.label.clone())
                .unwrap_or_else(|| i.to_string())
        })
        .collect()
}

/// Keys `values` by `fields`: a row shorter than the fields gets `null` for the missing values;
/// a value beyond the last field has no name and is keyed by its 0-based position (`"3"`), with
/// a WARN, so nothing the API sent is lost.
pub fn keyed(fields: &[String], values: Vec<Value>) -> Row {
    if values.len() > fields.len() {
        tracing::warn!(
            target: "servicetitan::reporting",
            fields = fields.len(),
            values = values.len(),
            "report row has more values than fields; the extra values are keyed by position"
        );
    }
    let mut row: Row = Row::new();
    let mut values = values.into_iter();
    for name in fields {
        row.insert(name.clone(), values.next().unwrap_or(Value::Null));
    }
    for (i, value) in values.enumerate() {
        row.insert((fields.len() + i).to_string(), value);
    }
    row
}

/// Reads `row` into `T`; `index` (0-based, across pages) names the row in the error.
pub fn deserialize_row<T: DeserializeOwned>(
    row: Row,
    index: usize,
) -> Result<T, servicetitan_core::Error> {
    let value = Value::Object(row);
    T::deserialize(&value).map_err(|e| {
        let text = value.to_string();
        let mut end = text.len().min(EXCERPT_LEN);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let excerpt = if end < text.len() {
            format!("{}…", &text[..end])
        } else {
            text
        };
        servicetitan_core::Error::Decode {
            message: format!(
                "report row {index} into `{}`: {e}",
                std::any::type_name::<T>()
            ),
            excerpt,
            status: None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_rows_get_nulls_and_extra_values_are_keyed_by_position() {
        let fields = vec!["A".to_owned(), "B".to_owned()];
        assert_eq!(
            Value::Object(keyed(&fields, vec![json!(1)])),
            json!({"A": 1, "B": null})
        );
        assert_eq!(
            Value::Object(keyed(&fields, vec![json!(1), json!(2), json!(3)])),
            json!({"A": 1, "B": 2, "2": 3})
        );
        assert_eq!(
            Value::Object(keyed(&[], vec![json!("x"), json!("y")])),
            json!({"0": "x", "1": "y"})
        );
    }

    #[test]
    fn unnamed_fields_fall_back_to_label_then_position() {
        let fields = vec![
            HeaderField {
                name: Some("Name".into()),
                label: Some("L".into()),
            },
            HeaderField {
                name: None,
                label: Some("Label".into()),
            },
            HeaderField {
                name: None,
                label: None,
            },
        ];
        assert_eq!(field_names(&fields), ["Name", "Label", "2"]);
    }

    #[test]
    fn a_row_that_does_not_fit_names_row_and_type() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct R {
            n: i64,
        }
        let row = keyed(&["n".to_owned()], vec![json!("x")]);
        let err = deserialize_row::<R>(row, 7).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("report row 7"), "{text}");
        assert!(text.contains("invalid type"), "{text}");
        assert!(text.contains(r#"{"n":"x"}"#), "{text}");
    }
}
