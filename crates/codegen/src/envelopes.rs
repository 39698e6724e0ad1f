//! The `Page` / `Batch` impls of paged-list and export envelopes, whose `data` normalization
//! typed as `servicetitan_core::records::Records<Item>` ([`crate::normalize::lossless`]).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Item, Type};

/// The record type of an envelope whose `data` is `Records<T>` (`None` otherwise: no streams).
pub fn records_item_type(types: &[Item], envelope: &str) -> Option<Type> {
    let s = types.iter().find_map(|i| match i {
        Item::Struct(s) if s.ident == envelope => Some(s),
        _ => None,
    })?;
    let field = s
        .fields
        .iter()
        .find(|f| f.ident.as_ref().is_some_and(|i| i == "data"))?;
    let Type::Path(p) = &field.ty else {
        return None;
    };
    let last = p.path.segments.last()?;
    if last.ident != "Records" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(a) => match a.args.first() {
            Some(syn::GenericArgument::Type(t)) => Some(t.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// `impl Page` (paged list) or `impl Batch` (export) for `types::<envelope>`.
pub fn envelope_impl(envelope: &str, item_ty: &TokenStream, paged: bool) -> TokenStream {
    let env = format_ident!("{}", envelope);
    let records = quote!(::servicetitan_core::records::Records<#item_ty>);
    if paged {
        quote! {
            #[allow(clippy::useless_conversion, clippy::unnecessary_cast)]
            impl ::servicetitan_core::paging::Page for types::#env {
                type Item = #item_ty;
                fn has_more(&self) -> bool { ::servicetitan_core::paging::field::flag(&self.has_more) }
                fn total_count(&self) -> ::std::option::Option<i64> { ::servicetitan_core::paging::field::count(&self.total_count) }
                fn records(&self) -> &#records { &self.data }
                fn records_mut(&mut self) -> &mut #records { &mut self.data }
                fn into_records(self) -> #records { self.data }
            }
        }
    } else {
        quote! {
            impl ::servicetitan_core::export::Batch for types::#env {
                type Item = #item_ty;
                fn has_more(&self) -> bool { ::servicetitan_core::paging::field::flag(&self.has_more) }
                fn continue_from(&self) -> ::std::option::Option<&str> { ::servicetitan_core::paging::field::text(&self.continue_from) }
                fn into_records(self) -> #records { self.data }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_records_data_has_an_item_type() {
        let types: syn::File = syn::parse_quote! {
            pub struct JobPage { pub data: ::servicetitan_core::records::Records<JobResponse> }
            pub struct Other { pub data: ::std::vec::Vec<JobResponse> }
        };
        let t = records_item_type(&types.items, "JobPage").unwrap();
        assert_eq!(quote!(#t).to_string(), "JobResponse");
        assert!(records_item_type(&types.items, "Other").is_none());
        assert!(records_item_type(&types.items, "Missing").is_none());
    }
}
