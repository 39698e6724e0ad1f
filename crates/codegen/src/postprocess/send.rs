//! `send()` made cheaper per call (measured with `bash bench/run`, P5): rewrites of progenitor's
//! request building and decoding inside every operation builder's `send()`.
//!
//! * **one query pass**: the `.query(..)` chain becomes one `servicetitan_core::query::append`;
//! * **integer path parameters** are formatted in place;
//! * **no `api-version` header**: progenitor sends the spec's `info.version` as `api-version`
//!   on every request; ServiceTitan's documented requests carry no such header (and an API
//!   gateway may read one), so it is dropped, with the header map when nothing else is in it;
//! * **SDK decoding**: `servicetitan_core::decode::response_value` (one UTF-8 check, records
//!   read directly unless one fails, the body the transport already read) instead of
//!   progenitor's `ResponseValue::from_response`;
//! * **the SDK's entry point** (`sdk_call`): progenitor's hooks and `exec` give way to
//!   `servicetitan_core::Transport::send`, and `send()` returns `servicetitan_core::Error`.

use std::collections::{BTreeMap, BTreeSet};
use syn::visit_mut::VisitMut;
use syn::{parse_quote, Expr, Item};

/// Applies every rewrite of this module to one builder's `send()`; `integers` are the
/// builder's integer fields ([`integer_fields`]).
pub(super) fn rewrite(f: &mut syn::ImplItemFn, integers: Option<&BTreeSet<String>>) {
    if let Some(fields) = integers {
        integer_paths(f, fields);
    }
    no_api_version(f);
    query_once(f);
    SdkDecode.visit_block_mut(&mut f.block);
    sdk_call(f);
}

/// progenitor's `let mut request = …​.query(&QueryParam::new(..))….build()?;` in `send()`: the
/// `.query(..)` calls leave the chain, and one `servicetitan_core::query::append` after it
/// writes them all, in the same order (see that module for why).
fn query_once(f: &mut syn::ImplItemFn) {
    let stmts = &mut f.block.stmts;
    for i in 0..stmts.len() {
        let syn::Stmt::Local(local) = &mut stmts[i] else {
            continue;
        };
        let is_request = match &local.pat {
            syn::Pat::Ident(p) => p.ident == "request",
            _ => false,
        };
        let Some(init) = local.init.as_mut().filter(|_| is_request) else {
            continue;
        };
        let mut parts = Vec::new();
        strip_calls(&mut init.expr, "query", &mut parts);
        if parts.is_empty() {
            return;
        }
        let append: syn::Stmt = parse_quote! {
            ::servicetitan_core::query::append(
                &mut request,
                &[#(#parts as &dyn ::servicetitan_core::query::QueryPart),*],
            )?;
        };
        stmts.insert(i + 1, append);
        return;
    }
}

/// Per builder struct, its fields holding an integer (`Result<i64, String>` …).
pub(super) fn integer_fields(items: &[Item]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for item in items {
        let Item::Struct(s) = item else { continue };
        let fields = s
            .fields
            .iter()
            .filter(|f| {
                let ty = &f.ty;
                let text = quote::quote!(#ty).to_string().replace(' ', "");
                ["i32", "i64", "u32", "u64"]
                    .iter()
                    .any(|int| text.ends_with(&format!("Result<{int},String>")))
            })
            .filter_map(|f| f.ident.as_ref().map(|i| i.to_string()))
            .collect();
        out.insert(s.ident.to_string(), fields);
    }
    out
}

/// In `send()`'s URL, `encode_path(&id.to_string())` of an integer path parameter is its
/// digits: formatted in place, without the two strings (digits never need encoding).
fn integer_paths(f: &mut syn::ImplItemFn, integers: &BTreeSet<String>) {
    struct Paths<'a>(&'a BTreeSet<String>);
    impl VisitMut for Paths<'_> {
        fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
            if !m.path.is_ident("format") {
                return;
            }
            let mut text = m.tokens.to_string();
            for name in self.0 {
                text = text.replace(&format!("encode_path (& {name} . to_string ())"), name);
            }
            if let Ok(tokens) = text.parse() {
                m.tokens = tokens;
            }
        }
    }
    Paths(integers).visit_block_mut(&mut f.block);
}

/// Drops progenitor's `header_map.append("api-version", …)` from `send()`, and the header map
/// itself (`let mut header_map = …` and `.headers(header_map)`) when nothing else uses it.
fn no_api_version(f: &mut syn::ImplItemFn) {
    let text = |stmt: &syn::Stmt| quote::quote!(#stmt).to_string();
    let stmts = &mut f.block.stmts;
    stmts.retain(|s| {
        !(text(s).starts_with("header_map . append") && text(s).contains("\"api-version\""))
    });
    let uses = stmts
        .iter()
        .filter(|s| text(s).contains("header_map"))
        .count();
    // Only the map's `let` and the request chain's `.headers(header_map)` are left.
    if uses != 2 {
        return;
    }
    stmts.retain(|s| !text(s).starts_with("let mut header_map"));
    for stmt in stmts.iter_mut() {
        if let syn::Stmt::Local(local) = stmt {
            if let Some(init) = &mut local.init {
                strip_calls(&mut init.expr, "headers", &mut Vec::new());
            }
        }
    }
}

/// `ResponseValue::from_response` → `servicetitan_core::decode::response_value`.
struct SdkDecode;

impl VisitMut for SdkDecode {
    fn visit_expr_path_mut(&mut self, p: &mut syn::ExprPath) {
        let names = super::segment_names(&p.path);
        if names.ends_with(&["ResponseValue".to_string(), "from_response".to_string()]) {
            *p = parse_quote!(::servicetitan_core::decode::response_value);
        }
    }
}

/// Removes every `.name(arg)` from a method chain, collecting the arguments innermost first
/// (the order they were chained in).
fn strip_calls(e: &mut Expr, name: &str, args: &mut Vec<Expr>) {
    match e {
        Expr::Try(t) => strip_calls(&mut t.expr, name, args),
        Expr::MethodCall(m) => {
            strip_calls(&mut m.receiver, name, args);
            if m.method == name && m.args.len() == 1 {
                args.extend(m.args.pop().map(syn::punctuated::Pair::into_value));
                let receiver = std::mem::replace(&mut *m.receiver, parse_quote!(()));
                *e = receiver;
            }
        }
        _ => {}
    }
}

/// progenitor's tail of `send()` — `let info = OperationInfo { .. }; client.pre(..)?;
/// let result = client.exec(..).await; client.post(..)?; let response = result?;` — becomes one
/// call of the SDK's entry point, [`servicetitan_core::Transport::send`]: a failure is the typed
/// `servicetitan_core::Error` at once (no progenitor error, nothing carried in a response), and
/// `send()` returns that error type. The status `match` after it stays progenitor's, its arms
/// reading the [`Reply`](servicetitan_core::transport::Reply) with `servicetitan_core::decode`.
fn sdk_call(f: &mut syn::ImplItemFn) {
    let stmts = &mut f.block.stmts;
    let local_named = |s: &syn::Stmt, name: &str| match s {
        syn::Stmt::Local(l) => matches!(&l.pat, syn::Pat::Ident(p) if p.ident == name),
        _ => false,
    };
    let start = stmts.iter().position(|s| local_named(s, "info"));
    let end = stmts.iter().position(|s| local_named(s, "response"));
    let (Some(start), Some(end)) = (start, end) else {
        // A progenitor release that writes `send()` differently must not leave a call that
        // bypasses the pipeline through progenitor's default hooks: the build stops, naming why.
        let stop: syn::Stmt = parse_quote! {
            ::core::compile_error!("servicetitan-codegen: progenitor's send() has a new shape; postprocess::send::sdk_call could not route it through servicetitan_core::Transport::send");
        };
        f.block.stmts.insert(0, stop);
        return;
    };
    let operation_id = operation_id(&stmts[start]);
    let call: syn::Stmt = parse_quote! {
        let response = ::servicetitan_core::Transport::send(&client.inner, request, super::operation_meta(#operation_id)).await?;
    };
    stmts.splice(start..=end, [call]);
    if let syn::ReturnType::Type(_, ty) = &mut f.sig.output {
        SdkError.visit_type_mut(ty);
    }
    SdkError.visit_block_mut(&mut f.block);
}

/// The `operation_id: "…"` of progenitor's `let info = OperationInfo { .. };`.
fn operation_id(stmt: &syn::Stmt) -> String {
    let text = quote::quote!(#stmt).to_string();
    text.split('"').nth(1).unwrap_or_default().to_string()
}

/// progenitor's `Error<()>` and its uses in `send()` → the SDK's error and decoding.
struct SdkError;

impl VisitMut for SdkError {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if let syn::Type::Path(p) = ty {
            if p.path.segments.len() == 1 && p.path.segments[0].ident == "Error" {
                *ty = parse_quote!(::servicetitan_core::Error);
                return;
            }
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        // `Err(Error::UnexpectedResponse(response))`: a success status the spec does not list.
        if let Expr::Call(c) = e {
            if let Expr::Path(p) = &*c.func {
                let names = super::segment_names(&p.path);
                if names == ["Error", "UnexpectedResponse"] {
                    *e = parse_quote!(response.unexpected());
                    return;
                }
            }
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }

    fn visit_expr_path_mut(&mut self, p: &mut syn::ExprPath) {
        let names = super::segment_names(&p.path);
        let sdk: Option<syn::ExprPath> = match names.iter().map(String::as_str).collect::<Vec<_>>()
            [..]
        {
            ["Error", "InvalidRequest"] => {
                Some(parse_quote!(::servicetitan_core::Error::builder_value))
            }
            ["ResponseValue", "empty"] => Some(parse_quote!(::servicetitan_core::decode::empty)),
            ["ResponseValue", "stream"] => Some(parse_quote!(::servicetitan_core::decode::stream)),
            _ => None,
        };
        if let Some(sdk) = sdk {
            *p = sdk;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_writes_its_query_in_one_pass_in_chain_order() {
        let mut f: syn::ImplItemFn = parse_quote! {
            pub async fn send(self) -> Result<ResponseValue<types::Page>, Error<()>> {
                let url = format!("{}/jobs", client.baseurl);
                #[allow(unused_mut)]
                let mut request = client
                    .client
                    .get(url)
                    .header(::reqwest::header::ACCEPT, value)
                    .query(&progenitor_client::QueryParam::new("page", &page))
                    .query(&progenitor_client::QueryParam::new("ids", &ids))
                    .headers(header_map)
                    .build()?;
                let info = OperationInfo { operation_id: "jobs_get_list" };
            }
        };
        query_once(&mut f);
        let text = quote::quote!(#f).to_string();
        assert!(!text.contains(". query ("), "{text}");
        assert!(
            text.contains(". header (:: reqwest :: header :: ACCEPT , value) . headers (header_map) . build () ?"),
            "{text}"
        );
        let append = text
            .find(":: servicetitan_core :: query :: append")
            .expect(&text);
        assert!(append > text.find("build () ?").unwrap(), "{text}");
        assert!(append < text.find("let info").unwrap(), "{text}");
        let page = text.find("QueryParam :: new (\"page\"").unwrap();
        let ids = text.find("QueryParam :: new (\"ids\"").unwrap();
        assert!(append < page && page < ids, "{text}");
    }

    #[test]
    fn send_drops_the_api_version_header_and_an_empty_header_map() {
        let mut f: syn::ImplItemFn = parse_quote! {
            pub async fn send(self) -> Result<(), Error<()>> {
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                );
                let mut request = client.client.get(url).headers(header_map).build()?;
            }
        };
        no_api_version(&mut f);
        let text = quote::quote!(#f).to_string();
        assert!(!text.contains("header_map"), "{text}");
        assert!(
            text.contains("client . client . get (url) . build () ?"),
            "{text}"
        );

        // A header parameter keeps the map.
        let mut f: syn::ImplItemFn = parse_quote! {
            pub async fn send(self) -> Result<(), Error<()>> {
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                );
                header_map.append("x-id", id.to_string().try_into()?);
                let mut request = client.client.get(url).headers(header_map).build()?;
            }
        };
        no_api_version(&mut f);
        let text = quote::quote!(#f).to_string();
        assert!(!text.contains("api-version"), "{text}");
        assert!(text.contains(". headers (header_map)"), "{text}");
    }

    #[test]
    fn integer_path_parameters_are_formatted_in_place() {
        let mut f: syn::ImplItemFn = parse_quote! {
            pub async fn send(self) -> Result<(), Error<()>> {
                let url = format!(
                    "{}/tenant/{}/jobs/{}/notes/{}", client.baseurl,
                    encode_path(&tenant.to_string()), encode_path(&id.to_string()),
                    encode_path(&name.to_string()),
                );
            }
        };
        let ints = BTreeSet::from(["tenant".to_string(), "id".to_string()]);
        integer_paths(&mut f, &ints);
        let text = quote::quote!(#f).to_string();
        assert!(
            text.contains("client . baseurl , tenant , id , encode_path (& name . to_string ())"),
            "{text}"
        );
        let items: Vec<Item> = vec![parse_quote! {
            pub struct JobsGet { client: super::Client, tenant: Result<i64, String>, name: Result<String, String> }
        }];
        assert_eq!(
            integer_fields(&items)["JobsGet"],
            BTreeSet::from(["tenant".to_string()])
        );
    }

    #[test]
    fn send_decodes_through_the_sdk() {
        let mut b: syn::Block = parse_quote! {{
            match response.status().as_u16() {
                200u16 => ResponseValue::from_response(response).await,
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }};
        SdkDecode.visit_block_mut(&mut b);
        let text = quote::quote!(#b).to_string();
        assert!(
            text.contains(":: servicetitan_core :: decode :: response_value (response) . await"),
            "{text}"
        );
        assert!(!text.contains("from_response"), "{text}");
    }

    #[test]
    fn a_send_without_query_parameters_is_left_alone() {
        let mut f: syn::ImplItemFn = parse_quote! {
            pub async fn send(self) -> Result<(), Error<()>> {
                let mut request = client.client.post(url).json(&body).build()?;
            }
        };
        let before = quote::quote!(#f).to_string();
        query_once(&mut f);
        assert_eq!(quote::quote!(#f).to_string(), before);
    }

    #[test]
    fn send_calls_the_sdk_entry_point_and_returns_its_error() {
        let mut f: syn::ImplItemFn = parse_quote! {
            pub async fn send(self) -> Result<ResponseValue<types::Job>, Error<()>> {
                let tenant = tenant.map_err(Error::InvalidRequest)?;
                let mut request = client.client.get(url).build()?;
                let info = OperationInfo { operation_id: "jobs_get" };
                client.pre(&mut request, &info).await?;
                let result = client.exec(request, &info).await;
                client.post(&result, &info).await?;
                let response = result?;
                match response.status().as_u16() {
                    200u16 => ::servicetitan_core::decode::response_value(response).await,
                    204u16 => Ok(ResponseValue::empty(response)),
                    _ => Err(Error::UnexpectedResponse(response)),
                }
            }
        };
        sdk_call(&mut f);
        let text = quote::quote!(#f).to_string();
        assert!(
            text.contains(
                "Result < ResponseValue < types :: Job > , :: servicetitan_core :: Error >"
            ),
            "{text}"
        );
        assert!(
            text.contains("let response = :: servicetitan_core :: Transport :: send (& client . inner , request , super :: operation_meta (\"jobs_get\")) . await ?"),
            "{text}"
        );
        for gone in [
            "OperationInfo",
            "client . pre",
            "client . exec",
            "client . post",
            "result ?",
        ] {
            assert!(!text.contains(gone), "{gone}: {text}");
        }
        assert!(
            text.contains("map_err (:: servicetitan_core :: Error :: builder_value)"),
            "{text}"
        );
        assert!(
            text.contains("Ok (:: servicetitan_core :: decode :: empty (response))"),
            "{text}"
        );
        assert!(text.contains("Err (response . unexpected ())"), "{text}");
    }

    #[test]
    fn a_send_of_another_shape_stops_the_build_rather_than_bypass_the_pipeline() {
        let mut f: syn::ImplItemFn = parse_quote! {
            pub async fn send(self) -> Result<ResponseValue<()>, Error<()>> {
                let response = client.client.execute(request).await?;
                Ok(ResponseValue::empty(response))
            }
        };
        sdk_call(&mut f);
        let text = quote::quote!(#f).to_string();
        assert!(text.contains(":: core :: compile_error !"), "{text}");
    }
}
