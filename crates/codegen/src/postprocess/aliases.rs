//! PascalCase aliases for the models whose schema carries `x-pascal-case-aliases: true` (set by
//! a reviewed spec patch): the live API writes some answers (the reporting query flow) with
//! `Page`, `HasMore`, `Fields[{Name, Label}]` where the spec says `page`, `hasMore`, `name`.
//! Each field of such a struct gets `#[serde(alias = "<Wire name with a capital>")]`, so both
//! casings read into the same field and nothing the server sent is lost.

use serde_json::Value;
use std::collections::BTreeSet;
use syn::{Fields, Item};

/// The extension a patch sets on a component schema.
pub const EXTENSION: &str = "x-pascal-case-aliases";

/// The names of the (normalized) component schemas marked with [`EXTENSION`].
pub fn marked_schemas(doc: &Value) -> BTreeSet<String> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, s)| s.get(EXTENSION).and_then(Value::as_bool) == Some(true))
        .map(|(name, _)| name.clone())
        .collect()
}

/// Adds the aliases to the structs of `types` named in `marked`.
pub fn rewrite(types: &mut [Item], marked: &BTreeSet<String>) {
    for item in types {
        let Item::Struct(s) = item else { continue };
        if !marked.contains(&s.ident.to_string()) {
            continue;
        }
        let Fields::Named(fields) = &mut s.fields else {
            continue;
        };
        for field in &mut fields.named {
            let Some(ident) = &field.ident else { continue };
            if ident.to_string().ends_with('_') {
                continue; // the post-processor's own fields (`cleared_`)
            }
            let wire = super::serde_rename(&field.attrs).unwrap_or_else(|| ident.to_string());
            let mut chars = wire.chars();
            let Some(first) = chars.next() else { continue };
            let alias = first.to_uppercase().chain(chars).collect::<String>();
            if alias != wire {
                field
                    .attrs
                    .push(syn::parse_quote!(#[serde(alias = #alias)]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    #[test]
    fn marked_structs_read_the_capitalised_names_too() {
        let mut items: Vec<Item> = vec![
            syn::parse_quote! {
                pub struct Answer {
                    #[serde(rename = "hasMore", skip_serializing_if = "::std::option::Option::is_none")]
                    pub has_more: Option<bool>,
                    #[serde(default)]
                    pub data: Vec<i64>,
                    #[serde(flatten, skip_deserializing)]
                    cleared_: ClearedFields,
                }
            },
            syn::parse_quote! { pub struct Other { pub data: Vec<i64> } },
        ];
        let marked = BTreeSet::from(["Answer".to_owned()]);
        rewrite(&mut items, &marked);
        let answer = items[0].to_token_stream().to_string();
        assert!(answer.contains(r#"alias = "HasMore""#), "{answer}");
        assert!(answer.contains(r#"alias = "Data""#), "{answer}");
        assert_eq!(answer.matches("alias").count(), 2, "{answer}");
        let other = items[1].to_token_stream().to_string();
        assert!(!other.contains("alias"), "{other}");
    }

    #[test]
    fn the_extension_marks_schemas() {
        let doc = serde_json::json!({"components": {"schemas": {
            "A": {"type": "object", "x-pascal-case-aliases": true},
            "B": {"type": "object"}
        }}});
        assert_eq!(marked_schemas(&doc), BTreeSet::from(["A".to_owned()]));
    }
}
