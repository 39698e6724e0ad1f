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

use crate::inventory::{Operation, OperationKind, Parameter};
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
        let (method, params) = api_method(op, setters, &doc);
        methods.push(method);
        root_extra.extend(params);

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
/// clone of the client, the tenant set, required parameters and the body positional — except
/// when two or more required path/query parameters share a type (see [`params_struct`]).
/// Returns the method, and the parameters struct to add at the crate root, if any.
fn api_method(op: &Operation, setters: &Setters, doc: &str) -> (TokenStream, Option<TokenStream>) {
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
    let values: Vec<(&Parameter, &Type)> = op
        .parameters
        .iter()
        .filter(|p| {
            p.required && p.name != "tenant" && (p.location == "path" || p.location == "query")
        })
        .filter_map(|p| Some((p, setters.get(&(builder.clone(), p.rust_name.clone()))?)))
        .collect();
    let mut extra = None;
    if let Some(params) = params_struct(op, &builder, &values) {
        let ident = format_ident!("{}Params", builder);
        args.push(quote!(params: #ident));
        calls.push(quote!(.named_values(params)));
        extra = Some(params);
    } else {
        for (p, ty) in &values {
            let (arg, call) = positional(&p.rust_name, ty);
            args.push(arg);
            calls.push(call);
        }
    }
    if op.has_body {
        if let Some(ty) = setters.get(&(builder.clone(), "body".to_string())) {
            let (arg, call) = positional("body", ty);
            args.push(arg);
            calls.push(call);
        }
    }
    let method = quote! {
        #[doc = #doc]
        pub fn #name(&self, #(#args),*) -> builder::#builder_ident {
            builder::#builder_ident::new(self.raw.clone()) #(#calls)*
        }
    };
    (method, extra)
}

/// One positional argument and the setter call passing it on. Concrete types (a string as
/// `&str`), not `impl Into<T>`: the method stays a plain function item that can be named
/// (`Api::jobs_get`), and a literal id infers `i64`.
fn positional(setter: &str, ty: &Type) -> (TokenStream, TokenStream) {
    let ident = format_ident!("{}", setter);
    let arg = if quote!(#ty).to_string().replace(' ', "") == "::std::string::String" {
        quote!(#ident: &str)
    } else {
        let ty = qualify(ty);
        quote!(#ident: #ty)
    };
    (arg, quote!(.#ident(#ident)))
}

/// The rule for required path and query values: positional while their types tell them apart;
/// when two or more share a type (two ids, two dates), all of the operation's required values
/// are fields of a `<Builder>Params` struct literal instead, so each is named at the call site
/// and exchanging two of them shows. The struct (crate root) and the builder's `named_values` setter
/// (in `mod builder`) are returned; `None` when positional arguments are unambiguous.
fn params_struct(
    op: &Operation,
    builder: &str,
    values: &[(&Parameter, &Type)],
) -> Option<TokenStream> {
    let mut seen = BTreeSet::new();
    let shared = values
        .iter()
        .any(|(_, ty)| !seen.insert(quote!(#ty).to_string()));
    if !shared {
        return None;
    }
    let ident = format_ident!("{}Params", builder);
    let builder_ident = format_ident!("{}", builder);
    let fields = values.iter().map(|(p, ty)| {
        let id = format_ident!("{}", p.rust_name);
        let ty = qualify(ty);
        let doc = format!("`{}` ({} parameter)", p.name, p.location);
        quote!(#[doc = #doc] pub #id: #ty,)
    });
    let ids: Vec<_> = values
        .iter()
        .map(|(p, _)| format_ident!("{}", p.rust_name))
        .collect();
    let doc = format!(
        "The required path and query values of `{}`, each named (two or more share a type, \
         so positional arguments could be exchanged unnoticed).",
        op.operation_id
    );
    Some(quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq)]
        pub struct #ident { #(#fields)* }

        impl builder::#builder_ident {
            fn named_values(self, params: #ident) -> Self {
                let #ident { #(#ids),* } = params;
                self #(.#ids(#ids))*
            }
        }
    })
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
