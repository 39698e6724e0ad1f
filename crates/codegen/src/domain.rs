//! The SDK's own items added to every generated crate:
//!
//! * `Api` — the domain client bound to one tenant and base URL: `jpm.jobs_get_list()` with no
//!   tenant argument; required path, query and body parameters taken positionally, so a missing
//!   one is a compile error rather than a runtime `InvalidRequest`;
//! * `OPERATIONS` — the operation table (id, method, path, OAuth scopes, kind);
//! * the `exec` hook routing every request through `servicetitan_core::Transport`;
//! * `stream()` / `pages()` on paged-list builders and `stream()` / `batches()` on export
//!   builders (placed inside progenitor's `builder` module, where the builders' fields are
//!   visible);
//! * upload methods for the multipart operations progenitor cannot generate.

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

fn doc_for(op: &Operation) -> String {
    let mut doc = format!("`{} {}`", op.method, op.path);
    if !op.summary.is_empty() {
        doc.push_str(" — ");
        doc.push_str(op.summary.trim_end_matches('.'));
        doc.push('.');
    }
    if !op.scopes.is_empty() {
        let scopes: Vec<String> = op.scopes.iter().map(|s| format!("`{s}`")).collect();
        doc.push_str(&format!("\n\nOAuth scope: {}.", scopes.join(", ")));
    }
    doc.push_str(&format!("\n\nOperation id: `{}`.", op.operation_id));
    match op.kind {
        OperationKind::PagedList => doc.push_str(
            "\n\nPaged list: `.stream()` yields every item, `.pages()` every page, both reading a few pages ahead.",
        ),
        OperationKind::Export => doc.push_str(
            "\n\nExport: `.batches()` yields each batch with its continuation token; `.stream()` every record.",
        ),
        _ => {}
    }
    doc
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
) -> Result<DomainItems, String> {
    let base_path = &module.base_path;
    let api_id = &module.api_id;
    let title = &module.title;

    // Operation table.
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

    // Wrapper methods.
    let mut methods = Vec::new();
    let mut builder_items = Vec::new();
    let mut page_impls = BTreeSet::new();
    let mut root_extra = Vec::new();
    for op in operations {
        let doc = doc_for(op);
        let name = format_ident!("{}", op.method_name);
        if op.kind == OperationKind::Upload {
            let up = uploads
                .iter()
                .find(|u| u.operation_id == op.operation_id)
                .ok_or("upload without operation")?;
            let mut args = Vec::new();
            let mut values = Vec::new();
            for p in op
                .parameters
                .iter()
                .filter(|p| p.location == "path" && p.name != "tenant")
            {
                let ident = format_ident!("{}", p.rust_name);
                let ty = path_param_type(&up.operation, &p.name);
                args.push(quote!(#ident: #ty));
                let pname = &p.name;
                values.push(quote!((#pname, #ident.to_string())));
            }
            let path = &op.path;
            let field = &up.file_field;
            let id = &op.operation_id;
            methods.push(quote! {
                #[doc = #doc]
                ///
                /// A `multipart/form-data` upload (the spec declares it as JSON; the API expects
                /// multipart). Add the file with `.file(name, bytes)` or `.file_stream(..)`, then `.send()`.
                pub fn #name(&self, #(#args),*) -> ::servicetitan_core::upload::UploadRequest {
                    ::servicetitan_core::upload::UploadRequest::new(
                        self.raw.client.clone(),
                        self.raw.inner.clone(),
                        operation_meta(#id),
                        ::servicetitan_core::upload::expand_path(
                            &self.raw.baseurl, #path, self.tenant, &[#(#values),*],
                        ),
                        #field,
                    )
                }
            });
            continue;
        }
        let builder = builder_name(&op.operation_id);
        let builder_ident = format_ident!("{}", builder);
        let mut args = Vec::new();
        let mut calls = Vec::new();
        let has_tenant = op
            .parameters
            .iter()
            .any(|p| p.name == "tenant" && p.location == "path");
        if has_tenant {
            calls.push(quote!(.tenant(self.tenant)));
        }
        let mut positional: Vec<(&str, String)> = op
            .parameters
            .iter()
            .filter(|p| {
                p.required && p.name != "tenant" && (p.location == "path" || p.location == "query")
            })
            .map(|p| (p.rust_name.as_str(), p.rust_name.clone()))
            .collect();
        if op.has_body {
            positional.push(("body", "body".into()));
        }
        for (setter, arg) in positional {
            let Some(ty) = setters.get(&(builder.clone(), setter.to_string())) else {
                continue;
            };
            let ty = qualify(ty);
            let arg_ident = format_ident!("{}", arg);
            let setter_ident = format_ident!("{}", setter);
            args.push(quote!(#arg_ident: #ty));
            calls.push(quote!(.#setter_ident(#arg_ident)));
        }
        methods.push(quote! {
            #[doc = #doc]
            pub fn #name(&self, #(#args),*) -> builder::#builder_ident<'_> {
                self.raw.#name() #(#calls)*
            }
        });

        // Streams for paged lists and exports.
        let (Some(envelope), true) = (
            &op.response_schema,
            matches!(op.kind, OperationKind::PagedList | OperationKind::Export),
        ) else {
            continue;
        };
        // lossless: streams only for envelopes whose `data` is `Records<T>` (normalize::lossless).
        let Some(item_ty) = crate::envelopes::records_item_type(types, envelope) else {
            continue;
        };
        // `types::X` works both at the crate root and inside progenitor's `builder` module, which
        // imports `super::types`.
        let item_ty = qualify(&item_ty);
        let env_ident = format_ident!("{}", envelope);
        let op_id = &op.operation_id;
        if page_impls.insert(envelope.clone()) {
            let trait_impl = crate::envelopes::envelope_impl(
                envelope,
                &item_ty,
                op.kind == OperationKind::PagedList,
            );
            root_extra.push(trait_impl);
        }
        let stream_impl = if op.kind == OperationKind::PagedList {
            // `.pages()` and `.pages_concurrent(n)` ask for `totalCount` on the first page (when they can).
            let ask_total = if op.parameters.iter().any(|p| p.name == "includeTotal") {
                quote!(if page == first {
                    request.include_total(true)
                } else {
                    request
                })
            } else {
                quote!(request)
            };
            quote! {
                impl<'a> #builder_ident<'a> {
                    /// Every page, in order, from the builder's `page` (default 1) to `hasMore: false`,
                    /// reading up to [`DEFAULT_PAGES_AHEAD`](::servicetitan_core::paging::DEFAULT_PAGES_AHEAD)
                    /// pages ahead of the consumer (the first asks for `totalCount`); see
                    /// [`servicetitan_core::paging::pages_read_ahead`]. `.pages_concurrent(1)` reads lazily.
                    pub fn pages(self) -> impl ::futures::Stream<Item = ::std::result::Result<types::#env_ident, ::servicetitan_core::Error>> + 'a {
                        let first = ::servicetitan_core::paging::field::start_page(&self.page);
                        let ahead = ::servicetitan_core::paging::DEFAULT_PAGES_AHEAD;
                        ::servicetitan_core::paging::pages_read_ahead(#op_id, first, ahead, move |page| {
                            let request = self.clone().page(page);
                            let request = #ask_total;
                            async move { request.send().await.map(|r| r.into_inner()).map_err(::servicetitan_core::Error::from) }
                        })
                    }

                    /// Every item of every page, in order, pages read ahead as in [`Self::pages`].
                    pub fn stream(self) -> impl ::futures::Stream<Item = ::std::result::Result<#item_ty, ::servicetitan_core::Error>> + 'a {
                        ::servicetitan_core::paging::items_read_ahead(self.pages())
                    }

                    /// Reads every item of every page into a `Vec`.
                    pub async fn collect_all(self) -> ::std::result::Result<::std::vec::Vec<#item_ty>, ::servicetitan_core::Error> {
                        ::futures::TryStreamExt::try_collect(self.stream()).await
                    }

                    /// Every page, in order, with up to `concurrency` requests in flight once the
                    /// first page (requested with `includeTotal=true`) gives `totalCount`; without
                    /// it, one page at a time like [`Self::pages`]. Requests still go through the
                    /// client's rate limiter. See [`servicetitan_core::paging::pages_concurrent`].
                    pub fn pages_concurrent(self, concurrency: usize) -> impl ::futures::Stream<Item = ::std::result::Result<types::#env_ident, ::servicetitan_core::Error>> + 'a {
                        let first = ::servicetitan_core::paging::field::start_page(&self.page);
                        ::servicetitan_core::paging::pages_concurrent(#op_id, first, concurrency, move |page| {
                            let request = self.clone().page(page);
                            let request = #ask_total;
                            async move { request.send().await.map(|r| r.into_inner()).map_err(::servicetitan_core::Error::from) }
                        })
                    }

                    /// Every item of every page, in order, pages fetched as in [`Self::pages_concurrent`].
                    pub fn stream_concurrent(self, concurrency: usize) -> impl ::futures::Stream<Item = ::std::result::Result<#item_ty, ::servicetitan_core::Error>> + 'a {
                        ::servicetitan_core::paging::items(self.pages_concurrent(concurrency))
                    }
                }
            }
        } else {
            quote! {
                impl<'a> #builder_ident<'a> {
                    /// Every batch, requested lazily, each with the continuation token to persist;
                    /// resumes from the builder's `from` (a token or a date) and stops after
                    /// `hasMore: false` ("caught up; come back in a few minutes").
                    pub fn batches(self) -> impl ::futures::Stream<Item = ::std::result::Result<::servicetitan_core::export::ExportBatch<#item_ty>, ::servicetitan_core::Error>> + 'a {
                        let from = ::servicetitan_core::paging::field::start_from(&self.from);
                        ::servicetitan_core::export::batches(#op_id, from, move |from| {
                            let request = match from { Some(token) => self.clone().from(token), None => self.clone() };
                            async move { request.send().await.map(|r| r.into_inner()).map_err(::servicetitan_core::Error::from) }
                        })
                    }

                    /// Every record of every batch, requested lazily. See [`Self::batches`].
                    pub fn stream(self) -> impl ::futures::Stream<Item = ::std::result::Result<#item_ty, ::servicetitan_core::Error>> + 'a {
                        ::servicetitan_core::export::records(self.batches())
                    }
                }
            }
        };
        builder_items.extend(parse_items(stream_impl)?);
    }

    let n = operations.len();
    let root = quote! {
        /// Path of this module under the API host.
        pub const BASE_PATH: &str = #base_path;
        /// The portal's id of the spec this crate was generated from.
        pub const API_ID: &str = #api_id;

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

        #[doc = concat!("Client for the ServiceTitan ", #title, " API, bound to one tenant.")]
        ///
        /// Get one from `servicetitan::Client` (one accessor per enabled module) or with
        /// [`Api::new`]; it shares the connection pool, token cache and rate limiter of the
        /// client it came from. Cheap to clone.
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

            /// The underlying progenitor client (every method takes the tenant explicitly).
            pub fn raw(&self) -> &Client {
                &self.raw
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

        #(#root_extra)*
    };
    Ok(DomainItems {
        items: parse_items(root)?,
        builder_items,
    })
}

fn path_param_type(op: &serde_json::Value, name: &str) -> TokenStream {
    let ty = op
        .get("parameters")
        .and_then(|p| p.as_array())
        .and_then(|ps| {
            ps.iter()
                .find(|p| p.get("name").and_then(|n| n.as_str()) == Some(name))
        })
        .and_then(|p| p.pointer("/schema/type"))
        .and_then(|t| t.as_str());
    match ty {
        Some("integer") => quote!(i64),
        _ => quote!(&str),
    }
}
