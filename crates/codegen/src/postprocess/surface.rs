//! What a domain crate shows its users: the tenant-bound `Api`, the models, the builders.
//!
//! progenitor also emits a raw `Client` (every method takes the tenant), a `prelude` exporting
//! it, and re-exports `progenitor_client::Error`. A second `Client` next to `servicetitan::Client`
//! makes `use …::prelude::*` of both ambiguous, and the raw methods would let a call name another
//! tenant. So: the raw client's operation methods go (the `Api` builds the requests), the client
//! type and the progenitor error stay nameable (they appear in signatures) but are
//! `#[doc(hidden)]`, and the `prelude` goes.

use syn::{parse_quote, ImplItem, Item, ReturnType, Type};

/// Rewrites the crate-root items progenitor emitted.
pub fn rewrite(items: &mut Vec<Item>) {
    items.retain(|i| !matches!(i, Item::Mod(m) if m.ident == "prelude"));
    let mut extra = Vec::new();
    for item in items.iter_mut() {
        match item {
            Item::Struct(s) if s.ident == "Client" => s.attrs.push(parse_quote!(#[doc(hidden)])),
            Item::Impl(imp) if imp.trait_.is_none() && is_client(&imp.self_ty) => {
                imp.items.retain(|it| !returns_builder(it));
            }
            Item::Use(u) if is_progenitor_reexport(u) => {
                *u = parse_quote!(
                    #[allow(unused_imports)]
                    pub use progenitor_client::{ByteStream, ResponseValue};
                );
                extra.push(parse_quote! {
                    #[doc(hidden)]
                    #[allow(unused_imports)]
                    pub use progenitor_client::{ClientInfo, Error};
                });
            }
            _ => {}
        }
    }
    items.retain(|i| !matches!(i, Item::Impl(imp) if imp.trait_.is_none() && imp.items.is_empty()));
    items.extend(extra);
}

fn is_client(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.is_ident("Client"))
}

fn returns_builder(it: &ImplItem) -> bool {
    let ImplItem::Fn(f) = it else { return false };
    match &f.sig.output {
        ReturnType::Type(_, ty) => {
            matches!(&**ty, Type::Path(p) if p.path.segments.first().is_some_and(|s| s.ident == "builder"))
        }
        ReturnType::Default => false,
    }
}

fn is_progenitor_reexport(u: &syn::ItemUse) -> bool {
    let text = quote::quote!(#u).to_string().replace(' ', "");
    text.contains("progenitor_client::{") && text.contains("Error")
}
