//! progenitor's operation builders, made into owned, typed, tenant-bound requests.
//!
//! progenitor's builders borrow the client (`JobsGetList<'a>` holding `&'a Client`), take every
//! value through `TryInto` (a wrong value fails at `send()`), expose `.tenant(..)` and carry the
//! body as typify's runtime-checked builder. Rewritten here:
//!
//! * **owned**: the builder holds a clone of the (cheap: `Arc`s and a `String`) client and has no
//!   lifetime, so a chain ending in a stream or future can outlive the statement that built it;
//! * **typed**: every setter takes `impl Into<T>` — a string where an enum is expected, or a
//!   `&str` where a date is, is a compile error, never a value rejected at `send()`;
//! * **tenant bound**: `.tenant(..)` is crate-private (the domain `Api` sets it once), and the
//!   client (base URL) is a private field;
//! * **bodies** are the model itself (`types::JobCreateRequest`, built with its `new(..)`), not
//!   typify's builder; `body_map` goes with it;
//! * each setter's doc is the parameter's description from the spec;
//! * `send()` is made cheaper per call (one query pass, no `api-version` header, SDK decoding):
//!   see [`super::send`].

use super::Setters;
use std::collections::{BTreeMap, BTreeSet};
use syn::visit_mut::{self, VisitMut};
use syn::{parse_quote, Expr, GenericParam, ImplItem, Item, Type};

/// `(builder struct, setter)` → the doc text for the setter.
pub type SetterDocs = BTreeMap<(String, String), String>;

/// Names of the models operation builders carry as bodies (`types::builder::X`, or `types::X`
/// inside e.g. a `Vec`), read before [`rewrite`].
pub fn body_models(items: &[Item]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for item in items {
        let Item::Struct(s) = item else { continue };
        for f in s
            .fields
            .iter()
            .filter(|f| f.ident.as_ref().is_some_and(|i| i == "body"))
        {
            let ty = &f.ty;
            let text = quote::quote!(#ty).to_string().replace("builder :: ", "");
            let mut words = text.split_whitespace().peekable();
            while let Some(w) = words.next() {
                if w == "types" && words.next_if_eq(&"::").is_some() {
                    if let Some(name) = words.next() {
                        out.insert(name.to_string());
                    }
                }
            }
        }
    }
    out
}

/// `types::builder::X` → `X`.
fn typify_builder_name(ty: &Type) -> Option<String> {
    let Type::Path(p) = ty else { return None };
    let seg = super::segment_names(&p.path);
    if seg.len() == 3 && seg[0] == "types" && seg[1] == "builder" {
        return Some(seg[2].clone());
    }
    // `Result<types::builder::X, String>`
    let last = p.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(a) = &last.arguments else {
        return None;
    };
    a.args.iter().find_map(|g| match g {
        syn::GenericArgument::Type(t) => typify_builder_name(t),
        _ => None,
    })
}

/// Rewrites the items of progenitor's `builder` module in place (see the module docs).
pub fn rewrite(items: &mut [Item], docs: &SetterDocs) {
    let with_typify_body: BTreeSet<String> = items
        .iter()
        .filter_map(|i| match i {
            Item::Struct(s)
                if s.fields
                    .iter()
                    .any(|f| typify_builder_name(&f.ty).is_some()) =>
            {
                Some(s.ident.to_string())
            }
            _ => None,
        })
        .collect();
    let integers = super::send::integer_fields(items);
    for item in items.iter_mut() {
        Owned.visit_item_mut(item);
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let Some(builder) = self_name(&imp.self_ty) else {
            continue;
        };
        imp.items
            .retain(|it| !matches!(it, ImplItem::Fn(f) if f.sig.ident == "body_map"));
        for it in &mut imp.items {
            let ImplItem::Fn(f) = it else { continue };
            let name = f.sig.ident.to_string();
            if name == "tenant" {
                f.vis = parse_quote!(pub(crate));
            }
            if name == "send" {
                super::send::rewrite(f, integers.get(&builder));
            }
            if name == "new" && with_typify_body.contains(&builder) {
                UninitializedBody.visit_block_mut(&mut f.block);
            }
            if typed_setter(f) {
                if let Some(doc) = docs.get(&(builder.clone(), name)) {
                    f.attrs.insert(0, parse_quote!(#[doc = #doc]));
                }
            }
        }
    }
}

fn self_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `fn x<V>(mut self, value: V) where V: TryInto<T>, <V as TryInto<T>>::Error: Display`
/// → `where V: Into<T>`, with `value.try_into()` replaced by an infallible `Ok(value.into())`
/// (the rest of progenitor's body, `.map(Some).map_err(..)`, still type-checks and never errs).
fn typed_setter(f: &mut syn::ImplItemFn) -> bool {
    let Some(wc) = &mut f.sig.generics.where_clause else {
        return false;
    };
    let mut target = None;
    let predicates = std::mem::take(&mut wc.predicates);
    for pred in predicates {
        let syn::WherePredicate::Type(mut pt) = pred else {
            continue;
        };
        if matches!(pt.bounded_ty, Type::Path(ref p) if p.qself.is_some()) {
            continue; // `<V as TryInto<T>>::Error: Display`
        }
        if let Some(t) = try_into_target(&pt) {
            pt.bounds = parse_quote!(::std::convert::Into<#t>);
            target = Some(t);
        }
        wc.predicates.push(syn::WherePredicate::Type(pt));
    }
    let Some(target) = target else { return false };
    InfallibleValue(target).visit_block_mut(&mut f.block);
    true
}

fn try_into_target(pt: &syn::PredicateType) -> Option<Type> {
    pt.bounds.iter().find_map(|b| {
        let syn::TypeParamBound::Trait(tb) = b else {
            return None;
        };
        let last = tb.path.segments.last()?;
        if last.ident != "TryInto" {
            return None;
        }
        let syn::PathArguments::AngleBracketed(a) = &last.arguments else {
            return None;
        };
        match a.args.first()? {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        }
    })
}

struct InfallibleValue(Type);

impl VisitMut for InfallibleValue {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::MethodCall(m) = e {
            if m.method == "try_into"
                && matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident("value"))
            {
                let t = &self.0;
                *e = parse_quote!(::std::result::Result::<#t, ::std::convert::Infallible>::Ok(
                    ::std::convert::Into::into(value)
                ));
                return;
            }
        }
        visit_mut::visit_expr_mut(self, e);
    }
}

/// In `new`: a body that is the model itself has no default; the domain `Api` always sets it.
struct UninitializedBody;

impl VisitMut for UninitializedBody {
    fn visit_field_value_mut(&mut self, fv: &mut syn::FieldValue) {
        if matches!(&fv.member, syn::Member::Named(n) if n == "body") {
            fv.expr = parse_quote!(Err("body was not initialized".to_string()));
        }
    }
}

/// Drops the `'a` lifetime, makes `&'a super::Client` an owned `super::Client` and
/// `types::builder::X` the model `types::X`.
struct Owned;

impl VisitMut for Owned {
    fn visit_generics_mut(&mut self, g: &mut syn::Generics) {
        g.params = std::mem::take(&mut g.params)
            .into_iter()
            .filter(|p| !matches!(p, GenericParam::Lifetime(_)))
            .collect();
        visit_mut::visit_generics_mut(self, g);
    }

    fn visit_angle_bracketed_generic_arguments_mut(
        &mut self,
        a: &mut syn::AngleBracketedGenericArguments,
    ) {
        a.args = std::mem::take(&mut a.args)
            .into_iter()
            .filter(|g| !matches!(g, syn::GenericArgument::Lifetime(_)))
            .collect();
        visit_mut::visit_angle_bracketed_generic_arguments_mut(self, a);
    }

    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::Reference(r) = ty {
            if r.lifetime.is_some() && quote::quote!(#r).to_string().contains("super :: Client") {
                *ty = parse_quote!(super::Client);
                return;
            }
        }
        if let Type::Path(p) = ty {
            let seg = super::segment_names(&p.path);
            if seg.len() == 3 && seg[0] == "types" && seg[1] == "builder" {
                let name = &p.path.segments[2].ident;
                *ty = parse_quote!(types::#name);
                return;
            }
        }
        visit_mut::visit_type_mut(self, ty);
    }
}

/// Records `(builder, setter) → T` from progenitor's `where V: TryInto<T>` setters (run before
/// [`rewrite`]).
pub fn collect_setters(items: &[Item], out: &mut Setters) {
    for item in items {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let Some(builder) = self_name(&imp.self_ty) else {
            continue;
        };
        for it in &imp.items {
            let ImplItem::Fn(f) = it else { continue };
            let Some(wc) = &f.sig.generics.where_clause else {
                continue;
            };
            for pred in &wc.predicates {
                let syn::WherePredicate::Type(pt) = pred else {
                    continue;
                };
                if let Some(t) = try_into_target(pt) {
                    out.insert((builder.clone(), f.sig.ident.to_string()), t);
                }
            }
        }
    }
}
