//! `pages()` / `stream()` / `collect_all()` / `pages_concurrent()` on paged-list builders and
//! `batches()` / `stream()` on export builders, plus the `Page` / `Batch` impls of their
//! envelopes.
//!
//! The builders own their client, so every stream is `'static` and `Send`; it is returned boxed
//! (`BoxStream`), so it is also `Unpin`: `try_next()` works without `pin!`, a helper can return
//! it, and `tokio::spawn` accepts it.

use crate::inventory::{Operation, OperationKind};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// `Result<T, servicetitan_core::Error>` items, boxed.
fn boxed(item: TokenStream) -> TokenStream {
    quote!(::futures::stream::BoxStream<'static, ::std::result::Result<#item, ::servicetitan_core::Error>>)
}

/// The stream methods of a paged-list or export builder.
pub fn builder_impl(
    op: &Operation,
    builder: &Ident,
    envelope: &Ident,
    item: &TokenStream,
) -> TokenStream {
    if op.kind == OperationKind::PagedList {
        paged(op, builder, envelope, item)
    } else {
        export(op, builder, item)
    }
}

fn paged(op: &Operation, builder: &Ident, envelope: &Ident, item: &TokenStream) -> TokenStream {
    // `.pages()` and `.pages_concurrent(n)` ask for `totalCount` on the first page (when they can).
    let ask_total = if op.parameters.iter().any(|p| p.name == "includeTotal") {
        quote!(if page == first {
            request.include_total(true)
        } else {
            request
        })
    } else {
        quote!(request)
    };
    // Record failures are named after the operation.
    let op_id = &op.operation_id;
    let pages_ty = boxed(quote!(types::#envelope));
    let items_ty = boxed(item.clone());
    quote! {
        impl #builder {
            /// Every page, in order, from the builder's `page` (default 1) to `hasMore: false`,
            /// reading up to [`DEFAULT_PAGES_AHEAD`](::servicetitan_core::paging::DEFAULT_PAGES_AHEAD)
            /// pages ahead of the consumer, each request (and its decoding) on a task of its own
            /// (the first page asks for `totalCount`); see
            /// [`servicetitan_core::paging::pages_prefetched`]. `.pages_concurrent(1)` reads lazily.
            pub fn pages(self) -> #pages_ty {
                let first = ::servicetitan_core::paging::field::start_page(&self.page);
                let ahead = ::servicetitan_core::paging::DEFAULT_PAGES_AHEAD;
                ::futures::StreamExt::boxed(::servicetitan_core::paging::pages_prefetched(#op_id, first, ahead, move |page| {
                    let request = self.clone().page(page);
                    let request = #ask_total;
                    async move { request.send().await.map(|r| r.into_inner()) }
                }))
            }

            /// Every item of every page, in order, pages read ahead as in [`Self::pages`].
            pub fn stream(self) -> #items_ty {
                ::futures::StreamExt::boxed(::servicetitan_core::paging::items_read_ahead(self.pages()))
            }

            /// Reads every item of every page into a `Vec`.
            pub async fn collect_all(self) -> ::std::result::Result<::std::vec::Vec<#item>, ::servicetitan_core::Error> {
                ::futures::TryStreamExt::try_collect(self.stream()).await
            }

            /// Every page, in order, with up to `concurrency` requests in flight once the
            /// first page (requested with `includeTotal=true`) gives `totalCount`; without
            /// it, one page at a time like [`Self::pages`]. Requests still go through the
            /// client's rate limiter. See [`servicetitan_core::paging::pages_concurrent`].
            pub fn pages_concurrent(self, concurrency: usize) -> #pages_ty {
                let first = ::servicetitan_core::paging::field::start_page(&self.page);
                ::futures::StreamExt::boxed(::servicetitan_core::paging::pages_concurrent(#op_id, first, concurrency, move |page| {
                    let request = self.clone().page(page);
                    let request = #ask_total;
                    async move { request.send().await.map(|r| r.into_inner()) }
                }))
            }

            /// Every item of every page, in order, pages fetched as in [`Self::pages_concurrent`].
            pub fn stream_concurrent(self, concurrency: usize) -> #items_ty {
                ::futures::StreamExt::boxed(::servicetitan_core::paging::items(self.pages_concurrent(concurrency)))
            }
        }
    }
}

fn export(op: &Operation, builder: &Ident, item: &TokenStream) -> TokenStream {
    // Record failures are named after the operation.
    let op_id = &op.operation_id;
    let batches_ty = boxed(quote!(::servicetitan_core::export::ExportBatch<#item>));
    let items_ty = boxed(item.clone());
    quote! {
        impl #builder {
            /// Every batch, requested lazily, each with the continuation token to persist;
            /// resumes from the builder's `from` (a token or a date) and stops after
            /// `hasMore: false` ("caught up; come back in a few minutes").
            pub fn batches(self) -> #batches_ty {
                let from = ::servicetitan_core::paging::field::start_from(&self.from);
                ::futures::StreamExt::boxed(::servicetitan_core::export::batches(#op_id, from, move |from| {
                    let request = match from { Some(token) => self.clone().from(token), None => self.clone() };
                    async move { request.send().await.map(|r| r.into_inner()) }
                }))
            }

            /// Every record of every batch, requested lazily. See [`Self::batches`].
            pub fn stream(self) -> #items_ty {
                ::futures::StreamExt::boxed(::servicetitan_core::export::records(self.batches()))
            }
        }
    }
}
