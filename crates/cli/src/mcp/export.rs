//! `export_records`: an export paged across tool calls. Each answer carries a cursor to pass back;
//! it names the export's continuation token and how many records of that batch were already
//! handed out, so an answer cut inside a batch (by `max_records` or the byte cap) resumes at the
//! next record — nothing skipped, nothing twice. The SDK's export stream underneath stops an
//! export that does not advance.

use super::server::{Inner, ToolError, ToolResult};
use crate::table::{Module, Operation, MODULES};
use base64::Engine;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use servicetitan_core::call::CallArgs;
use servicetitan_core::export::{self, RawBatch};

/// Records per answer when `max_records` is not given.
pub const DEFAULT_MAX_RECORDS: usize = 500;

/// `export_records`' arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportInput {
    entity: String,
    #[serde(default)]
    since: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    max_records: Option<usize>,
}

/// Where an export stands between calls.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// `module/entity`.
    pub entity: String,
    /// The `from` of the batch to read next (`None`: the beginning).
    pub from: Option<String>,
    /// Records of that batch already handed out.
    pub skip: usize,
}

impl Cursor {
    /// Opaque text for the agent.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    /// Reads a cursor given back.
    pub fn decode(text: &str) -> Result<Cursor, String> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| "the cursor is not one export_records returned".to_string())?;
        serde_json::from_slice(&bytes)
            .map_err(|_| "the cursor is not one export_records returned".to_string())
    }
}

/// Every export: `module/entity` with its operation.
pub fn exports() -> impl Iterator<Item = (String, &'static Module, &'static Operation)> {
    MODULES.iter().flat_map(|m| {
        m.exports()
            .map(move |(e, op)| (format!("{}/{e}", m.name), m, op))
    })
}

/// The export `entity` names (`jobs`, `jpm/jobs`, `jpm.jobs`).
pub fn find(entity: &str) -> Result<(String, &'static Module, &'static Operation), String> {
    let wanted = entity.trim().replace('.', "/");
    let hits: Vec<_> = exports()
        .filter(|(name, _, _)| {
            *name == wanted || name.split_once('/').is_some_and(|(_, e)| e == wanted)
        })
        .collect();
    match hits.len() {
        1 => Ok(hits.into_iter().next().expect("one hit")),
        0 => Err(format!(
            "unknown export entity `{entity}`; exports: {}",
            exports().map(|(n, _, _)| n).collect::<Vec<_>>().join(", ")
        )),
        _ => Err(format!(
            "`{entity}` is exported by several modules: {}; name one as module/entity",
            hits.iter()
                .map(|(n, _, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

impl Inner {
    /// `export_records`.
    pub async fn export_records(&self, input: ExportInput) -> ToolResult {
        let (name, module, op) =
            find(&input.entity).map_err(|m| ToolError::new("unknown_entity", m))?;
        let max = input
            .max_records
            .unwrap_or(DEFAULT_MAX_RECORDS)
            .clamp(1, 10_000);
        let start = match &input.cursor {
            Some(text) => {
                let c = Cursor::decode(text).map_err(|m| ToolError::new("invalid_arguments", m))?;
                if c.entity != name {
                    return Err(ToolError::new(
                        "invalid_arguments",
                        format!("the cursor belongs to the export {}, not {name}", c.entity),
                    ));
                }
                c
            }
            None => Cursor {
                entity: name.clone(),
                from: input.since.clone(),
                skip: 0,
            },
        };
        let client = &self.client;
        let batches = export::batches(op.meta.operation_id, start.from.clone(), |from| {
            let mut args = CallArgs::default();
            args.query.extend(from.map(|f| ("from".to_string(), f)));
            async move {
                client
                    .call_json::<RawBatch>(&op.meta, module.base_path, &args)
                    .await
            }
        });
        let mut batches = std::pin::pin!(batches);
        let mut records = Vec::new();
        let mut bytes = 0;
        let cap = self.results.cap();
        let mut at = start;
        let mut has_more = true;
        'batches: while let Some(batch) = batches
            .try_next()
            .await
            .map_err(|e| ToolError::new("export_failed", e.to_string()))?
        {
            has_more = batch.has_more;
            let items = batch.items;
            for (i, record) in items.into_iter().enumerate().skip(at.skip) {
                let size = record.get().len() + 1;
                if records.len() >= max || (!records.is_empty() && bytes + size > cap) {
                    // Cut inside this batch: the next call re-reads it and skips what was sent.
                    at.skip = i;
                    has_more = true;
                    break 'batches;
                }
                bytes += size;
                records.push(record);
            }
            // The whole batch is handed out: continue after it.
            if let Some(token) = batch.checkpoint {
                at.from = Some(token);
            }
            at.skip = 0;
            if !has_more || records.len() >= max {
                break;
            }
        }
        Ok(format!(
            r#"{{"entity":{},"status":"ok","count":{},"records":{},"cursor":{},"has_more":{has_more},"hint":{}}}"#,
            json!(name),
            records.len(),
            super::results::array(&records),
            json!(at.encode()),
            json!(if has_more {
                "more records are ready: call export_records again with this cursor"
            } else {
                "caught up: the export has nothing more now; call again with this cursor in 5-10 minutes for new changes"
            }),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor {
            entity: "jpm/jobs".into(),
            from: Some("tok".into()),
            skip: 3,
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        assert!(Cursor::decode("not a cursor!").is_err());
        assert!(Cursor::decode("e30").is_err());
    }

    #[test]
    fn entities_are_found_with_or_without_their_module() {
        assert_eq!(find("jobs").unwrap().0, "jpm/jobs");
        assert_eq!(find("jpm.jobs").unwrap().0, "jpm/jobs");
        assert!(find("nothing-here").unwrap_err().contains("exports:"));
    }
}
