//! Field attributes that make generated models read what the API really sends, losslessly.
//!
//! By field type (inside the `types` module, on serde-derived structs; flattened fields aside):
//!
//! | field | attribute |
//! |---|---|
//! | `DateTime` / `Date` (and `Option<…>`) | `deserialize_with = lenient::{datetime, option_datetime, date, option_date}` |
//! | `Decimal` / `Option<Decimal>` | `deserialize_with = lenient::{decimal, option_decimal}`, `serialize_with = lenient::serialize_{,option_}decimal`: digit for digit both ways |
//! | `Vec<T>` | `default, deserialize_with = lenient::null_as_default`: a `null` list reads as empty |
//! | `Records<T>` (page and batch `data`) | `default`: a missing `data` reads as no records |
//!
//! `Option<…>` fields get `default` too, as `deserialize_with` would otherwise make them required.

use quote::quote;
use syn::visit_mut::VisitMut;
use syn::{Attribute, Type};

const CORE: &str = "::servicetitan_core::lenient::";

/// `(deserialize_with, serialize_with, needs default)` for a field type.
fn attributes_for(ty: &Type) -> Option<(Option<String>, Option<String>, bool)> {
    let text = quote!(#ty).to_string().replace(' ', "");
    let lenient = |f: &str| Some(format!("{CORE}{f}"));
    Some(match text.as_str() {
        "::servicetitan_core::types::DateTime" => (lenient("datetime"), None, false),
        "::servicetitan_core::types::Date" => (lenient("date"), None, false),
        "::std::option::Option<::servicetitan_core::types::DateTime>" => {
            (lenient("option_datetime"), None, true)
        }
        "::std::option::Option<::servicetitan_core::types::Date>" => {
            (lenient("option_date"), None, true)
        }
        "::servicetitan_core::types::Decimal" => {
            (lenient("decimal"), lenient("serialize_decimal"), false)
        }
        "::std::option::Option<::servicetitan_core::types::Decimal>" => (
            lenient("option_decimal"),
            lenient("serialize_option_decimal"),
            true,
        ),
        t if t.starts_with("::std::vec::Vec<") => (lenient("null_as_default"), None, true),
        t if t.starts_with("::servicetitan_core::records::Records<") => (None, None, true),
        _ => return None,
    })
}

fn serde_words(attrs: &[Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .filter_map(|a| a.meta.require_list().ok())
        .flat_map(|l| {
            l.tokens
                .to_string()
                .split(',')
                .map(|t| t.trim().split(' ').next().unwrap_or("").to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn derives_deserialize(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("derive")
            && a.meta
                .require_list()
                .is_ok_and(|l| l.tokens.to_string().contains("Deserialize"))
    })
}

/// The visitor run over progenitor's `types` module.
pub struct LenientFields;

impl VisitMut for LenientFields {
    fn visit_item_struct_mut(&mut self, s: &mut syn::ItemStruct) {
        if !derives_deserialize(&s.attrs) {
            return;
        }
        for field in s.fields.iter_mut() {
            let Some((de, ser, needs_default)) = attributes_for(&field.ty) else {
                continue;
            };
            let words = serde_words(&field.attrs);
            if words.iter().any(|w| w == "flatten") {
                continue;
            }
            let mut parts = Vec::new();
            if needs_default && !words.iter().any(|w| w == "default") {
                parts.push(quote!(default));
            }
            if let Some(de) = de {
                parts.push(quote!(deserialize_with = #de));
            }
            if let Some(ser) = ser {
                parts.push(quote!(serialize_with = #ser));
            }
            if !parts.is_empty() {
                field.attrs.push(syn::parse_quote!(#[serde(#(#parts),*)]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_get_the_lenient_attributes_by_type() {
        let mut s: syn::ItemStruct = syn::parse_quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub struct Job {
                #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                pub tags: ::std::vec::Vec<i64>,
                #[serde(rename = "total", skip_serializing_if = "::std::option::Option::is_none")]
                pub total: ::std::option::Option<::servicetitan_core::types::Decimal>,
                pub price: ::servicetitan_core::types::Decimal,
                pub data: ::servicetitan_core::records::Records<Job>,
                pub name: ::std::option::Option<::std::string::String>,
                #[serde(flatten)]
                pub extra: ::std::vec::Vec<i64>,
            }
        };
        LenientFields.visit_item_struct_mut(&mut s);
        let text = quote!(#s).to_string();
        assert!(
            text.contains(
                r#"# [serde (deserialize_with = "::servicetitan_core::lenient::null_as_default")]"#
            ),
            "{text}"
        );
        assert!(text.contains(r#"# [serde (default , deserialize_with = "::servicetitan_core::lenient::option_decimal" , serialize_with = "::servicetitan_core::lenient::serialize_option_decimal")]"#), "{text}");
        assert!(text.contains(r#"deserialize_with = "::servicetitan_core::lenient::decimal" , serialize_with = "::servicetitan_core::lenient::serialize_decimal""#));
        assert!(text.contains("# [serde (default)] pub data"), "{text}");
        assert_eq!(
            text.matches("null_as_default").count(),
            1,
            "flattened fields untouched"
        );
    }
}
