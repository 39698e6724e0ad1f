//! Accessors that work whether a generated field is optional or not (the generated `Page` and
//! `Batch` impls read `hasMore`, `totalCount`, `continueFrom` through them).

/// `bool` or `Option<bool>` (missing = `false`).
pub fn flag<T: Flag>(v: &T) -> bool {
    v.flag()
}
/// Any integer or optional integer, widened to `i64`.
pub fn count<T: Count>(v: &T) -> Option<i64> {
    v.count()
}
/// `Vec<T>` or `Option<Vec<T>>` (missing = empty).
pub fn items<T, V: Items<T>>(v: V) -> Vec<T> {
    v.items()
}
/// Length of `Vec<T>` or `Option<Vec<T>>`.
pub fn len<T: Len>(v: &T) -> usize {
    v.count_items()
}
/// `String` or `Option<String>`.
pub fn text<T: Text>(v: &T) -> Option<&str> {
    v.text()
}

#[doc(hidden)]
pub trait Flag {
    fn flag(&self) -> bool;
}
impl Flag for bool {
    fn flag(&self) -> bool {
        *self
    }
}
impl Flag for Option<bool> {
    fn flag(&self) -> bool {
        self.unwrap_or(false)
    }
}
#[doc(hidden)]
pub trait Count {
    fn count(&self) -> Option<i64>;
}
impl Count for i32 {
    fn count(&self) -> Option<i64> {
        Some(i64::from(*self))
    }
}
impl Count for i64 {
    fn count(&self) -> Option<i64> {
        Some(*self)
    }
}
impl<T: Count> Count for Option<T> {
    fn count(&self) -> Option<i64> {
        self.as_ref().and_then(Count::count)
    }
}
#[doc(hidden)]
pub trait Items<T> {
    fn items(self) -> Vec<T>;
}
impl<T> Items<T> for Vec<T> {
    fn items(self) -> Vec<T> {
        self
    }
}
impl<T> Items<T> for Option<Vec<T>> {
    fn items(self) -> Vec<T> {
        self.unwrap_or_default()
    }
}
/// The page a builder was set to start from (`page` optional or required), default 1.
pub fn start_page<T: StartPage>(v: &T) -> i32 {
    v.start_page()
}
/// The `from` a builder was set to start from (optional or required).
pub fn start_from<T: StartFrom>(v: &T) -> Option<String> {
    v.start_from()
}
#[doc(hidden)]
pub trait StartPage {
    fn start_page(&self) -> i32;
}
impl<E> StartPage for Result<Option<i32>, E> {
    fn start_page(&self) -> i32 {
        self.as_ref().ok().copied().flatten().unwrap_or(1)
    }
}
impl<E> StartPage for Result<i32, E> {
    fn start_page(&self) -> i32 {
        self.as_ref().ok().copied().unwrap_or(1)
    }
}
#[doc(hidden)]
pub trait StartFrom {
    fn start_from(&self) -> Option<String>;
}
impl<E> StartFrom for Result<Option<String>, E> {
    fn start_from(&self) -> Option<String> {
        self.as_ref().ok().cloned().flatten()
    }
}
impl<E> StartFrom for Result<String, E> {
    fn start_from(&self) -> Option<String> {
        self.as_ref().ok().cloned()
    }
}
#[doc(hidden)]
pub trait Len {
    fn count_items(&self) -> usize;
}
impl<T> Len for Vec<T> {
    fn count_items(&self) -> usize {
        Vec::len(self)
    }
}
impl<T> Len for Option<Vec<T>> {
    fn count_items(&self) -> usize {
        self.as_ref().map_or(0, Vec::len)
    }
}
#[doc(hidden)]
pub trait Text {
    fn text(&self) -> Option<&str>;
}
impl Text for String {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}
impl Text for Option<String> {
    fn text(&self) -> Option<&str> {
        self.as_deref()
    }
}
