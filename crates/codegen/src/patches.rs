//! The reviewed patch layer: `specs/patches/<api_id>.json` fixes bugs in ServiceTitan's
//! documents before normalization. Each patch carries a one-line reason; a patch whose target is
//! gone (the portal fixed the spec) is an error, so stale patches do not linger.
//!
//! ```json
//! {"patches": [
//!   {"reason": "…", "op": "set", "pointer": "/paths/~1tenant~1{tenant}~1x/get/operationId", "value": "X_Get"},
//!   {"reason": "…", "op": "remove", "pointer": "/components/schemas/Broken"}
//! ]}
//! ```

use serde::Deserialize;
use serde_json::Value;
use std::path::Path;

/// One patch.
#[derive(Clone, Debug, Deserialize)]
pub struct Patch {
    /// Why the patch exists (required, non-empty).
    pub reason: String,
    /// `set` or `remove`.
    pub op: PatchOp,
    /// RFC 6901 JSON pointer into the raw spec.
    pub pointer: String,
    /// New value for `set`.
    #[serde(default)]
    pub value: Option<Value>,
}

/// What a patch does.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PatchOp {
    /// Replace (or add, when the parent exists) the value at `pointer`.
    Set,
    /// Remove the value at `pointer`.
    Remove,
}

#[derive(Deserialize)]
struct PatchFile {
    patches: Vec<Patch>,
}

/// Reads the patches of a module; no file means no patches.
pub fn load(patches_dir: &Path, api_id: &str) -> Result<Vec<Patch>, String> {
    let path = patches_dir.join(format!("{api_id}.json"));
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: PatchFile =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    for p in &file.patches {
        if p.reason.trim().is_empty() {
            return Err(format!(
                "{}: patch at {} has no reason",
                path.display(),
                p.pointer
            ));
        }
    }
    Ok(file.patches)
}

/// Applies patches in order.
pub fn apply(doc: &mut Value, patches: &[Patch]) -> Result<(), String> {
    for p in patches {
        let (parent_ptr, last) = p
            .pointer
            .rsplit_once('/')
            .ok_or_else(|| format!("invalid pointer `{}`", p.pointer))?;
        let key = last.replace("~1", "/").replace("~0", "~");
        let parent = doc
            .pointer_mut(parent_ptr)
            .ok_or_else(|| format!("patch target `{}` not found ({})", p.pointer, p.reason))?;
        match (p.op, parent) {
            (PatchOp::Set, Value::Object(map)) => {
                let value = p
                    .value
                    .clone()
                    .ok_or_else(|| format!("`set` at `{}` has no value", p.pointer))?;
                map.insert(key, value);
            }
            (PatchOp::Remove, Value::Object(map)) => {
                map.remove(&key).ok_or_else(|| {
                    format!("patch target `{}` not found ({})", p.pointer, p.reason)
                })?;
            }
            (op, Value::Array(list)) => {
                let i: usize = key
                    .parse()
                    .map_err(|_| format!("`{}`: not an array index", p.pointer))?;
                if i >= list.len() {
                    return Err(format!(
                        "patch target `{}` not found ({})",
                        p.pointer, p.reason
                    ));
                }
                match op {
                    PatchOp::Set => {
                        list[i] = p
                            .value
                            .clone()
                            .ok_or_else(|| format!("`set` at `{}` has no value", p.pointer))?
                    }
                    PatchOp::Remove => {
                        list.remove(i);
                    }
                }
            }
            _ => {
                return Err(format!(
                    "patch target parent of `{}` is not a container",
                    p.pointer
                ))
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patch(op: PatchOp, pointer: &str, value: Option<Value>) -> Patch {
        Patch {
            reason: "test".into(),
            op,
            pointer: pointer.into(),
            value,
        }
    }

    #[test]
    fn set_and_remove() {
        let mut doc = json!({"paths": {"/a/b": {"get": {"operationId": "x"}}}, "list": [1, 2]});
        apply(
            &mut doc,
            &[
                patch(
                    PatchOp::Set,
                    "/paths/~1a~1b/get/operationId",
                    Some(json!("y")),
                ),
                patch(PatchOp::Remove, "/list/0", None),
            ],
        )
        .unwrap();
        assert_eq!(doc["paths"]["/a/b"]["get"]["operationId"], "y");
        assert_eq!(doc["list"], json!([2]));
    }

    #[test]
    fn stale_patch_is_an_error() {
        let mut doc = json!({"a": {}});
        let err = apply(&mut doc, &[patch(PatchOp::Remove, "/a/gone", None)]).unwrap_err();
        assert!(err.contains("/a/gone") && err.contains("test"), "{err}");
        let err = apply(
            &mut doc,
            &[patch(PatchOp::Set, "/missing/x", Some(json!(1)))],
        )
        .unwrap_err();
        assert!(err.contains("not found"), "{err}");
    }
}
