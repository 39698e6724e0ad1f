//! The SDK's own items added to every generated crate:
//!
//! * `Api` — the domain client bound to one tenant and base URL: `jpm.jobs_get_list()` with no
//!   tenant argument; required path, query and body parameters taken positionally, so a missing
//!   one is a compile error rather than a runtime `InvalidArgument`; each method returns an owned
//!   builder (no borrow of the `Api`), documented with its HTTP method, path and parameters
//!   ([`docs`]);
//! * `OPERATIONS` — the operation table (id, method, path, OAuth scopes, kind) and the `exec`
//!   hook routing every request through `servicetitan_core::Transport` ([`table`]);
//! * `stream()` / `pages()` on paged-list builders and `stream()` / `batches()` on export
//!   builders, boxed `'static + Send` streams ([`streams`]; placed inside progenitor's `builder`
//!   module, where the builders' fields are visible);
//! * upload methods for the multipart operations progenitor cannot generate ([`uploads`]).

pub mod docs;
pub mod streams;
pub mod table;
pub mod uploads;

use crate::inventory::{Operation, OperationKind};
use crate::manifest::Module;
use crate::normalize::Upload;
use crate::postprocess::Setters;
use heck::ToPascalCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeSet;
use syn::{Item, Type};

/// Items to add: at the crate root and inside `mod builder`.
pub struct DomainItems {
    /// Crate-root items.
    pub items: Vec<Item>,
    /// Items for progenitor's `builder` module.
    pub builder_items: Vec<Item>,
}

fn parse_items(tokens: TokenStream) -> Result<Vec<Item>, String> {
    syn::parse2::<syn::File>(tokens.clone())
        .map(|f| f.items)
        .map_err(|e| format!("{e}: {tokens}"))
}

/// The builder struct name progenitor gives an operation.
pub fn builder_name(operation_id: &str) -> String {
    crate::inventory::word_separated(operation_id).to_pascal_case()
}

fn qualify(ty: &Type) -> TokenStream {
    // Types from typify's `types` module are named bare inside it; at the crate root they need
    // the `types::` prefix, primitives and absolute paths do not.
    let text = quote!(#ty).to_string();
    if text.starts_with("::") || text.starts_with("types") || is_primitive(&text) {
        quote!(#ty)
    } else {
        quote!(types::#ty)
    }
}

fn is_primitive(t: &str) -> bool {
    matches!(
        t,
        "i8" | "i16"
            | "i32"
            | "i64"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "f32"
            | "f64"
            | "bool"
            | "String"
    )
}

/// Builds the domain items of a module.
pub fn items(
    module: &Module,
    operations: &[Operation],
    uploads: &[Upload],
    setters: &Setters,
    types: &[Item],
    descriptions: &docs::Descriptions,
) -> Result<DomainItems, String> {
    let mut methods = Vec::new();
    let mut builder_items = Vec::new();
    let mut page_impls = BTreeSet::new();
    let mut root_extra = Vec::new();
    for op in operations {
        let doc = docs::method_doc(op, descriptions);
        if op.kind == OperationKind::Upload {
            methods.push(uploads::method(op, uploads, &doc)?);
            continue;
        }
        methods.push(api_method(op, setters, &doc));

        // Streams for paged lists and exports.
        let (Some(envelope), true) = (
            &op.response_schema,
            matches!(op.kind, OperationKind::PagedList | OperationKind::Export),
        ) else {
            continue;
        };
        let Some(item_ty) = crate::envelopes::records_item_type(types, envelope) else {
            continue;
        };
        // `types::X` works both at the crate root and inside progenitor's `builder` module, which
        // imports `super::types`.
        let item_ty = qualify(&item_ty);
        let env_ident = format_ident!("{}", envelope);
        if page_impls.insert(envelope.clone()) {
            root_extra.push(crate::envelopes::envelope_impl(
                envelope,
                &item_ty,
                op.kind == OperationKind::PagedList,
            ));
        }
        let builder = format_ident!("{}", builder_name(&op.operation_id));
        builder_items.extend(parse_items(streams::builder_impl(
            op, &builder, &env_ident, &item_ty,
        ))?);
    }
    let mut root = api(module, &methods);
    root.extend(table::tokens(operations));
    root.extend(root_extra);
    Ok(DomainItems {
        items: parse_items(root)?,
        builder_items,
    })
}

/// `pub fn jobs_get(&self, id: i64) -> builder::JobsGet`: a fresh builder owning a
/// clone of the client, the tenant set, required parameters and the body positional.
fn api_method(op: &Operation, setters: &Setters, doc: &str) -> TokenStream {
    let name = format_ident!("{}", op.method_name);
    let builder = builder_name(&op.operation_id);
    let builder_ident = format_ident!("{}", builder);
    let mut args = Vec::new();
    let mut calls = Vec::new();
    if op
        .parameters
        .iter()
        .any(|p| p.name == "tenant" && p.location == "path")
    {
        calls.push(quote!(.tenant(self.tenant)));
    }
    let mut positional: Vec<&str> = op
        .parameters
        .iter()
        .filter(|p| {
            p.required && p.name != "tenant" && (p.location == "path" || p.location == "query")
        })
        .map(|p| p.rust_name.as_str())
        .collect();
    if op.has_body {
        positional.push("body");
    }
    for setter in positional {
        let Some(ty) = setters.get(&(builder.clone(), setter.to_string())) else {
            continue;
        };
        // Concrete types (a string as `&str`), not `impl Into<T>`: the method stays a plain
        // function item that can be named (`Api::jobs_get`), and a literal id infers `i64`.
        let ident = format_ident!("{}", setter);
        if quote!(#ty).to_string().replace(' ', "") == "::std::string::String" {
            args.push(quote!(#ident: &str));
        } else {
            let ty = qualify(ty);
            args.push(quote!(#ident: #ty));
        }
        calls.push(quote!(.#ident(#ident)));
    }
    quote! {
        #[doc = #doc]
        pub fn #name(&self, #(#args),*) -> builder::#builder_ident {
            builder::#builder_ident::new(self.raw.clone()) #(#calls)*
        }
    }
}

/// The module constants and the `Api` type with its methods.
fn api(module: &Module, methods: &[TokenStream]) -> TokenStream {
    let base_path = &module.base_path;
    let api_id = &module.api_id;
    let title = &module.title;
    quote! {
        /// Path of this module under the API host.
        pub const BASE_PATH: &str = #base_path;
        /// The portal's id of the spec this crate was generated from.
        pub const API_ID: &str = #api_id;

        #[doc = concat!("Client for the ServiceTitan ", #title, " API, bound to one tenant.")]
        ///
        /// Get one from `servicetitan::Client` (one accessor per enabled module) or with
        /// [`Api::new`]; it shares the connection pool, token cache and rate limiter of the
        /// client it came from. Cheap to clone; each method returns a request builder that owns
        /// what it needs (no borrow of the `Api`), bound to this tenant and base URL for good.
        #[derive(Clone, Debug)]
        pub struct Api {
            raw: Client,
            tenant: i64,
        }

        impl Api {
            /// A client for this module bound to the tenant of `client`.
            pub fn new(client: &::servicetitan_core::Client) -> Self {
                Self::from_parts(client.domain(BASE_PATH))
            }

            /// A client from already resolved parts.
            pub fn from_parts(parts: ::servicetitan_core::DomainParts) -> Self {
                Self {
                    raw: Client::new_with_client(&parts.base_url, parts.http, parts.transport),
                    tenant: parts.tenant_id,
                }
            }

            /// The tenant every call is bound to.
            pub fn tenant_id(&self) -> i64 {
                self.tenant
            }

            /// The module's base URL every call is made against.
            pub fn base_url(&self) -> &str {
                self.raw.baseurl()
            }

            /// This client with per-request options (retry policy, non-idempotent opt-in) for
            /// every call made through it, e.g.
            /// `api.with_options(RequestOptions::new().retry_non_idempotent())`. Shares the
            /// token cache, limiters and pool; the options hold in spawned tasks too.
            pub fn with_options(&self, options: ::servicetitan_core::RequestOptions) -> Self {
                let transport = self.raw.inner().with_options(options);
                let raw = Client::new_with_client(self.raw.baseurl(), self.raw.client().clone(), transport);
                Self { raw, tenant: self.tenant }
            }

            #(#methods)*
        }
    }
}
