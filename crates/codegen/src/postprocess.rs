//! Rewrites of progenitor's output that settings cannot express.
//!
//! * **Open enums.** typify's string enums are closed: one unknown value from the server fails
//!   the whole page. Each unit-only string enum is regenerated with an
//!   `Unknown(servicetitan_core::types::UnknownValue)` variant that deserialization falls back
//!   to. Parsing from a string (`FromStr`, `TryFrom<&str>`) accepts only documented values, and
//!   users cannot construct an `UnknownValue`, so requests send only known values (or echo back
//!   a value the server itself sent).
//! * **Lenient fields** ([`crate::lenient_fields`]): dates, decimals, null lists and records get
//!   the `servicetitan_core::lenient` (de)serializers.
//! * It also records the parameter types of every operation builder's setters, which the domain
//!   client needs to take required parameters positionally.
//! * **Builders** ([`builders`]): owned, typed (`impl Into<T>`), tenant-bound, documented.
//! * **Bodies** ([`bodies`]): `new(required…)`, plain setters, `clear_…`; typify's builders go.
//! * **PascalCase aliases** ([`aliases`]) on the models a spec patch marks.
//! * **Raw client** ([`surface`]): progenitor's `Client`, its `Error` re-export and `prelude`
//!   leave the public surface; the domain `Api` is the way in.

pub mod aliases;
pub mod bodies;
pub mod builders;
pub mod send;
pub mod surface;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::{BTreeMap, BTreeSet};
use syn::visit_mut::VisitMut;
use syn::{Attribute, Fields, Item, ItemEnum, Type};

/// `(builder struct, setter)` → the type the setter converts into.
pub type Setters = BTreeMap<(String, String), Type>;

/// Runs every rewrite over the generated file; returns the builder setter types (as progenitor
/// declared them, before the builders are rewritten).
pub fn process(
    file: &mut syn::File,
    docs: &builders::SetterDocs,
    pascal_case: &BTreeSet<String>,
) -> Setters {
    let mut setters = Setters::new();
    let mut body_models = BTreeSet::new();
    for item in &mut file.items {
        let Item::Mod(m) = item else { continue };
        if m.ident == "builder" {
            if let Some((_, items)) = &mut m.content {
                builders::collect_setters(items, &mut setters);
                body_models = builders::body_models(items);
                builders::rewrite(items, docs);
            }
        }
    }
    for item in &mut file.items {
        let Item::Mod(m) = item else { continue };
        if m.ident == "types" {
            if let Some((_, items)) = &mut m.content {
                open_enums(items);
                bodies::rewrite(items, &body_models);
                aliases::rewrite(items, pascal_case);
            }
            crate::lenient_fields::LenientFields.visit_item_mod_mut(m);
        }
    }
    surface::rewrite(&mut file.items);
    setters
}

fn has_derive(attrs: &[Attribute], name: &str) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("derive")
            && a.meta
                .require_list()
                .is_ok_and(|l| l.tokens.to_string().contains(name))
    })
}

/// A path's segment names (`types::builder::Job` → `["types", "builder", "Job"]`).
pub(crate) fn segment_names(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

pub(crate) fn serde_rename(attrs: &[Attribute]) -> Option<String> {
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let mut found = None;
        let _ = a.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                found = Some(lit.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Unit-only, serde-derived enums without enum-level serde attributes: typify's string enums.
fn is_string_enum(e: &ItemEnum) -> bool {
    has_derive(&e.attrs, "Deserialize")
        && !e.attrs.iter().any(|a| a.path().is_ident("serde"))
        && !e.variants.is_empty()
        && e.variants
            .iter()
            .all(|v| matches!(v.fields, Fields::Unit) && v.discriminant.is_none())
}

/// Whether an `impl` is one typify writes for string enums and the open enum replaces.
fn is_replaced_impl(imp: &syn::ItemImpl, open: &BTreeSet<String>) -> bool {
    let Type::Path(self_ty) = &*imp.self_ty else {
        return false;
    };
    let Some(name) = self_ty.path.get_ident().map(|i| i.to_string()) else {
        return false;
    };
    if !open.contains(&name) {
        return false;
    }
    let Some((_, trait_path, _)) = &imp.trait_ else {
        return false;
    };
    let last = trait_path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    matches!(last.as_str(), "Display" | "FromStr" | "TryFrom" | "From")
}

fn open_enums(items: &mut Vec<Item>) {
    let mut open = BTreeSet::new();
    let mut replacements = Vec::new();
    for item in items.iter_mut() {
        if let Item::Enum(e) = item {
            if is_string_enum(e) {
                open.insert(e.ident.to_string());
                replacements.push(open_enum(e));
            }
        }
    }
    items.retain(|item| match item {
        Item::Enum(e) => !open.contains(&e.ident.to_string()),
        Item::Impl(imp) => !is_replaced_impl(imp, &open),
        _ => true,
    });
    for tokens in replacements {
        let file: syn::File = syn::parse2(tokens).expect("open enum template parses");
        items.extend(file.items);
    }
}

fn open_enum(e: &ItemEnum) -> TokenStream {
    let name = &e.ident;
    let docs: Vec<&Attribute> = e
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .collect();
    let variants: Vec<_> = e
        .variants
        .iter()
        .map(|v| {
            let value = serde_rename(&v.attrs).unwrap_or_else(|| v.ident.to_string());
            let vdocs: Vec<&Attribute> = v
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"))
                .collect();
            (v.ident.clone(), value, vdocs)
        })
        .collect();
    let idents: Vec<_> = variants.iter().map(|(i, _, _)| i).collect();
    let values: Vec<_> = variants.iter().map(|(_, v, _)| v).collect();
    let vdocs: Vec<_> = variants.iter().map(|(_, _, d)| quote!(#(#d)*)).collect();
    let expected = values
        .iter()
        .map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let type_name = name.to_string();
    let unknown = format_ident!("Unknown");
    quote! {
        #(#docs)*
        ///
        /// Open enum: a value the API sends that this SDK version does not know arrives as
        /// `Unknown` instead of failing the response. Non-exhaustive: a spec refresh that
        /// documents a new value adds a variant without breaking users' matches.
        #[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
        #[non_exhaustive]
        pub enum #name {
            #( #vdocs #idents, )*
            /// A value not documented when this SDK was generated.
            #unknown(::servicetitan_core::types::UnknownValue),
        }

        impl #name {
            /// Every documented value, in spec order.
            pub const VALUES: &'static [&'static str] = &[#(#values),*];

            /// The value as the API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#idents => #values, )*
                    Self::#unknown(v) => v.as_str(),
                }
            }

            /// `true` for a value this SDK version does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::#unknown(_))
            }

            fn known(value: &str) -> ::std::option::Option<Self> {
                match value {
                    #( #values => ::std::option::Option::Some(Self::#idents), )*
                    _ => ::std::option::Option::None,
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::servicetitan_core::types::InvalidEnumValue;
            fn from_str(value: &str) -> ::std::result::Result<Self, ::servicetitan_core::types::InvalidEnumValue> {
                Self::known(value).ok_or_else(|| ::servicetitan_core::types::InvalidEnumValue {
                    type_name: #type_name,
                    value: value.to_string(),
                    expected: #expected,
                })
            }
        }

        impl ::std::convert::TryFrom<&str> for #name {
            type Error = ::servicetitan_core::types::InvalidEnumValue;
            fn try_from(value: &str) -> ::std::result::Result<Self, ::servicetitan_core::types::InvalidEnumValue> {
                value.parse()
            }
        }

        impl ::std::convert::TryFrom<&::std::string::String> for #name {
            type Error = ::servicetitan_core::types::InvalidEnumValue;
            fn try_from(value: &::std::string::String) -> ::std::result::Result<Self, ::servicetitan_core::types::InvalidEnumValue> {
                value.parse()
            }
        }

        impl ::std::convert::TryFrom<::std::string::String> for #name {
            type Error = ::servicetitan_core::types::InvalidEnumValue;
            fn try_from(value: ::std::string::String) -> ::std::result::Result<Self, ::servicetitan_core::types::InvalidEnumValue> {
                value.parse()
            }
        }

        impl ::std::convert::From<&#name> for #name {
            fn from(value: &#name) -> Self {
                value.clone()
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                // Any JSON value (an integer where the spec promised a string…) reads as its text.
                let value = ::servicetitan_core::lenient::enum_text(deserializer)?;
                ::std::result::Result::Ok(Self::known(&value).unwrap_or_else(|| {
                    Self::#unknown(::servicetitan_core::types::UnknownValue::from_server(value))
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_enums_are_reopened() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
                pub enum Status {
                    #[serde(rename = "InProgress")]
                    InProgress,
                    #[serde(rename = "on-hold")]
                    OnHold,
                }
                impl ::std::fmt::Display for Status { fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { Ok(()) } }
                impl ::std::default::Default for Status { fn default() -> Self { Status::InProgress } }
                #[derive(::serde::Deserialize)]
                #[serde(untagged)]
                pub enum Either { A(i64), B(String) }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Job {
                    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                    pub at: ::std::option::Option<::servicetitan_core::types::DateTime>,
                    pub on: ::servicetitan_core::types::Date,
                }
            }
        };
        process(&mut file, &Default::default(), &BTreeSet::new());
        let text = quote!(#file).to_string();
        assert!(
            text.contains("Unknown (:: servicetitan_core :: types :: UnknownValue)"),
            "{text}"
        );
        assert!(
            text.contains("# [non_exhaustive] pub enum Status"),
            "open enums are non-exhaustive: {text}"
        );
        assert!(text.contains("\"on-hold\" => :: std :: option :: Option :: Some (Self :: OnHold)"));
        assert!(
            text.contains("impl :: std :: default :: Default for Status"),
            "Default kept"
        );
        assert_eq!(
            text.matches("impl :: std :: fmt :: Display for Status")
                .count(),
            1,
            "typify's Display replaced"
        );
        assert!(text.contains("pub enum Either"), "untagged enums untouched");
        assert!(
            text.contains("deserialize_with = \"::servicetitan_core::lenient::option_datetime\"")
        );
        assert!(text.contains("deserialize_with = \"::servicetitan_core::lenient::date\""));
    }
}
