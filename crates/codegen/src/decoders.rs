//! A per-crate table for the all-operations decoding check (`tests/lossless.rs`): for every
//! operation with a typed JSON response, its id and a function that decodes a body into the
//! generated response type and writes it back. Derived from progenitor's builders (the type
//! each `send()` returns), never from a list kept by hand.

use crate::domain::builder_name;
use crate::inventory::{Operation, OperationKind};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeMap;
use syn::{Item, Type};

/// `builder struct → T` of `send(self) -> Result<ResponseValue<T>, …>`.
fn response_types(builder_items: &[Item]) -> BTreeMap<String, Type> {
    let mut out = BTreeMap::new();
    for item in builder_items {
        let Item::Impl(imp) = item else { continue };
        let Type::Path(p) = &*imp.self_ty else {
            continue;
        };
        let Some(builder) = p.path.segments.last().map(|s| s.ident.to_string()) else {
            continue;
        };
        for it in &imp.items {
            let syn::ImplItem::Fn(f) = it else { continue };
            if f.sig.ident != "send" {
                continue;
            }
            if let Some(t) = response_value_type(&f.sig.output) {
                out.insert(builder.clone(), t);
            }
        }
    }
    out
}

/// The `T` of `ResponseValue<T>` inside the return type.
fn response_value_type(output: &syn::ReturnType) -> Option<Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    fn find(ty: &Type) -> Option<Type> {
        let Type::Path(p) = ty else { return None };
        let last = p.path.segments.last()?;
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        let first = args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        })?;
        if last.ident == "ResponseValue" {
            Some(first.clone())
        } else {
            find(first)
        }
    }
    find(ty)
}

/// The `__decoders` module of a crate.
pub fn table(
    operations: &[Operation],
    builder_items: &[Item],
    types_items: &[Item],
) -> TokenStream {
    let types = response_types(builder_items);
    let rows = operations.iter().filter_map(|op| {
        let ty = types.get(&builder_name(&op.operation_id))?;
        let text = quote!(#ty).to_string().replace(' ', "");
        if text == "()" || text.contains("ByteStream") {
            return None;
        }
        let id = &op.operation_id;
        // Envelopes decode their records one by one: a failed record must fail the check too.
        let has_records = op.response_schema.as_deref().is_some_and(|e| {
            crate::envelopes::records_item_type(types_items, e).is_some()
        });
        let decode = match op.kind {
            OperationKind::PagedList if has_records => quote!(decode_page),
            OperationKind::Export if has_records => quote!(decode_batch),
            _ => quote!(decode),
        };
        Some(quote!((#id, #decode::<#ty> as fn(&[u8]) -> ::std::result::Result<::std::string::String, ::std::string::String>)))
    });
    quote! {
        /// For the all-operations decoding check (`tests/lossless.rs`); not part of the API.
        #[doc(hidden)]
        #[allow(dead_code)]
        pub mod __decoders {
            use super::types;

            /// Every operation with a typed JSON response: its id, and a function that decodes a
            /// body into the generated type and writes it back as JSON.
            pub static DECODERS: &[(&str, fn(&[u8]) -> ::std::result::Result<::std::string::String, ::std::string::String>)] = &[#(#rows),*];

            fn decode<T: ::serde::de::DeserializeOwned + ::serde::Serialize>(body: &[u8]) -> ::std::result::Result<::std::string::String, ::std::string::String> {
                let value: T = ::serde_json::from_slice(body).map_err(|e| e.to_string())?;
                ::serde_json::to_string(&value).map_err(|e| e.to_string())
            }

            fn failed(failures: &[::servicetitan_core::records::RecordError]) -> ::std::result::Result<(), ::std::string::String> {
                match failures.first() {
                    None => Ok(()),
                    Some(f) => Err(format!("record {} at `{}`: {}", f.index, f.path, f.message)),
                }
            }

            fn decode_page<T: ::serde::de::DeserializeOwned + ::serde::Serialize + ::servicetitan_core::paging::Page>(body: &[u8]) -> ::std::result::Result<::std::string::String, ::std::string::String> {
                let value: T = ::serde_json::from_slice(body).map_err(|e| e.to_string())?;
                failed(::servicetitan_core::paging::Page::records(&value).failures())?;
                ::serde_json::to_string(&value).map_err(|e| e.to_string())
            }

            fn decode_batch<T: ::serde::de::DeserializeOwned + ::serde::Serialize + ::servicetitan_core::export::Batch>(body: &[u8]) -> ::std::result::Result<::std::string::String, ::std::string::String> {
                let value: T = ::serde_json::from_slice(body).map_err(|e| e.to_string())?;
                let text = ::serde_json::to_string(&value).map_err(|e| e.to_string())?;
                failed(::servicetitan_core::export::Batch::into_records(value).failures())?;
                Ok(text)
            }
        }
    }
}
