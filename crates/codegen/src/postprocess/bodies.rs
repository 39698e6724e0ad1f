//! Request-body models that are checked at compile time, swap-proof, and can clear a field.
//!
//! typify builds models through a runtime-checked builder (`X::builder().a(..).try_into()`:
//! a missing field is an error at `send()`, naming only the first one). Instead, every model a
//! request body can reach gets
//!
//! * `XRequired { .. }`, a struct with one public field per required field of `X`, and
//!   `X::new(XRequired { .. })` (or `X::from(..)`): every required field is *named* where the
//!   body is built, so forgetting one does not compile, and two ids of the same type (customer,
//!   location…) cannot be exchanged without the names showing it — positional arguments could;
//!   a model without required fields keeps a plain `X::new()`;
//! * one plain-value setter per optional field (`.summary("x")`, no `Some(..)`);
//! * `.clear_summary()`: sends `"summary": null`, which PATCH reads as "clear it" — fields
//!   never set stay omitted. (A list is sent as `[]` by setting it to an empty `Vec`.)
//!
//! The clearing is a hidden `#[serde(flatten, skip_deserializing)]` field serialized as
//! `name: null` entries; skipped on deserialization, so reading responses is unchanged.
//! typify's builder module and `X::builder()` are removed (nothing uses them any more).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeSet;
use syn::{Field, Item, ItemStruct, Type};

/// The hidden field that lists the fields to send as `null`.
pub const CLEARED_FIELD: &str = "cleared_";

/// Adds constructors, setters and clearing to the body models (and the models they reach);
/// drops typify's builders. `roots` are the models operation builders carry as bodies.
pub fn rewrite(items: &mut Vec<Item>, roots: &BTreeSet<String>) {
    items.retain(|i| !matches!(i, Item::Mod(m) if m.ident == "builder"));
    drop_builder_fns(items);
    let models = reachable(items, roots);
    let names: BTreeSet<String> = items
        .iter()
        .filter_map(|i| match i {
            Item::Struct(s) => Some(s.ident.to_string()),
            Item::Enum(e) => Some(e.ident.to_string()),
            Item::Type(t) => Some(t.ident.to_string()),
            _ => None,
        })
        .collect();
    let mut extra = Vec::new();
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        if !models.contains(&s.ident.to_string()) || !is_named(s) {
            continue;
        }
        extra.push(methods(s, &names));
        let field: Field = syn::parse_quote! {
            #[serde(flatten, skip_deserializing)]
            cleared_: ClearedFields
        };
        if let syn::Fields::Named(named) = &mut s.fields {
            named.named.push(field);
        }
    }
    if !extra.is_empty() {
        extra.push(cleared_fields());
    }
    for tokens in extra {
        let file: syn::File = syn::parse2(tokens).expect("body model template parses");
        items.extend(file.items);
    }
}

fn is_named(s: &ItemStruct) -> bool {
    matches!(&s.fields, syn::Fields::Named(n) if !n.named.iter().any(|f| f.ident.as_ref().is_some_and(|i| i == CLEARED_FIELD)))
}

/// Removes typify's `pub fn builder() -> builder::X` (and the `impl` it leaves empty).
fn drop_builder_fns(items: &mut Vec<Item>) {
    for item in items.iter_mut() {
        if let Item::Impl(imp) = item {
            if imp.trait_.is_none() {
                imp.items
                    .retain(|it| !matches!(it, syn::ImplItem::Fn(f) if f.sig.ident == "builder"));
            }
        }
    }
    items.retain(|i| !matches!(i, Item::Impl(imp) if imp.trait_.is_none() && imp.items.is_empty()));
}

/// The models reachable from `roots` through field types (names of structs and enums alike).
fn reachable(items: &[Item], roots: &BTreeSet<String>) -> BTreeSet<String> {
    let by_name: std::collections::BTreeMap<String, &Item> = items
        .iter()
        .filter_map(|i| match i {
            Item::Struct(s) => Some((s.ident.to_string(), i)),
            Item::Enum(e) => Some((e.ident.to_string(), i)),
            _ => None,
        })
        .collect();
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = roots.iter().cloned().collect();
    while let Some(name) = todo.pop() {
        let Some(item) = by_name.get(&name) else {
            continue;
        };
        if !seen.insert(name) {
            continue;
        }
        let text = field_types(item);
        for word in text.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            if by_name.contains_key(word) && !seen.contains(word) {
                todo.push(word.to_string());
            }
        }
    }
    seen
}

/// The field types of a struct or an enum's variants, as text.
fn field_types(item: &Item) -> String {
    let fields: Vec<&Field> = match item {
        Item::Struct(s) => s.fields.iter().collect(),
        Item::Enum(e) => e.variants.iter().flat_map(|v| v.fields.iter()).collect(),
        _ => Vec::new(),
    };
    fields
        .iter()
        .map(|f| {
            let ty = &f.ty;
            quote!(#ty).to_string()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether serde fills the field when absent (`#[serde(default)]`: typify's optional lists).
fn has_serde_default(f: &Field) -> bool {
    f.attrs.iter().any(|a| {
        a.path().is_ident("serde")
            && a.meta.require_list().is_ok_and(|l| {
                l.tokens
                    .to_string()
                    .split(',')
                    .any(|t| t.trim() == "default")
            })
    })
}

/// Whether `new` leaves the field out: `Option<T>` or a defaulted list.
fn is_optional(f: &Field) -> bool {
    option_inner(&f.ty).is_some() || has_serde_default(f)
}

/// `Option<T>` → `T`.
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(a) = &last.arguments else {
        return None;
    };
    match a.args.first()? {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

fn wire_name(f: &Field) -> String {
    super::serde_rename(&f.attrs)
        .unwrap_or_else(|| f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default())
}

fn docs(f: &Field) -> Vec<&syn::Attribute> {
    f.attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .collect()
}

/// The name of `X`'s required-fields struct: `XRequired`, unless a schema already has that name.
pub fn required_name(model: &str, taken: &BTreeSet<String>) -> String {
    let name = format!("{model}Required");
    if taken.contains(&name) {
        format!("{model}RequiredFields")
    } else {
        name
    }
}

/// `XRequired` with `new(XRequired)` / `From<XRequired>` (or a plain `new()` when nothing is
/// required), then a setter and a `clear_` for each optional field.
fn methods(s: &ItemStruct, names: &BTreeSet<String>) -> TokenStream {
    let name = &s.ident;
    let fields: Vec<&Field> = s.fields.iter().collect();
    let required: Vec<&Field> = fields.iter().copied().filter(|f| !is_optional(f)).collect();
    let optional = fields
        .iter()
        .filter(|f| is_optional(f))
        .map(|f| f.ident.as_ref());
    let taken: BTreeSet<String> = fields
        .iter()
        .filter_map(|f| f.ident.as_ref().map(|i| i.to_string()))
        .collect();
    let setters = fields.iter().filter_map(|f| setter(f, &taken));
    let cleared = format_ident!("{}", CLEARED_FIELD);
    if required.is_empty() {
        return quote! {
            impl #name {
                /// A value with every optional field unset (left out of the JSON).
                pub fn new() -> Self {
                    Self { #(#optional: ::std::default::Default::default(),)* #cleared: ::std::default::Default::default() }
                }
                #(#setters)*
            }
        };
    }
    let req = format_ident!("{}", required_name(&name.to_string(), names));
    let req_fields = required.iter().map(|f| {
        let (id, ty, doc) = (&f.ident, &f.ty, docs(f));
        quote!(#(#doc)* pub #id: #ty,)
    });
    let req_ids: Vec<_> = required.iter().map(|f| &f.ident).collect();
    let struct_doc = format!(
        "The required fields of [`{name}`], each named where the body is built \
         (`{name}::new({req} {{ .. }})`): one left out, or of the wrong type, does not compile."
    );
    let new_doc = "A value with the required fields; optional ones are set with their setters \
                   (left out of the JSON until then).";
    quote! {
        #[doc = #struct_doc]
        #[derive(Clone, Debug, PartialEq)]
        pub struct #req { #(#req_fields)* }

        impl ::std::convert::From<#req> for #name {
            fn from(required: #req) -> Self {
                Self::new(required)
            }
        }

        impl #name {
            #[doc = #new_doc]
            pub fn new(required: #req) -> Self {
                let #req { #(#req_ids),* } = required;
                Self {
                    #(#req_ids,)*
                    #(#optional: ::std::default::Default::default(),)*
                    #cleared: ::std::default::Default::default(),
                }
            }
            #(#setters)*
        }
    }
}

fn setter(f: &Field, taken: &BTreeSet<String>) -> Option<TokenStream> {
    if !is_optional(f) {
        return None;
    }
    let id = f.ident.as_ref()?;
    // `Option<T>`: set `Some`, clear sends `null`; a defaulted list (left out when empty): set
    // the list, clear sends `[]`.
    let (inner, set_value, unset_value, cleared_json, shown) = match option_inner(&f.ty) {
        Some(inner) => (
            inner.clone(),
            quote!(::std::option::Option::Some(::std::convert::Into::into(
                value
            ))),
            quote!(::std::option::Option::None),
            quote!(::serde_json::Value::Null),
            "null",
        ),
        None => (
            f.ty.clone(),
            quote!(::std::convert::Into::into(value)),
            quote!(::std::default::Default::default()),
            quote!(::serde_json::Value::Array(::std::vec::Vec::new())),
            "[]",
        ),
    };
    let base = id.to_string();
    // A field named like the constructor (or like another field's `clear_`) gets a `with_` setter.
    let set_name = if base == "new" || base.starts_with("clear_") {
        format!("with_{base}")
    } else {
        base.clone()
    };
    let clear_name = format!("clear_{}", base.trim_end_matches('_'));
    let set = format_ident!("{}", set_name);
    let clear = format_ident!(
        "{}",
        if taken.contains(&clear_name) {
            format!("clear_{base}_field")
        } else {
            clear_name
        }
    );
    let wire = wire_name(f);
    let doc = docs(f);
    // A field serialized even when unset (no `skip_serializing_if`) already sends `null`.
    let skipped = f.attrs.iter().any(|a| {
        a.path().is_ident("serde") && quote!(#a).to_string().contains("skip_serializing_if")
    });
    let cleared_ident = format_ident!("{}", CLEARED_FIELD);
    let (mark, unmark) = if skipped {
        (
            quote!(self.#cleared_ident.set(#wire, #cleared_json);),
            quote!(self.#cleared_ident.unset(#wire);),
        )
    } else {
        (quote!(), quote!())
    };
    let clear_doc = format!(
        "Sends `\"{wire}\": {shown}` (for a PATCH: clears it). Fields never set are left out."
    );
    Some(quote! {
        #(#doc)*
        pub fn #set(mut self, value: impl ::std::convert::Into<#inner>) -> Self {
            self.#id = #set_value;
            #unmark
            self
        }
        #[doc = #clear_doc]
        pub fn #clear(mut self) -> Self {
            self.#id = #unset_value;
            #mark
            self
        }
    })
}

/// The hidden field's type: the wire names to send cleared, serialized as `name: null` (or
/// `name: []`) entries into the flattened struct.
fn cleared_fields() -> TokenStream {
    quote! {
        /// Fields of a request body to send as explicit `null` (see the models' `clear_…`).
        #[doc(hidden)]
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct ClearedFields(::std::collections::BTreeMap<&'static str, ::serde_json::Value>);

        // Unused in a module whose body models have no optional field.
        #[allow(dead_code)]
        impl ClearedFields {
            fn set(&mut self, name: &'static str, value: ::serde_json::Value) {
                self.0.insert(name, value);
            }
            fn unset(&mut self, name: &'static str) {
                self.0.remove(name);
            }
        }

        impl ::serde::Serialize for ClearedFields {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(::std::option::Option::Some(self.0.len()))?;
                for (name, value) in &self.0 {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
    }
}
