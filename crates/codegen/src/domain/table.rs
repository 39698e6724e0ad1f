//! The operation table (`OPERATIONS`, `operation_meta`) and the `exec` hook that routes every
//! request through `servicetitan_core::Transport` with its operation's metadata.

use crate::inventory::{Operation, OperationKind};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// `OPERATIONS`, `operation_meta` and the `ClientHooks` impl.
pub fn tokens(operations: &[Operation]) -> TokenStream {
    let metas = operations.iter().map(|op| {
        let id = &op.operation_id;
        let name = &op.method_name;
        let method = &op.method;
        let path = &op.path;
        let scopes = &op.scopes;
        let summary = &op.summary;
        let kind = format_ident!("{}", op.kind.core_variant());
        let hand = op.kind == OperationKind::Upload;
        quote! {
            ::servicetitan_core::OperationMeta {
                operation_id: #id, method_name: #name, http_method: #method, path: #path,
                scopes: &[#(#scopes),*], summary: #summary,
                kind: ::servicetitan_core::OperationKind::#kind, hand_written: #hand,
            }
        }
    });
    // progenitor's `OperationInfo::operation_id` carries the sanitized method name
    // (`jobs_get_list`), not the spec's id (`Jobs_GetList`); both are accepted.
    let mut seen = BTreeSet::new();
    let match_arms: Vec<TokenStream> = operations
        .iter()
        .enumerate()
        .filter_map(|(i, op)| {
            let keys: Vec<&String> = [&op.operation_id, &op.method_name]
                .into_iter()
                .filter(|k| seen.insert(k.to_string()))
                .collect();
            (!keys.is_empty()).then(|| quote!(#(#keys)|* => &OPERATIONS[#i],))
        })
        .collect();
    let n = operations.len();
    quote! {
        /// Every operation of the module, generated or hand-written.
        pub static OPERATIONS: [::servicetitan_core::OperationMeta; #n] = [#(#metas),*];

        /// The table entry of an operation, by spec id or method name (an unknown one gets a
        /// placeholder entry).
        pub fn operation_meta(operation_id: &str) -> &'static ::servicetitan_core::OperationMeta {
            static UNKNOWN: ::servicetitan_core::OperationMeta = ::servicetitan_core::OperationMeta {
                operation_id: "unknown", method_name: "unknown", http_method: "", path: "",
                scopes: &[], summary: "", kind: ::servicetitan_core::OperationKind::Plain, hand_written: false,
            };
            match operation_id {
                #(#match_arms)*
                _ => &UNKNOWN,
            }
        }

        impl ::progenitor_client::ClientHooks<::servicetitan_core::Transport> for Client {
            async fn exec(
                &self,
                request: ::reqwest::Request,
                info: &::progenitor_client::OperationInfo,
            ) -> ::reqwest::Result<::reqwest::Response> {
                self.inner.execute(request, operation_meta(info.operation_id)).await
            }
        }
    }
}
