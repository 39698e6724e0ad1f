//! The operation table (`OPERATIONS`, `operation_meta`) and the `exec` hook that routes every
//! request through `servicetitan_core::Transport` with its operation's metadata.

use crate::inventory::Operation;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;

/// `OPERATIONS`, `operation_meta` and the `ClientHooks` impl.
pub fn tokens(operations: &[Operation]) -> TokenStream {
    // Each entry is written by the shared operation model itself.
    let metas: Vec<TokenStream> = operations
        .iter()
        .map(|op| {
            op.meta
                .to_rust("::servicetitan_core")
                .parse::<TokenStream>()
                .expect("the operation model writes valid Rust")
        })
        .collect();
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
            match operation_id {
                #(#match_arms)*
                _ => &::servicetitan_core::OperationMeta::UNKNOWN,
            }
        }

        // progenitor's client asserts that this impl exists. No `send()` calls its hooks: each
        // calls `servicetitan_core::Transport::send` (see codegen's `postprocess::send`).
        impl ::progenitor_client::ClientHooks<::servicetitan_core::Transport> for Client {}
    }
}
