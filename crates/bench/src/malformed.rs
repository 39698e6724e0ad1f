//! The malformed-page memory check: a body just under the SDK's default cap
//! (64 MiB) made of records that all fail to decode (`[0,0,0,…]`), decoded as `send()` and
//! `.stream()` decode a page (`decode::from_body` into `JobResponsePage`) and as a raw export
//! batch (`RawBatch`). Both refuse the page (too many failures; records that would cost more than
//! twice the body); the orchestrator reads the child's peak RSS, which must stay below 4× the cap.

use crate::BoxError;
use servicetitan::jpm::types::JobResponsePage;

/// Builds the page and decodes it both ways; prints what each decode said.
pub fn run(mib: usize) -> Result<(), BoxError> {
    let cap = mib * 1024 * 1024;
    let head = r#"{"page": 1, "pageSize": 5000, "hasMore": false, "continueFrom": "t", "data": ["#;
    let mut text = String::with_capacity(cap);
    text.push_str(head);
    while text.len() + 8 < cap {
        text.push_str("0,");
    }
    text.push_str("0]}");
    let body = bytes::Bytes::from(text);
    let typed =
        servicetitan::decode::from_body::<JobResponsePage>(&body).map(|p| p.data.received());
    let raw = servicetitan::decode::from_body::<servicetitan::export::RawBatch>(&body).map(|_| ());
    let short = |e: serde_json::Error| e.to_string().chars().take(100).collect::<String>();
    println!(
        "{}",
        serde_json::json!({
            "body_bytes": body.len(),
            "typed": typed.map_err(short).err(),
            "raw": raw.map_err(short).err(),
        })
    );
    Ok(())
}
