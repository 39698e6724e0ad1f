//! Writing an operation as a Rust literal: how the generator puts the model into generated code.
//!
//! Kept next to the type so that a new field is added in one crate: the struct, and the line
//! here that writes it.

use crate::{OperationPolicy, OwnedOperationMeta};
use std::fmt::Write;

impl OwnedOperationMeta {
    /// This operation as a `'static` Rust expression of type `OperationMeta`, naming the types
    /// through `krate` (`::servicetitan_core` in domain crates, which re-exports them).
    ///
    /// Strings are written with `{:?}`, whose escapes are valid Rust string literal syntax.
    pub fn to_rust(&self, krate: &str) -> String {
        let mut out = format!("{krate}::OperationMeta {{ ");
        let fields = [
            ("operation_id", &self.operation_id),
            ("method_name", &self.method_name),
            ("http_method", &self.http_method),
            ("path", &self.path),
            ("summary", &self.summary),
        ];
        for (name, value) in fields {
            let _ = write!(out, "{name}: {value:?}, ");
        }
        let scopes: Vec<String> = self.scopes.iter().map(|s| format!("{s:?}")).collect();
        let _ = write!(
            out,
            "scopes: &[{}], kind: {krate}::OperationKind::{}, policy: {}, hand_written: {} }}",
            scopes.join(", "),
            self.kind.name(),
            policy(&self.policy, krate),
            self.hand_written
        );
        out
    }
}

fn policy(policy: &OperationPolicy<String>, krate: &str) -> String {
    let key = match &policy.limit_key {
        Some(key) => format!("::core::option::Option::Some({key:?})"),
        None => "::core::option::Option::None".to_string(),
    };
    format!(
        "{krate}::OperationPolicy {{ limit_key: {key}, retry_conflict: {} }}",
        policy.retry_conflict
    )
}

#[cfg(test)]
mod tests {
    use crate::{OperationKind, OperationPolicy, OwnedOperationMeta};

    #[test]
    fn writes_every_field() {
        let meta = OwnedOperationMeta {
            operation_id: "ReportCategoryReports_GetData".into(),
            method_name: "report_category_reports_get_data".into(),
            http_method: "POST".into(),
            path: "/tenant/{tenant}/reports/{reportId}/data".into(),
            scopes: vec!["tn.rpt.reports:r".into()],
            summary: "Gets \"data\"\n".into(),
            kind: OperationKind::Plain,
            policy: OperationPolicy::REPORT_DATA.to_owned_policy(),
            hand_written: false,
        };
        let text = meta.to_rust("::servicetitan_core");
        assert_eq!(
            text,
            "::servicetitan_core::OperationMeta { operation_id: \"ReportCategoryReports_GetData\", \
             method_name: \"report_category_reports_get_data\", http_method: \"POST\", \
             path: \"/tenant/{tenant}/reports/{reportId}/data\", summary: \"Gets \\\"data\\\"\\n\", \
             scopes: &[\"tn.rpt.reports:r\"], kind: ::servicetitan_core::OperationKind::Plain, \
             policy: ::servicetitan_core::OperationPolicy { limit_key: \
             ::core::option::Option::Some(\"reportId\"), retry_conflict: true }, hand_written: false }"
        );
    }
}
