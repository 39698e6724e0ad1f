//! `Api` methods for the multipart uploads progenitor cannot generate (the spec declares them as
//! JSON; the API expects `multipart/form-data`).

use crate::inventory::Operation;
use crate::normalize::Upload;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The `Api` method of an upload operation.
pub fn method(op: &Operation, uploads: &[Upload], doc: &str) -> Result<TokenStream, String> {
    let name = format_ident!("{}", op.method_name);
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
    Ok(quote! {
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
