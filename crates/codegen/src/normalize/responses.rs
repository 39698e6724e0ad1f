//! Operation-level rewrites of responses and request bodies into what progenitor accepts:
//! at most one success type per operation, JSON preferred, errors left to the core crate.

use serde_json::{json, Map, Value};

/// Rewrites one operation's `responses`:
/// * error responses (4xx, 5xx, `default`) are removed — the core transport turns every non-2xx
///   into the SDK's typed `Error`, with the body parsed once, in one place;
/// * of several media types, `application/json` is kept (`text/json`, `text/plain` duplicates);
/// * a `302` (a redirect to a file) becomes a `200` binary download: reqwest follows the redirect
///   and drops the `Authorization` header when it changes host;
/// * several success codes with the same body (`200`+`201`, `200`+`204` without content)
///   collapse into one `2XX` response.
pub fn collapse_responses(op: &mut Value) {
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    responses.retain(|code, _| code.starts_with('2') || code.starts_with('3'));
    for response in responses.values_mut() {
        prefer_json(response);
    }
    let redirect = responses.keys().any(|c| c.starts_with('3'));
    if redirect {
        let description = responses
            .values()
            .find_map(|r| r.get("description").cloned())
            .unwrap_or_else(|| json!("The file"));
        responses.clear();
        responses.insert(
            "200".into(),
            json!({
                "description": description,
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
            }),
        );
        return;
    }
    if responses.len() > 1 {
        let contents: Vec<Option<&Value>> = responses.values().map(|r| r.get("content")).collect();
        if contents.windows(2).all(|w| w[0] == w[1]) {
            let first = responses
                .values()
                .next()
                .cloned()
                .unwrap_or_else(|| json!({}));
            responses.clear();
            responses.insert("2XX".into(), first);
        } else {
            // Different bodies (none in today's specs): keep the first one that has content.
            // A response with another code then reaches the caller as an unexpected status;
            // a spec patch should settle such an operation.
            let keep = responses
                .iter()
                .find(|(_, r)| r.get("content").is_some())
                .map(|(c, r)| (c.clone(), r.clone()));
            if let Some((code, r)) = keep {
                responses.clear();
                responses.insert(code, r);
            }
        }
    }
    if responses.is_empty() {
        responses.insert("200".into(), json!({"description": "Success"}));
    }
}

/// Keeps `application/json` when a body is offered in several media types; `text/json` alone is
/// JSON too.
pub fn prefer_json(carrier: &mut Value) {
    let Some(content) = carrier.get_mut("content").and_then(Value::as_object_mut) else {
        return;
    };
    if content.len() <= 1 && !content.contains_key("text/json") {
        return;
    }
    let chosen = ["application/json", "text/json", "application/*+json"]
        .iter()
        .find_map(|k| content.get(*k).cloned());
    if let Some(media) = chosen {
        let mut only = Map::new();
        only.insert("application/json".into(), media);
        *content = only;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_removed_and_json_preferred() {
        let mut op = json!({"responses": {
            "200": {"description": "ok", "content": {
                "text/plain": {"schema": {"$ref": "#/a"}},
                "application/json": {"schema": {"$ref": "#/a"}},
                "text/json": {"schema": {"$ref": "#/a"}}}},
            "400": {"description": "bad", "content": {"application/json": {"schema": {"$ref": "#/e"}}}},
            "404": {"description": "nf"}
        }});
        collapse_responses(&mut op);
        assert_eq!(
            op["responses"],
            json!({"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/a"}}}}})
        );
    }

    #[test]
    fn two_success_codes_collapse_to_a_range() {
        let mut op =
            json!({"responses": {"200": {"description": "a"}, "204": {"description": "b"}}});
        collapse_responses(&mut op);
        assert_eq!(op["responses"], json!({"2XX": {"description": "a"}}));
        let body = json!({"application/json": {"schema": {"$ref": "#/r"}}});
        let mut op = json!({"responses": {"200": {"description": "a", "content": body}, "201": {"description": "b", "content": body}}});
        collapse_responses(&mut op);
        assert_eq!(op["responses"]["2XX"]["content"], body);
    }

    #[test]
    fn redirect_becomes_binary_download() {
        let mut op =
            json!({"responses": {"302": {"description": "Redirect"}, "400": {"description": "x"}}});
        collapse_responses(&mut op);
        assert_eq!(
            op["responses"]["200"]["content"]["application/octet-stream"]["schema"]["format"],
            "binary"
        );
        let mut op =
            json!({"responses": {"200": {"description": "ok"}, "302": {"description": "r"}}});
        collapse_responses(&mut op);
        assert_eq!(op["responses"].as_object().unwrap().len(), 1);
        assert!(op["responses"]["200"]["content"]
            .get("application/octet-stream")
            .is_some());
    }
}
